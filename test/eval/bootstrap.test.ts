import { describe, expect, it } from 'vitest';
import { binaryMetrics } from '../../src/lab/eval/binary-metrics';
import { bootstrapConfidence, percentile } from '../../src/lab/eval/bootstrap';
import { rocAuc } from '../../src/lab/eval/roc';
import { createRng } from '../../src/lab/util/rng';

// A noisy 300-image test set: positives score higher on average.
const rng = createRng(11);
const truth = Array.from({ length: 300 }, (_, i) => (i % 5 < 3 ? 1 : 0));
const scores = truth.map((t) => Math.min(1, Math.max(0, rng.next() * 0.7 + 0.25 * t)));

describe('percentile', () => {
  it('interpolates linearly between order statistics', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50], 0.25)).toBe(20);
    expect(percentile([10, 20, 30, 40, 50], 0.1)).toBeCloseTo(14, 12); // h = 0.4 → 10 + 0.4·10
    expect(percentile([3, 7], 0)).toBe(3);
    expect(percentile([3, 7], 1)).toBe(7);
    expect(percentile([5], 0.975)).toBe(5);
  });
});

describe('bootstrapConfidence', () => {
  it('is reproducible with a seed and changes with another', () => {
    const a = bootstrapConfidence(truth, scores, { iterations: 300, seed: 42 });
    const b = bootstrapConfidence(truth, scores, { iterations: 300, seed: 42 });
    const c = bootstrapConfidence(truth, scores, { iterations: 300, seed: 43 });
    expect(a).toEqual(b);
    // Accuracy bounds are multiples of 1/300 and can coincide between seeds; the AUC bounds cannot.
    expect(c).not.toEqual(a);
    expect(c.auc).not.toEqual(a.auc);
  });

  it('brackets the point estimates', () => {
    const ci = bootstrapConfidence(truth, scores, { iterations: 500, seed: 1, threshold: 0.5 });
    const accuracy = binaryMetrics(truth, scores, 0.5).accuracy as number;
    const auc = rocAuc(truth, scores) as number;
    expect(ci.level).toBe(0.95);
    expect(ci.iterations).toBe(500);
    expect(ci.accuracy.low).toBeLessThan(accuracy);
    expect(ci.accuracy.high).toBeGreaterThan(accuracy);
    expect(ci.auc).not.toBeNull();
    expect(ci.auc!.low).toBeLessThan(auc);
    expect(ci.auc!.high).toBeGreaterThan(auc);
    expect(ci.aucSkipped).toBe(0);
    // A ±2 standard-error band for 300 images is about ±0.05; the interval should be of that order.
    expect(ci.accuracy.high - ci.accuracy.low).toBeGreaterThan(0.04);
    expect(ci.accuracy.high - ci.accuracy.low).toBeLessThan(0.2);
  });

  it('narrows when the level drops', () => {
    const wide = bootstrapConfidence(truth, scores, { iterations: 400, seed: 5, level: 0.95 });
    const narrow = bootstrapConfidence(truth, scores, { iterations: 400, seed: 5, level: 0.5 });
    expect(narrow.accuracy.low).toBeGreaterThanOrEqual(wide.accuracy.low);
    expect(narrow.accuracy.high).toBeLessThanOrEqual(wide.accuracy.high);
    expect(narrow.accuracy.high - narrow.accuracy.low).toBeLessThan(wide.accuracy.high - wide.accuracy.low);
  });

  it('collapses to a point for a perfect classifier', () => {
    const ci = bootstrapConfidence([1, 0, 1, 0, 1, 0], [0.9, 0.1, 0.8, 0.2, 0.7, 0.3], { iterations: 200, seed: 3 });
    expect(ci.accuracy).toEqual({ low: 1, high: 1 });
    expect(ci.auc).toEqual({ low: 1, high: 1 });
  });

  it('skips one-class resamples for AUC', () => {
    // One positive in four: a resample misses it with probability (3/4)^4 ≈ 0.32.
    const ci = bootstrapConfidence([1, 0, 0, 0], [0.9, 0.1, 0.2, 0.3], { iterations: 400, seed: 9 });
    expect(ci.aucSkipped).toBeGreaterThan(80);
    expect(ci.aucSkipped).toBeLessThan(180);
    expect(ci.auc).toEqual({ low: 1, high: 1 });
    // No resample can contain a positive here, so there is no AUC interval.
    const single = bootstrapConfidence([0, 0, 0], [0.1, 0.2, 0.3], { iterations: 50, seed: 9 });
    expect(single.auc).toBeNull();
    expect(single.aucSkipped).toBe(50);
    expect(single.accuracy).toEqual({ low: 1, high: 1 });
  });

  it('rejects empty sets and bad options', () => {
    expect(() => bootstrapConfidence([], [], { seed: 1 })).toThrow(/empty/);
    expect(() => bootstrapConfidence([1], [1], { seed: 1, iterations: 0 })).toThrow(/iterations/);
    expect(() => bootstrapConfidence([1], [1], { seed: 1, level: 1 })).toThrow(/level/);
  });
});
