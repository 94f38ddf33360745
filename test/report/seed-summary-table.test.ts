import { describe, expect, it } from 'vitest';
import { renderMarkdownReport } from '../../src/lab/report/render-markdown';
import { makeResultRecord } from '../../src/lab/report/result-record';
import { degenerateWarnings, renderSeedSummaryTable } from '../../src/lab/report/seed-summary-table';
import { CLASS_NAMES, evaluationFrom, summary } from './fixtures';

/** A finished run of `modelId` with `seed` scoring the confusion [[tn, fp], [fn, tp]] (PNEUMONIA positive). */
function run(modelId: string, label: string, seed: number, confusion: number[][]) {
  return makeResultRecord(
    summary({ modelId, label, seed, classNames: CLASS_NAMES, positiveClass: 1 }),
    evaluationFrom(confusion, 0.9, 0.3),
  );
}

describe('renderSeedSummaryTable', () => {
  it('prints mean ± sd per model and names the degenerate seed', () => {
    const records = [
      run('cnn', 'Conv2D CNN', 1, [
        [40, 10],
        [5, 45],
      ]), // accuracy 0.85
      run('light-k2', 'LightLayers k=2', 1, [
        [45, 5],
        [10, 40],
      ]), // accuracy 0.85
      run('cnn', 'Conv2D CNN', 2, [
        [45, 5],
        [0, 50],
      ]), // accuracy 0.95
      run('light-k2', 'LightLayers k=2', 2, [
        [50, 0],
        [50, 0],
      ]), // every image NORMAL: accuracy 0.5, sensitivity 0
    ];
    const lines = renderSeedSummaryTable(records).trimEnd().split('\n');
    const cnn = lines.find((l) => l.startsWith('Conv2D CNN'))!;
    const light = lines.find((l) => l.startsWith('LightLayers k=2'))!;
    // Accuracy 0.85 and 0.95: mean 0.900, sample sd sqrt(2 · 0.05² / 1) = 0.0707.
    expect(cnn).toContain('0.900 ± 0.071');
    expect(cnn).toMatch(/none$/);
    expect(cnn).toContain('2/2');
    // Accuracy 0.85 and 0.50: mean 0.675, sd 0.247; sensitivity 0.8 and 0: mean 0.400, sd 0.566.
    expect(light).toContain('0.675 ± 0.247');
    expect(light).toContain('0.400 ± 0.566');
    expect(light).toMatch(/seed 2$/);
    expect(lines.at(-1)).toBe(
      'WARNING: LightLayers k=2 seed 2 is degenerate: it called every test image NORMAL (accuracy 0.500, sensitivity 0.000, specificity 1.000)',
    );
    // The accuracy column lines up: numbers are right-aligned under their header.
    const header = lines.find((l) => l.startsWith('Model'))!;
    const end = (line: string, text: string) => line.indexOf(text) + text.length;
    expect(end(cnn, '0.900 ± 0.071')).toBe(end(header, 'Accuracy'));
  });

  it('says nothing when every model ran with one seed', () => {
    expect(
      renderSeedSummaryTable([
        run('cnn', 'CNN', 1, [
          [40, 10],
          [5, 45],
        ]),
        run('light-k1', 'k1', 1, [
          [50, 0],
          [50, 0],
        ]),
      ]),
    ).toBe('');
  });

  it('names the positive class when a run called everything positive', () => {
    expect(
      degenerateWarnings([
        run('cnn', 'CNN', 3, [
          [0, 50],
          [0, 50],
        ]),
      ])[0],
    ).toContain('CNN seed 3 is degenerate: it called every test image PNEUMONIA');
  });
});

describe("report.md's summary over seeds", () => {
  it('names degenerate runs by seed, not as a bare number that reads as a count', () => {
    const records = [
      run('light-k2', 'LightLayers k=2', 1, [
        [45, 5],
        [10, 40],
      ]),
      run('light-k2', 'LightLayers k=2', 2, [
        [50, 0],
        [50, 0],
      ]),
    ];
    const row = renderMarkdownReport(records, {}, { references: false })
      .split('\n')
      .find((l) => l.startsWith('| LightLayers k=2 | 1, 2 |'))!;
    expect(row.endsWith('| seed 2 |')).toBe(true);
  });
});
