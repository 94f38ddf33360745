import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/run-cli';
import { writeDataset } from '../helpers/write-dataset';

let root: string;
let data: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xray-cli-classes-'));
  data = join(root, 'three');
  // Three class folders, as Kermany's file names allow (NORMAL / BACTERIA / VIRUS).
  await writeDataset(data, { perClass: 14, size: 20, seed: 5, classNames: ['NORMAL', 'BACTERIA', 'VIRUS'] });
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** The cell under `header` in the first data row of the CLI's table (columns are two or more spaces apart). */
function tableCell(stdout: string, header: string): string {
  const lines = stdout.split('\n');
  const top = lines.findIndex((l) => l.startsWith('Model'));
  const headers = lines[top].split(/\s{2,}/);
  return lines[top + 2].split(/\s{2,}/)[headers.indexOf(header)];
}

describe('xray-lab compare with three classes', () => {
  it('reports the k-class accuracy (trace over n) in the table, results.json and report.md', async () => {
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
      '1',
      '--batch',
      '8',
      '--seed',
      '2',
      '--bootstrap',
      '30',
      '--out',
      out,
    ]);
    expect(code, stderr).toBe(0);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    const record = results.results[0];
    const test = record.test;
    expect(record.classNames).toEqual(['BACTERIA', 'NORMAL', 'VIRUS']);
    expect(test.confusion).toHaveLength(3);
    test.confusion.forEach((row: number[]) => expect(row).toHaveLength(3));
    const n = test.confusion.flat().reduce((a: number, b: number) => a + b, 0);
    const trace = test.confusion.reduce((sum: number, row: number[], i: number) => sum + row[i], 0);
    expect(n).toBe(test.count);
    expect(test.accuracy).toBeCloseTo(trace / n, 12);
    expect(tableCell(stdout, 'Accuracy')).toBe((trace / n).toFixed(3));
    expect(test.ci.accuracy.low).toBeLessThanOrEqual(trace / n);
    expect(test.ci.accuracy.high).toBeGreaterThanOrEqual(trace / n);

    // Balanced accuracy and per-class figures from the same matrix; no positive class was named, so none is shown.
    const recalls = test.confusion.map((row: number[], i: number) => row[i] / row.reduce((a, b) => a + b, 0));
    expect(test.multiClass.balancedAccuracy).toBeCloseTo(recalls.reduce((a: number, b: number) => a + b, 0) / 3, 12);
    expect(test.multiClass.perClass.map((c: { sensitivity: number }) => c.sensitivity)).toEqual(recalls);
    expect(test.multiClass.positiveNamed).toBe(false);
    expect(tableCell(stdout, 'Balanced acc.')).toBe(test.multiClass.balancedAccuracy.toFixed(3));
    expect(tableCell(stdout, 'Sensitivity')).toBe('—');
    expect(results.summary[0].accuracy.mean).toBeCloseTo(trace / n, 12);

    const md = await readFile(join(out, 'report.md'), 'utf8');
    expect(md).toContain('| true \\ predicted | BACTERIA | NORMAL | VIRUS |');
    expect(md).toContain(`(${trace} of ${n} on the diagonal; 95% CI `);
  }, 120_000);

  it('shows the named positive class against the rest beside the k-class accuracy', async () => {
    const out = join(root, 'out-named');
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
      '1',
      '--batch',
      '8',
      '--seed',
      '2',
      '--bootstrap',
      '0',
      '--positive',
      'VIRUS',
      '--out',
      out,
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const { results } = JSON.parse(stdout);
    const test = results[0].test;
    const trace = test.confusion.reduce((sum: number, row: number[], i: number) => sum + row[i], 0);
    expect(results[0].positiveClass).toBe('VIRUS');
    expect(test.multiClass.positiveNamed).toBe(true);
    expect(test.accuracy).toBeCloseTo(trace / test.count, 12);
    expect(test.tp + test.fn).toBe(test.confusion[2].reduce((a: number, b: number) => a + b, 0)); // the VIRUS images
    const md = await readFile(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/VIRUS vs rest at 0\.500: TP \d+, FP \d+, TN \d+, FN \d+/);
  }, 120_000);
});
