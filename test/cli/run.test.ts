/**
 * `xray-lab compare --seeds` then `xray-lab run experiment.json`: the card replays to the same test metrics per
 * (model, seed) on the same data, and refuses other data, a broken card or a changed setting with one line, exit 2.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExperimentCard } from '../../src/lab/experiment/card';
import { runCliCaptured } from '../helpers/run-cli';
import { writeDataset } from '../helpers/write-dataset';

let root: string;
let data: string;
let other: string;
let first: {
  results: {
    modelId: string;
    seed: number;
    test: { tp: number; fp: number; tn: number; fn: number } & Record<string, unknown>;
    status: string;
  }[];
  summary: { modelId: string; accuracy: { n: number; sd: number | null } }[];
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xray-run-'));
  data = join(root, 'phantom');
  await writeDataset(data, { perClass: 20, size: 24, seed: 3 });
  other = join(root, 'other');
  await writeDataset(other, { perClass: 20, size: 24, seed: 4 });
  const { code, stdout, stderr } = await runCliCaptured([
    'compare',
    '--recipe',
    'study',
    '--data',
    data,
    '--models',
    'light-k1,light-k2',
    '--seeds',
    '1,2',
    '--size',
    '16',
    '--channels',
    '1',
    '--epochs',
    '2',
    '--batch',
    '8',
    '--bootstrap',
    '20',
    '--backend',
    'wasm',
    '--out',
    join(root, 'a'),
    '--json',
  ]);
  expect(code, stderr).toBe(0);
  first = JSON.parse(stdout);
}, 300_000);
afterAll(() => rm(root, { recursive: true, force: true }));

describe('compare with several seeds', () => {
  it('prints one record per (model, seed) and a summary with mean and sd', () => {
    expect(first.results.map((r) => [r.modelId, r.seed])).toEqual([
      ['light-k1', 1],
      ['light-k2', 1],
      ['light-k1', 2],
      ['light-k2', 2],
    ]);
    expect(first.summary.map((m) => [m.modelId, m.accuracy.n])).toEqual([
      ['light-k1', 2],
      ['light-k2', 2],
    ]);
    expect(first.summary.every((m) => m.accuracy.sd !== null)).toBe(true);
  });

  it('writes experiment.json and a model card per run', async () => {
    const out = join(root, 'a');
    expect((await readdir(out)).sort()).toEqual([
      'experiment.json',
      'models',
      'predictions.csv',
      'report.md',
      'results.json',
    ]);
    for (const id of ['light-k1', 'light-k2']) {
      expect((await readdir(join(out, 'models', id))).sort()).toEqual(['seed-1', 'seed-2']);
      expect((await readdir(join(out, 'models', id, 'seed-2'))).sort()).toEqual([
        'model-card.md',
        'model.h5',
        'model.json',
        'model.onnx',
        'stock',
        'weights.bin',
      ]);
    }
    const card = parseExperimentCard(await readFile(join(out, 'experiment.json'), 'utf8'));
    expect(card.settings).toMatchObject({ models: ['light-k1', 'light-k2'], seeds: [1, 2], size: 16, epochs: 2 });
    expect(card.data.identity.files).toBe(40);
    expect(card.data.split.train.length + card.data.split.val.length + card.data.split.test.length).toBe(40);
    expect(card.predictions).toHaveLength(4);
    expect(card.environment).toMatchObject({ runtime: 'node', backend: 'wasm', labVersion: expect.any(String) });
    expect(await readFile(join(out, 'report.md'), 'utf8')).toContain('## Over seeds');
  });

  it("writes predictions.csv: a row per test image and run, with the card's scores and the records' decisions", async () => {
    const out = join(root, 'a');
    const card = parseExperimentCard(await readFile(join(out, 'experiment.json'), 'utf8'));
    const [header, ...rows] = (await readFile(join(out, 'predictions.csv'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    expect(header).toEqual([
      'file',
      'true_class',
      'score_NORMAL',
      'score_PNEUMONIA',
      'predicted_class',
      'model',
      'seed',
    ]);
    const n = card.testImages.files.length;
    expect(rows).toHaveLength(4 * n);
    for (const record of first.results) {
      const mine = rows.filter((r) => r[5] === record.modelId && r[6] === String(record.seed));
      const scores = card.predictions.find(
        (p) => p.modelId === record.modelId && p.seed === record.seed,
      )!.probabilities;
      expect(mine.map((r) => r[0])).toEqual(card.testImages.files);
      expect(mine.map((r) => r[1])).toEqual(card.testImages.labels.map((l) => card.data.classNames[l]));
      mine.forEach((r, i) => expect(Number(r[3])).toBeCloseTo(scores[i * 2 + 1], 5));
      const count = (truth: string, called: string) => mine.filter((r) => r[1] === truth && r[4] === called).length;
      expect([
        count('PNEUMONIA', 'PNEUMONIA'),
        count('NORMAL', 'PNEUMONIA'),
        count('NORMAL', 'NORMAL'),
        count('PNEUMONIA', 'NORMAL'),
      ]).toEqual([record.test.tp, record.test.fp, record.test.tn, record.test.fn]);
    }
  });
});

describe('xray-lab run', () => {
  it('replays the card to the same test metrics per (model, seed)', async () => {
    const { code, stdout, stderr } = await runCliCaptured([
      'run',
      join(root, 'a/experiment.json'),
      '--data',
      data,
      '--out',
      join(root, 'b'),
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const again = JSON.parse(stdout);
    expect(
      again.results.map((r: { modelId: string; seed: number; test: unknown }) => [r.modelId, r.seed, r.test]),
    ).toEqual(first.results.map((r) => [r.modelId, r.seed, r.test]));
    expect(existsSync(join(root, 'b/experiment.json'))).toBe(true);
  });

  const refuses = (what: string, args: () => string[], message: RegExp) =>
    it(`refuses ${what} with one line, exit 2, and writes nothing`, async () => {
      const out = join(root, `bad-${what.replace(/\W+/g, '-')}`);
      const { code, stderr } = await runCliCaptured(['run', ...args(), '--out', out]);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    });
  refuses(
    "data whose files differ from the card's",
    () => [join(root, 'a/experiment.json'), '--data', other],
    /other: its files differ from the data the card ran on \(fingerprint [0-9a-f]{16}, 40 images; the card's [0-9a-f]{16}, 40 images\); pass --allow-other-data/,
  );
  refuses(
    'a setting on the command line',
    () => [join(root, 'a/experiment.json'), '--data', data, '--epochs', '3'],
    /--epochs cannot change them/,
  );
  refuses('a missing card', () => [join(root, 'none.json'), '--data', data], /none\.json: cannot read \(ENOENT\)/);

  it('refuses a truncated or future card, naming the file', async () => {
    const text = await readFile(join(root, 'a/experiment.json'), 'utf8');
    const truncated = join(root, 'truncated.json');
    await writeFile(truncated, text.slice(0, 300));
    let r = await runCliCaptured(['run', truncated, '--data', data]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/truncated\.json: not valid JSON .*is the file complete\?/);
    const future = join(root, 'future.json');
    await writeFile(future, text.replace('"version": 1', '"version": 7'));
    r = await runCliCaptured(['run', future, '--data', data]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/future\.json: was written by a newer X-Ray Lab \(format version 7/);
  });

  it('runs on other data with --allow-other-data, saying so', async () => {
    const { code, stderr } = await runCliCaptured([
      'run',
      join(root, 'a/experiment.json'),
      '--data',
      other,
      '--allow-other-data',
      '--out',
      join(root, 'c'),
    ]);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/warning: .*its files differ from the data the card ran on.*running anyway/);
  });
});
