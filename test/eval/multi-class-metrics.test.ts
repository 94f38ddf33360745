import { describe, expect, it } from 'vitest';
import { bootstrapConfidence } from '../../src/lab/eval/bootstrap';
import { evaluatePredictions } from '../../src/lab/eval/evaluate';
import { bootstrapMultiClass, multiClassMetrics, oneVsRestAucs } from '../../src/lab/eval/multi-class-metrics';

/*
 * The three-class matrix of a Kermany run split as NORMAL / BACTERIA / VIRUS (rows = truth, columns = prediction):
 *
 *                 NORMAL  BACTERIA  VIRUS   row total
 *   NORMAL          12       0        3       15
 *   BACTERIA         2      12        2       16
 *   VIRUS            5       4        7       16
 *   column total    19      16       12       47
 *
 * accuracy          = trace / n = (12 + 12 + 7) / 47 = 31/47 ≈ 0.660 (not a one-vs-rest accuracy such as 0.809)
 * sensitivity       = diagonal / row:  12/15 = 0.8,  12/16 = 0.75,  7/16 = 0.4375
 * balanced accuracy = (0.8 + 0.75 + 0.4375) / 3 = 0.6625
 * specificity       = (others − others called this) / others, others = 47 − row:
 *                     NORMAL (32 − 7)/32 = 25/32, BACTERIA (31 − 4)/31 = 27/31, VIRUS (31 − 5)/31 = 26/31
 */
const KERMANY_THREE = [
  [12, 0, 3],
  [2, 12, 2],
  [5, 4, 7],
];

/*
 * Six images, three classes, with ties (labels 0 0 1 1 2 2). One-vs-rest AUC counts, for each (image of the class,
 * image of another class) pair, 1 when the class's image scores higher and 1/2 on a tie, over the 2 × 4 = 8 pairs:
 *   class 0: positives 0.6, 0.3 — negatives 0.3 0.1 0.2 0.4 → 0.6 beats 4; 0.3 beats 2, ties 1   → 6.5/8 = 0.8125
 *   class 1: positives 0.5, 0.2 — negatives 0.3 0.3 0.2 0.1 → 0.5 beats 4; 0.2 beats 1, ties 1   → 5.5/8 = 0.6875
 *   class 2: positives 0.6, 0.5 — negatives 0.1 0.4 0.2 0.7 → each beats 3                        → 6/8   = 0.75
 *   macro AUC = (0.8125 + 0.6875 + 0.75) / 3 = 0.75
 * argmax: 0, 2, 1, 2, 2, 2 → confusion [[1,0,1],[0,1,1],[0,0,2]], accuracy 4/6.
 */
const SIX_LABELS = [0, 0, 1, 1, 2, 2];
const SIX_PROBABILITIES = [0.6, 0.3, 0.1, 0.3, 0.3, 0.4, 0.3, 0.5, 0.2, 0.1, 0.2, 0.7, 0.2, 0.2, 0.6, 0.4, 0.1, 0.5];

describe('multiClassMetrics', () => {
  it('gives the k-class accuracy, balanced accuracy and per-class figures of a hand-counted 3×3 matrix', () => {
    const m = multiClassMetrics(KERMANY_THREE);
    expect(m.accuracy).toBeCloseTo(31 / 47, 12);
    expect(m.balancedAccuracy).toBeCloseTo(0.6625, 12);
    expect(m.perClass.map((c) => c.count)).toEqual([15, 16, 16]);
    expect(m.perClass.map((c) => c.predicted)).toEqual([19, 16, 12]);
    expect(m.perClass.map((c) => c.sensitivity)).toEqual([0.8, 0.75, 0.4375]);
    const specificity = m.perClass.map((c) => c.specificity!);
    [25 / 32, 27 / 31, 26 / 31].forEach((s, i) => expect(specificity[i]).toBeCloseTo(s, 12));
    expect(m.macroAuc).toBeNull(); // no probabilities given
  });

  it('gives the one-vs-rest AUCs and their mean, ties counted as halves', () => {
    expect(oneVsRestAucs(SIX_PROBABILITIES, SIX_LABELS, 3)).toEqual([0.8125, 0.6875, 0.75]);
    const scores = { probabilities: SIX_PROBABILITIES, labels: SIX_LABELS };
    const m = multiClassMetrics(
      [
        [1, 0, 1],
        [0, 1, 1],
        [0, 0, 2],
      ],
      scores,
    );
    expect(m.macroAuc).toBeCloseTo(0.75, 12);
    expect(m.perClass.map((c) => c.auc)).toEqual([0.8125, 0.6875, 0.75]);
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
  });

  it('leaves a class without test images out of the means instead of counting it as 0', () => {
    const m = multiClassMetrics([
      [3, 1, 0],
      [0, 0, 0],
      [1, 0, 5],
    ]);
    expect(m.perClass[1].sensitivity).toBeNull();
    expect(m.balancedAccuracy).toBeCloseTo((3 / 4 + 5 / 6) / 2, 12);
    expect(m.perClass[1].specificity).toBeCloseTo(9 / 10, 12); // one of the 10 others was called class 1
  });

  it('refuses a matrix that is not square and probabilities that do not fit', () => {
    expect(() =>
      multiClassMetrics([
        [1, 2],
        [3, 4, 5],
      ]),
    ).toThrow(/square/);
    expect(() => oneVsRestAucs([0.5, 0.5], [0], 3)).toThrow(/1 × 3 probabilities, got 2/);
    expect(() => oneVsRestAucs([0.2, 0.3, 0.5], [3], 3)).toThrow(/label 3 of image 0/);
  });
});

describe('evaluatePredictions with more than two classes', () => {
  const scored = {
    probabilities: Float32Array.from(SIX_PROBABILITIES),
    labels: SIX_LABELS,
    losses: SIX_LABELS.map(() => 1),
    classNames: ['BACTERIA', 'NORMAL', 'VIRUS'],
  };

  it('reports the argmax accuracy and macro AUC beside the positive class against the rest', () => {
    const e = evaluatePredictions(scored, { positiveClass: 1, positiveNamed: false });
    expect(e.confusion).toEqual([
      [1, 0, 1],
      [0, 1, 1],
      [0, 0, 2],
    ]);
    expect(e.multiClass!.accuracy).toBeCloseTo(4 / 6, 6);
    expect(e.multiClass!.macroAuc).toBeCloseTo(0.75, 6);
    expect(e.multiClass!.positiveNamed).toBe(false);
    // The positive-vs-rest figures differ: NORMAL against the rest at 0.5 calls one image NORMAL, rightly: 5/6.
    expect(e.binary.accuracy).toBeCloseTo(5 / 6, 12);
    expect(e.auc).toBeCloseTo(0.6875, 6);
  });

  it('bootstraps the k-class accuracy and macro AUC, seeded, around the point figures', () => {
    const e = evaluatePredictions(scored, { positiveClass: 1, bootstrap: { iterations: 200, seed: 5 } });
    const again = evaluatePredictions(scored, { positiveClass: 1, bootstrap: { iterations: 200, seed: 5 } });
    expect(e.ci).toEqual(again.ci);
    expect(e.ci!.accuracy.low).toBeLessThanOrEqual(4 / 6);
    expect(e.ci!.accuracy.high).toBeGreaterThanOrEqual(4 / 6);
    expect(e.ci!.auc!.low).toBeLessThanOrEqual(0.75);
    expect(e.ci!.auc!.high).toBeGreaterThanOrEqual(0.75);
    // With two images per class many resamples lack a class; those are left out of the AUC interval and counted.
    expect(e.ci!.aucSkipped).toBeGreaterThan(0);
    expect(e.ci!.aucSkipped).toBeLessThan(200);
  });

  it('keeps two-class evaluations as they were, without multi-class figures', () => {
    const labels = [0, 0, 1, 1, 1];
    const positive = [0.2, 0.6, 0.7, 0.4, 0.9];
    const probabilities = Float32Array.from(positive.flatMap((p) => [1 - p, p]));
    const scored = { probabilities, labels, losses: labels.map(() => 0), classNames: ['NORMAL', 'PNEUMONIA'] };
    const e = evaluatePredictions(scored, { positiveClass: 1, bootstrap: { iterations: 100, seed: 3 } });
    expect(e.multiClass).toBeNull();
    expect(e.binary.accuracy).toBeCloseTo(3 / 5, 12);
    expect(e.ci).toEqual(bootstrapConfidence(labels, Float32Array.from(positive), { iterations: 100, seed: 3 }));
  });
});

describe('bootstrapMultiClass', () => {
  it('gives a zero-width interval when every resample scores alike (a perfect classifier)', () => {
    const labels = [0, 1, 2, 0, 1, 2, 0, 1, 2];
    const probabilities = labels.flatMap((l) => [0, 1, 2].map((c) => (c === l ? 0.8 : 0.1)));
    const ci = bootstrapMultiClass(probabilities, labels, 3, { iterations: 50, seed: 1 });
    expect(ci.accuracy).toEqual({ low: 1, high: 1 });
    expect(ci.auc).toEqual({ low: 1, high: 1 });
  });

  it('refuses bad options and an empty set', () => {
    expect(() => bootstrapMultiClass([], [], 3, { seed: 1 })).toThrow(/empty/);
    expect(() => bootstrapMultiClass([0.2, 0.3, 0.5], [2], 3, { seed: 1, iterations: 0 })).toThrow(/iterations/);
  });
});
