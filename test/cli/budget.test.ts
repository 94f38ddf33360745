/**
 * The data budget on the command line: before decoding, compare prints what the decoded images will take against
 * --memory-budget; over it, it stops with one line naming the --subset that fits, and with that --subset it takes a
 * subset that keeps every class, whole patients and the official test folder.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patientId } from '../../src/lab/data/patient-id';
import { runCliCaptured } from '../helpers/run-cli';
import { writeDataset, type WrittenDataset } from '../helpers/write-dataset';

let root: string;
let data: string;
let written: WrittenDataset;
// 12×12×3 bytes an image: 60 images take 25,920 bytes; the budget holds 28 of them.
const TRAIN = ['--models', 'light-k1', '--size', '12', '--epochs', '1', '--bootstrap', '0', '--backend', 'cpu'];
const BUDGET = ['--memory-budget', '0.0125'];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xray-budget-'));
  data = join(root, 'data');
  written = await writeDataset(data, { perClass: 30, size: 16, splits: true });
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('compare within a memory budget', () => {
  let offered = 0;

  it('over the budget, stops before decoding with one line: the estimate and the --subset that fits', async () => {
    const out = join(root, 'over');
    const { code, stderr } = await runCliCaptured(['compare', '--data', data, ...TRAIN, ...BUDGET, '--out', out]);
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    const match =
      /^xray-lab compare: 60 images at 12×12×3 need 25\.9 kB decoded; memory budget 12\.5 kB \(set by --memory-budget\): over it by 13\.4 kB; a subset of (\d+) images fits \([\d.]+ kB; every class, whole patients, official splits kept\); .*Use --subset (\d+) for that subset, or --memory-budget MB/.exec(
        lines[0],
      );
    expect(match, lines[0]).not.toBeNull();
    expect(Number(match![1])).toBeLessThanOrEqual(28);
    offered = Number(match![2]);
    expect(existsSync(out)).toBe(false);
  });

  it('with that --subset, prints the estimate and the subset before decoding, and trains on it', async () => {
    expect(offered).toBeGreaterThan(0);
    const out = join(root, 'subset');
    const { code, stderr } = await runCliCaptured([
      'compare',
      '--data',
      data,
      ...TRAIN,
      ...BUDGET,
      '--subset',
      String(offered),
      '--out',
      out,
    ]);
    expect(code, stderr).toBe(0);
    const lines = stderr.split('\n');
    const estimate = lines.findIndex((l) => l.startsWith('60 images at 12×12×3 need 25.9 kB decoded'));
    const taking = lines.findIndex((l) => l.startsWith(`taking the subset ${offered} (seed 1): `));
    const decoding = lines.findIndex((l) => l.startsWith('decoding '));
    expect(estimate).toBeGreaterThanOrEqual(0);
    expect(taking).toBe(estimate + 1);
    expect(decoding).toBeGreaterThan(taking);
    const counts =
      /^taking the subset \d+ \(seed 1\): (\d+) images \(NORMAL (\d+), PNEUMONIA (\d+); train (\d+), val (\d+), test (\d+)\), (\d+) patients, each whole; [\d.]+ kB decoded$/.exec(
        lines[taking],
      );
    expect(counts, lines[taking]).not.toBeNull();
    const [images, normal, pneumonia, , , test, patients] = counts!.slice(1).map(Number);
    expect(images).toBeLessThanOrEqual(28);
    expect(normal + pneumonia).toBe(images);

    // What it trained and tested on, from the card's split manifest: the subset, whole.
    const card = JSON.parse(await readFile(join(out, 'experiment.json'), 'utf8'));
    const split = card.data.split as { train: string[]; val: string[]; test: string[] };
    const used = [...split.train, ...split.val, ...split.test];
    expect(used).toHaveLength(images);
    expect(new Set(used.map(patientId)).size).toBe(patients);
    // Every class kept, in training and in testing.
    for (const cls of ['NORMAL', 'PNEUMONIA']) {
      expect(split.train.some((f) => f.includes(`/${cls}/`))).toBe(true);
      expect(split.test.some((f) => f.includes(`/${cls}/`))).toBe(true);
    }
    // Patients whole: every file of a patient it used is used.
    const usedPatients = new Set(used.map(patientId));
    const ofUsedPatients = written.images.filter((f) => usedPatients.has(patientId(f)));
    expect(ofUsedPatients.sort()).toEqual(used.map((f) => f.replace(/^.*?(?=(train|val|test)\/)/, '')).sort());
    // The official test folder stays the test set, only smaller.
    expect(split.test).toHaveLength(test);
    expect(split.test.every((f) => /(^|\/)test\//.test(f))).toBe(true);
  });

  it('run replays the card on the same subset when given the same --subset, and warns without it', async () => {
    const card = join(root, 'subset', 'experiment.json');
    const same = await runCliCaptured([
      'run',
      card,
      '--data',
      data,
      '--subset',
      String(offered),
      '--out',
      join(root, 'r1'),
    ]);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).not.toMatch(/the split differs from the card's/);
    const whole = await runCliCaptured(['run', card, '--data', data, '--out', join(root, 'r2')]);
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stderr).toMatch(/the split differs from the card's/);
  });

  it('fits without a subset under the default budget, and says so in its one estimate line', async () => {
    const out = join(root, 'fits');
    const { code, stderr } = await runCliCaptured(['compare', '--data', data, ...TRAIN, '--out', out]);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(
      /^60 images at 12×12×3 need 25\.9 kB decoded; memory budget [\d.]+ [kMG]B \(a quarter of this machine's [\d.]+ [MGT]B.*\): fits$/m,
    );
    expect(stderr).not.toMatch(/taking the subset/);
  });

  it('refuses a budget or subset that is not a positive number, naming the flag', async () => {
    for (const [args, message] of [
      [['--memory-budget', '0'], /--memory-budget must be a number strictly between 0 and/],
      [['--memory-budget', 'lots'], /--memory-budget must be a number/],
      [['--subset', '0'], /--subset must be a whole number from 1 to/],
      [['--subset', '2.5'], /--subset must be a whole number/],
    ] as const) {
      const out = join(root, 'refused');
      const { code, stderr } = await runCliCaptured(['compare', '--data', data, ...TRAIN, ...args, '--out', out]);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('documents both flags in compare --help', async () => {
    const { stdout } = await runCliCaptured(['compare', '--help']);
    expect(stdout).toMatch(/--memory-budget … +MB the decoded images may take/);
    expect(stdout).toMatch(/--subset … +N: decode a seeded subset of about N images/);
  });
});
