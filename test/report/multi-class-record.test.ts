import { describe, expect, it } from 'vitest';
import { evaluatePredictions } from '../../src/lab/eval/evaluate';
import { renderComparisonTable } from '../../src/lab/report/comparison-table';
import { positiveApplies, withPositiveNamed } from '../../src/lab/report/multi-class-record';
import { renderMarkdownReport } from '../../src/lab/report/render-markdown';
import { makeResultRecord } from '../../src/lab/report/result-record';
import { isDegenerate, summariseRecords } from '../../src/lab/report/summary';
import { summary } from './fixtures';

const CLASSES = ['NORMAL', 'BACTERIA', 'VIRUS'];

/**
 * Test images laid out as the 3×3 matrix `confusion` (rows = truth): each image gives 0.6 to the class it is
 * predicted as and 0.2 to the other two, so the argmax matrix is `confusion` itself.
 */
function scoredFrom(confusion: number[][]) {
  const labels: number[] = [];
  const probabilities: number[] = [];
  confusion.forEach((row, t) =>
    row.forEach((count, p) => {
      for (let i = 0; i < count; i++) {
        labels.push(t);
        probabilities.push(...CLASSES.map((_, c) => (c === p ? 0.6 : 0.2)));
      }
    }),
  );
  const losses = labels.map(() => 0.5);
  return { labels, probabilities: Float32Array.from(probabilities), losses, classNames: CLASSES };
}

// The matrix of the three-folder Kermany run: accuracy 31/47 ≈ 0.660, balanced accuracy (12/15 + 12/16 + 7/16) / 3.
const KERMANY_THREE = [
  [12, 0, 3],
  [2, 12, 2],
  [5, 4, 7],
];

describe('records with more than two classes', () => {
  // positiveClass 0 is what "the second class when there is no PNEUMONIA" gives for BACTERIA/NORMAL/VIRUS; here
  // NORMAL is first, and its one-vs-rest accuracy, (47 − 7 − 3) / 47 = 37/47, must not be reported as the accuracy.
  const bootstrap = { iterations: 200, seed: 1 };
  const evaluation = evaluatePredictions(scoredFrom(KERMANY_THREE), { positiveClass: 0, bootstrap });
  const record = makeResultRecord(summary({ modelId: 'cnn', label: 'Conv2D CNN' }), evaluation);

  it('keep the k-class accuracy, balanced accuracy, macro AUC and per-class figures', () => {
    const test = record.test!;
    expect(test.accuracy).toBeCloseTo(31 / 47, 6);
    expect(evaluation.binary.accuracy).toBeCloseTo(37 / 47, 6);
    expect(test.confusion).toEqual(KERMANY_THREE);
    expect(test.multiClass!.balancedAccuracy).toBeCloseTo((0.8 + 0.75 + 0.4375) / 3, 6);
    expect(test.multiClass!.perClass.map((c) => c.className)).toEqual(CLASSES);
    expect(test.multiClass!.perClass.map((c) => c.sensitivity)).toEqual([0.8, 0.75, 0.4375]);
    expect(test.auc).toBe(test.multiClass!.macroAuc);
    expect(test.ci!.accuracy.low).toBeLessThan(31 / 47);
    expect(test.ci!.accuracy.high).toBeGreaterThan(31 / 47);
    expect(positiveApplies(test)).toBe(false);
    const written = JSON.parse(JSON.stringify(record));
    expect(written.test.multiClass.perClass[2]).toMatchObject({ className: 'VIRUS', count: 16, predicted: 12 });
  });

  it('print accuracy and balanced accuracy, and no positive-class figures unless a class was named', () => {
    const table = renderComparisonTable([record]).split('\n');
    const header = table[0].split(/\s{2,}/);
    const row = table[2].split(/\s{2,}/);
    const cell = (name: string) => row[header.indexOf(name)];
    expect(cell('Accuracy')).toBe('0.660');
    expect(cell('Balanced acc.')).toBe(((0.8 + 0.75 + 0.4375) / 3).toFixed(3)); // 0.6625, stored a hair under
    expect(cell('Sensitivity')).toBe('—');
    expect(cell('Specificity')).toBe('—');

    const named = withPositiveNamed(record, true);
    expect(positiveApplies(named.test)).toBe(true);
    const namedRow = renderComparisonTable([named])
      .split('\n')[2]
      .split(/\s{2,}/);
    expect(namedRow[header.indexOf('Sensitivity')]).toBe((12 / 15).toFixed(3)); // NORMAL vs rest at 0.5
    expect(namedRow[header.indexOf('Accuracy')]).toBe('0.660');
  });

  it('render the 3×3 matrix and each class against the rest in report.md', () => {
    const md = renderMarkdownReport([record], { title: 't' }, { generatedAt: new Date(0), references: false });
    expect(md).toContain('| true \\ predicted | NORMAL | BACTERIA | VIRUS |');
    expect(md).toContain('| **NORMAL** | 12 | 0 | 3 |');
    expect(md).toContain('| **VIRUS** | 5 | 4 | 7 |');
    expect(md).toMatch(/Accuracy 0\.660 \(31 of 47 on the diagonal; 95% CI 0\.\d{3}–0\.\d{3}\)/);
    expect(md).toMatch(/\| VIRUS \| 16 \| 12 \| 0\.438 \| 0\.839 \| [01]\.\d{3} \|/); // 7/16; (31 − 5)/31
    expect(md).toContain('With 3 classes, accuracy is the share of test images whose most probable class is their own');
    expect(md).not.toMatch(/NORMAL vs rest/);
  });

  it('summarise over seeds without positive-class figures, and find a run that called every image one class', () => {
    const [s] = summariseRecords([record]);
    expect(s.accuracy!.mean).toBeCloseTo(31 / 47, 6);
    expect(s.balancedAccuracy!.mean).toBeCloseTo(0.6625, 6);
    expect(s.sensitivity).toBeNull();
    expect(isDegenerate(record.test!)).toBe(false);
    const collapsed = evaluatePredictions(
      scoredFrom([
        [0, 5, 0],
        [0, 4, 0],
        [0, 3, 0],
      ]),
      { positiveClass: 0 },
    );
    expect(isDegenerate(makeResultRecord(summary({}), collapsed).test!)).toBe(true);
  });
});
