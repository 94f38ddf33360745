/**
 * `compare` with several models and seeds carries the paired tests everywhere it writes: stdout's JSON, results.json,
 * experiment.json (derived again from its probabilities when read back) and report.md, and prints them in words.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExperimentCard } from '../../src/lab/experiment/card';
import { parseResultsJson } from '../../src/lab/report/render-json';
import { runCliCaptured } from '../helpers/run-cli';
import { writeDataset } from '../helpers/write-dataset';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xray-comparisons-'));
  await writeDataset(join(root, 'data'), { perClass: 30, size: 20, seed: 5 });
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('compare --models light-k2,light-k4,cnn --seeds 1,2', () => {
  it('prints and writes a paired comparison for each of the 6 (seed, pair) entries', async () => {
    const out = join(root, 'out');
    const { code, stdout, stderr } = await runCliCaptured([
      'compare',
      '--recipe',
      'study',
      '--data',
      join(root, 'data'),
      '--models',
      'light-k2,light-k4,cnn',
      '--seeds',
      '1,2',
      '--size',
      '50',
      '--channels',
      '1',
      '--epochs',
      '1',
      '--batch',
      '16',
      '--bootstrap',
      '0',
      '--out',
      out,
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const printed = JSON.parse(stdout);
    const pairs = printed.comparisons.map((c: { seed: number; a: string; b: string }) => `${c.seed}:${c.a}-${c.b}`);
    expect(pairs).toEqual([
      '1:light-k2-light-k4',
      '1:light-k2-cnn',
      '1:light-k4-cnn',
      '2:light-k2-light-k4',
      '2:light-k2-cnn',
      '2:light-k4-cnn',
    ]);
    const testCount = printed.results[0].test.count;
    for (const c of printed.comparisons) {
      // The shape the issue fixes, numbers checked against the records they compare.
      expect(Object.keys(c.auc)).toEqual(expect.arrayContaining(['a', 'b', 'difference', 'ci95', 'z', 'p']));
      expect(Object.keys(c.accuracy)).toEqual(expect.arrayContaining(['a', 'b', 'onlyA', 'onlyB', 'p']));
      const ra = printed.results.find((r: { modelId: string; seed: number }) => r.modelId === c.a && r.seed === c.seed);
      const rb = printed.results.find((r: { modelId: string; seed: number }) => r.modelId === c.b && r.seed === c.seed);
      expect(c.auc.a).toBeCloseTo(ra.test.auc, 9);
      expect(c.auc.b).toBeCloseTo(rb.test.auc, 9);
      expect(c.accuracy.a).toBeCloseTo(ra.test.accuracy, 12);
      expect(c.images).toBe(testCount);
      expect(c.accuracy.onlyA + c.accuracy.onlyB).toBeLessThanOrEqual(testCount);
      expect(c.pHolm).toBeGreaterThanOrEqual(c.auc.p);
    }
    expect(
      printed.comparisonsOverSeeds.map(
        (p: { a: string; b: string; seeds: number[] }) => `${p.a}-${p.b}:${p.seeds.join('')}`,
      ),
    ).toEqual(['light-k2-light-k4:12', 'light-k2-cnn:12', 'light-k4-cnn:12']);

    const results = parseResultsJson(await readFile(join(out, 'results.json'), 'utf8'));
    expect(results.comparisons).toEqual(printed.comparisons);
    const card = parseExperimentCard(await readFile(join(out, 'experiment.json'), 'utf8'));
    expect(card.comparisons).toHaveLength(6);
    // Read back from the card's rounded probabilities, the tests agree with the written ones.
    card.comparisons.forEach((c, i) => {
      expect(c.auc!.z!).toBeCloseTo(printed.comparisons[i].auc.z, 3);
      expect(c.accuracy.onlyA).toBe(printed.comparisons[i].accuracy.onlyA);
    });
    const report = await readFile(join(out, 'report.md'), 'utf8');
    expect(report).toContain('## Differences between models');
    expect(report).toMatch(/### Seed 2/);
    expect(report).toMatch(/LightLayers k=2 vs Conv2D CNN: (cannot be told apart|.* ranks these) /);
    expect(report).toContain('not of the data');
  }, 300_000);

  it('prints the verdicts in words after the table', async () => {
    const { code, stdout } = await runCliCaptured([
      'compare',
      '--data',
      join(root, 'data'),
      '--models',
      'light-k1,cnn',
      '--size',
      '50',
      '--channels',
      '1',
      '--epochs',
      '1',
      '--batch',
      '16',
      '--bootstrap',
      '0',
      '--out',
      join(root, 'out-text'),
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Differences \(paired tests on the same \d+ test images/);
    expect(stdout).toMatch(/LightLayers k=1 vs Conv2D CNN: .*ΔAUC .*McNemar p/);
  }, 300_000);
});
