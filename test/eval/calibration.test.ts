import { describe, expect, it } from 'vitest';
import { calibrationOfProbabilities, calibrationSummary } from '../../src/lab/eval/calibration';
import { gaussianScores, posteriors } from '../shift/synthetic-scores';

describe('calibrationSummary', () => {
  it('bins P(positive) into equal-width bins and computes ECE and Brier by hand', () => {
    // Bin [0.1, 0.2): scores 0.1, 0.15 (one positive) → mean 0.125, rate 0.5, gap 0.375.
    // Bin [0.9, 1.0]: scores 0.9, 1.0 (both positive) → mean 0.95, rate 1, gap 0.05.
    const scores = [0.1, 0.15, 0.9, 1.0];
    const truth = [0, 1, 1, 1];
    const c = calibrationSummary(truth, scores);
    expect(c.bins).toHaveLength(10);
    expect(c.bins[1]).toEqual({ lower: 0.1, upper: 0.2, count: 2, meanPredicted: 0.125, observedRate: 0.5 });
    expect(c.bins[9].count).toBe(2); // 1.0 falls in the last bin
    expect(c.bins[5]).toEqual({ lower: 0.5, upper: 0.6, count: 0, meanPredicted: null, observedRate: null });
    expect(c.ece).toBeCloseTo(0.5 * 0.375 + 0.5 * 0.05, 12);
    expect(c.brier).toBeCloseTo((0.01 + 0.85 ** 2 + 0.01 + 0) / 4, 12);
  });

  it('is near 0 for a calibrated model and grows when the same model is made over-confident', () => {
    const { x, labels } = gaussianScores(20000, 0.5, 5);
    const calibrated = calibrationOfProbabilities(posteriors(x, 0.5), labels, 2, 1);
    expect(calibrated.ece).toBeLessThan(0.015);
    const sharp = Float64Array.from(x, (v) => 1 / (1 + Math.exp(-6 * v)));
    const overConfident = calibrationSummary(labels, sharp);
    expect(overConfident.ece).toBeGreaterThan(0.08);
    expect(overConfident.brier).toBeGreaterThan(calibrated.brier);
  });

  it('uses the requested number of bins and rejects bad input by name', () => {
    expect(calibrationSummary([1, 0], [0.7, 0.2], 4).bins.map((b) => b.count)).toEqual([1, 0, 1, 0]);
    expect(() => calibrationSummary([], [])).toThrow(/at least one image/);
    expect(() => calibrationSummary([1], [1.2])).toThrow(/scores\[0\] is 1.2/);
    expect(() => calibrationSummary([2], [0.5])).toThrow(/isPositive\[0\] is 2/);
    expect(() => calibrationSummary([1], [0.5], 0)).toThrow(/bins must be/);
  });
});
