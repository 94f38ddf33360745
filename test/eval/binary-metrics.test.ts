import { describe, expect, it } from 'vitest';
import { binaryMetrics } from '../../src/lab/eval/binary-metrics';

// Worked by hand: positives at 0, 1, 2, 7; negatives at 3, 4, 5, 6.
const truth = [1, 1, 1, 0, 0, 0, 0, 1];
const scores = [0.9, 0.6, 0.4, 0.7, 0.2, 0.1, 0.5, 0.5];

describe('binaryMetrics', () => {
  it('counts a score equal to the threshold as positive', () => {
    // >= 0.5: 0 (tp), 1 (tp), 3 (fp), 6 (fp, score exactly 0.5), 7 (tp, exactly 0.5). 2 is fn; 4, 5 are tn.
    const m = binaryMetrics(truth, scores, 0.5);
    expect([m.tp, m.fp, m.tn, m.fn]).toEqual([3, 2, 2, 1]);
    expect(m.threshold).toBe(0.5);
    expect(m.accuracy).toBeCloseTo(5 / 8, 12);
    expect(m.sensitivity).toBeCloseTo(3 / 4, 12);
    expect(m.specificity).toBeCloseTo(2 / 4, 12);
    expect(m.precision).toBeCloseTo(3 / 5, 12);
    expect(m.npv).toBeCloseTo(2 / 3, 12);
    expect(m.f1).toBeCloseTo(6 / 9, 12); // 2·3 / (2·3 + 2 + 1)
  });

  it('moves images across the threshold', () => {
    // At 0.55 the two 0.5 scores turn negative: tp 0, 1; fp 3; fn 2, 7; tn 4, 5, 6.
    const m = binaryMetrics(truth, scores, 0.55);
    expect([m.tp, m.fp, m.tn, m.fn]).toEqual([2, 1, 3, 2]);
    expect(m.sensitivity).toBeCloseTo(0.5, 12);
    expect(m.specificity).toBeCloseTo(0.75, 12);
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.npv).toBeCloseTo(3 / 5, 12);
    expect(m.f1).toBeCloseTo(4 / 7, 12);
  });

  it('defaults the threshold to 0.5 and accepts booleans', () => {
    const m = binaryMetrics(
      truth.map((t) => t === 1),
      scores,
    );
    expect(m.threshold).toBe(0.5);
    expect([m.tp, m.fp, m.tn, m.fn]).toEqual([3, 2, 2, 1]);
  });

  it('scores a perfect classifier 1 everywhere', () => {
    const m = binaryMetrics([1, 0, 1, 0], [0.8, 0.3, 0.6, 0.1]);
    expect([m.accuracy, m.sensitivity, m.specificity, m.precision, m.f1, m.npv]).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('scores an inverted classifier 0 everywhere', () => {
    const m = binaryMetrics([1, 0, 1, 0], [0.2, 0.7, 0.4, 0.9]);
    expect([m.tp, m.fp, m.tn, m.fn]).toEqual([0, 2, 0, 2]);
    expect([m.accuracy, m.sensitivity, m.specificity, m.precision, m.f1, m.npv]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('returns null for 0/0 ratios', () => {
    // Only negatives, all predicted negative: recall, precision and F1 have nothing to count.
    const negatives = binaryMetrics([0, 0, 0], [0.1, 0.2, 0.3]);
    expect(negatives.sensitivity).toBeNull();
    expect(negatives.precision).toBeNull();
    expect(negatives.f1).toBeNull();
    expect(negatives.specificity).toBe(1);
    expect(negatives.npv).toBe(1);
    expect(negatives.accuracy).toBe(1);

    // Always-positive on a mixed set (the study's degenerate models): no negative predictions, so npv is null.
    const always = binaryMetrics([1, 1, 0], [0.9, 0.9, 0.9]);
    expect(always.npv).toBeNull();
    expect(always.specificity).toBe(0);
    expect(always.sensitivity).toBe(1);

    // Positives exist but none is found and none is claimed: precision undefined, F1 = 0 / 2 = 0.
    const missed = binaryMetrics([1, 1, 0], [0.1, 0.2, 0.3]);
    expect(missed.precision).toBeNull();
    expect(missed.f1).toBe(0);

    const empty = binaryMetrics([], []);
    expect([empty.accuracy, empty.sensitivity, empty.specificity, empty.precision, empty.f1, empty.npv]).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('rejects non-binary flags, NaN scores and length mismatches', () => {
    expect(() => binaryMetrics([0, 2], [0.1, 0.2])).toThrow(/isPositive\[1\] is 2/);
    expect(() => binaryMetrics([0, 1], [0.1, Number.NaN])).toThrow(/NaN/);
    expect(() => binaryMetrics([0, 1], [0.1])).toThrow(/2 entries/);
  });
});
