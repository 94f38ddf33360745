import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelFromFiles } from '../../src/lab/models/model-files';
import { runCliCaptured } from '../helpers/run-cli';
import { writeDataset } from '../helpers/write-dataset';

let root: string;
let data: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xray-cli-'));
  data = join(root, 'phantom');
  await writeDataset(data, { perClass: 24, size: 24, seed: 3, format: 'mixed', junk: true });
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('xray-lab compare', () => {
  it('trains, evaluates, prints JSON records and writes results.json, report.md and the models', async () => {
    const out = join(root, 'out');
    const { code, stdout, stderr } = await runCliCaptured([
      'compare',
      '--data',
      data,
      '--models',
      'light-k1',
      '--size',
      '16',
      '--channels',
      '1',
      '--epochs',
      '2',
      '--batch',
      '8',
      '--seed',
      '4',
      '--bootstrap',
      '50',
      '--out',
      out,
      '--json',
    ]);
    expect(stderr).toMatch(/epoch 2\/2/);
    expect(stderr).toMatch(/skipped \d+ file/);
    expect(code).toBe(0);
    const { results: records, summary, settings } = JSON.parse(stdout);
    expect(records).toHaveLength(1);
    expect(settings).toMatchObject({ models: ['light-k1'], size: 16, seeds: [4], epochs: 2 });
    expect(summary).toHaveLength(1);
    expect(summary[0]).toMatchObject({ modelId: 'light-k1', seeds: [4], okRuns: 1 });
    expect(records[0]).toMatchObject({
      modelId: 'light-k1',
      status: 'ok',
      params: 2733,
      inputSize: 16,
      epochsRun: 2,
      seed: 4,
    });
    expect(records[0].test.count).toBeGreaterThan(0);
    expect(records[0].test.auc).toBeGreaterThanOrEqual(0);
    const files = await readdir(out);
    expect(files.sort()).toEqual([
      'experiment.json',
      'models',
      'predictions.csv',
      'report.md',
      'results.json',
      'skipped.csv',
    ]);
    // The junk the folder holds, each file with the reason it was left out, as stderr summarised it.
    const skipped = (await readFile(join(out, 'skipped.csv'), 'utf8')).trim().split('\n');
    expect(skipped[0]).toBe('path,reason');
    expect(stderr).toContain(`skipped ${skipped.length - 1} file(s)`);
    expect(JSON.parse(await readFile(join(out, 'results.json'), 'utf8')).meta.skippedFiles).toBe(skipped.length - 1);
    const rows = (await readFile(join(out, 'predictions.csv'), 'utf8')).trim().split('\n');
    expect(rows[0]).toBe('file,true_class,score_NORMAL,score_PNEUMONIA,predicted_class,model,seed');
    expect(rows).toHaveLength(1 + records[0].test.count);
    expect((await readdir(join(out, 'models/light-k1'))).sort()).toEqual([
      'model-card.md',
      'model.h5',
      'model.json',
      'model.onnx',
      'stock',
      'weights.bin',
    ]);
    expect(JSON.parse(await readFile(join(out, 'results.json'), 'utf8')).results[0].modelId).toBe('light-k1');
    expect(await readFile(join(out, 'report.md'), 'utf8')).toMatch(/LightLayers k=1/);
    const model = await modelFromFiles(
      await readFile(join(out, 'models/light-k1/model.json'), 'utf8'),
      await readFile(join(out, 'models/light-k1/weights.bin')),
    );
    expect(model.countParams()).toBe(2733);
    model.dispose();
  });

  it('prints the comparison table by default', async () => {
    const { code, stdout } = await runCliCaptured([
      'compare',
      '--data',
      data,
      '--models',
      'light-k1,light-k2',
      '--size',
      '12',
      '--epochs',
      '1',
      '--batch',
      '16',
      '--bootstrap',
      '0',
      '--out',
      join(root, 'out-table'),
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/LightLayers k=1/);
    expect(stdout).toMatch(/LightLayers k=2/);
    expect(stdout).toMatch(/Sensitivity/);
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['a missing data folder', ['--data', '/nonexistent/xray'], /\/nonexistent\/xray: folder does not exist/],
    ['an unknown model', ['--data', '%DATA%', '--models', 'resnet'], /unknown model id "resnet"/],
    [
      '--epochs 0',
      ['--data', '%DATA%', '--epochs', '0'],
      /^xray-lab compare: --epochs must be a whole number from 1 to 10000 \(got 0\)$/,
    ],
    [
      '--epochs -1',
      ['--data', '%DATA%', '--epochs', '-1'],
      /^xray-lab compare: --epochs must be a whole number from 1 to 10000 \(got -1\)$/,
    ],
    [
      '--size 7',
      ['--data', '%DATA%', '--size', '7', '--models', 'light-k1'],
      /--size must be a whole number from 8 to 1024 \(got 7\)/,
    ],
    [
      '--seeds with a repeat',
      ['--data', '%DATA%', '--seeds', '1,1'],
      /--seeds must be a list of 1 to 100 different whole numbers/,
    ],
    ['an unknown option', ['--data', '%DATA%', '--epoch', '3'], /unknown option --epoch/],
    [
      '--positive naming no class',
      ['--data', '%DATA%', '--positive', 'COVID', '--models', 'light-k1', '--size', '12'],
      /--positive COVID: no such class \(classes: NORMAL, PNEUMONIA\)/,
    ],
    ['--size 32 with cnn', ['--data', '%DATA%', '--size', '32', '--models', 'cnn'], /cnn: it needs at least 50×50/],
    ['no --data', ['--models', 'cnn'], /--data DIR is required/],
  ];
  for (const [what, args, message] of bad) {
    it(`refuses ${what} with one line, exit 2, and writes nothing`, async () => {
      const out = join(root, `bad-${what.replace(/\W+/g, '-')}`);
      const argv = ['compare', ...args.map((a) => (a === '%DATA%' ? data : a)), '--out', out];
      const { code, stderr } = await runCliCaptured(argv);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')[0]).toMatch(message);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('refuses an --out that is a file before decoding any image, and leaves the file alone', async () => {
    const file = join(root, 'out-is-a-file');
    await writeFile(file, 'keep me');
    const { code, stderr } = await runCliCaptured([
      'compare',
      '--data',
      data,
      '--models',
      'light-k1',
      '--size',
      '12',
      '--out',
      file,
    ]);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(`xray-lab compare: --out ${file}: ${file} exists and is not a folder`);
    expect(await readFile(file, 'utf8')).toBe('keep me');
  });

  it('warns about a test split too small to measure, and --strict refuses it before training', async () => {
    const args = [
      'compare',
      '--data',
      data,
      '--models',
      'light-k1',
      '--size',
      '12',
      '--epochs',
      '1',
      '--bootstrap',
      '0',
      '--limit',
      '12',
    ];
    const warned = await runCliCaptured([...args, '--out', join(root, 'out-small')]);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toMatch(/^WARNING: test: only \d images? \(NORMAL \d, PNEUMONIA \d\), fewer than 10/m);
    const strict = await runCliCaptured([...args, '--strict', '--out', join(root, 'out-strict')]);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/split not useful: (validation|test): /);
    expect(strict.stderr).not.toMatch(/epoch 1\/1/);
    expect(existsSync(join(root, 'out-strict'))).toBe(false);
  });

  it('refuses a single class and an empty class folder, naming the path', async () => {
    const one = join(root, 'one-class');
    await mkdir(join(one, 'NORMAL'), { recursive: true });
    await writeFile(join(one, 'NORMAL', 'a.png'), new Uint8Array([1, 2, 3]));
    let result = await runCliCaptured(['compare', '--data', one, '--out', join(root, 'o1')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/one-class/);
    const empty = join(root, 'empty-class');
    await mkdir(join(empty, 'A'), { recursive: true });
    await mkdir(join(empty, 'B'), { recursive: true });
    await writeFile(join(empty, 'A', 'x.png'), new Uint8Array([1]));
    result = await runCliCaptured(['compare', '--data', empty, '--out', join(root, 'o2')]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(/B/);
  });
});

const shared = resolve(process.cwd(), '../shared/data/chest-xray-224/train');
describe.skipIf(!existsSync(shared))('on the real Kermany images (../shared)', () => {
  it('light-k2 at 32×32 for 2 epochs beats the majority-class rate on a held-out part', async () => {
    const out = join(root, 'kermany');
    const { code, stdout, stderr } = await runCliCaptured([
      'compare',
      '--recipe',
      'study',
      '--data',
      shared,
      '--models',
      'light-k2',
      '--size',
      '32',
      '--epochs',
      '2',
      '--limit',
      '400',
      '--batch',
      '32',
      '--seed',
      '1',
      '--bootstrap',
      '0',
      '--out',
      out,
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const [record] = JSON.parse(stdout).results;
    const [normal, pneumonia] = record.test.confusion.map((row: number[]) => row.reduce((a, b) => a + b, 0));
    const majorityRate = Math.max(normal, pneumonia) / (normal + pneumonia);
    expect(record.test.accuracy).toBeGreaterThan(majorityRate);
    expect(record.test.sensitivity).toBeGreaterThan(0);
    expect(record.test.specificity).toBeGreaterThan(0);
  });
});
if (!existsSync(shared)) console.warn(`skipping the Kermany integration test: ${shared} is absent`);
