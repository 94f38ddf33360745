import { describe, expect, it } from 'vitest';
import { calibrationOfProbabilities } from '../../src/lab/eval/calibration';
import { applyTemperature, fitTemperature, meanNll, TEMPERATURE_RANGE } from '../../src/lab/eval/temperature';
import { gaussianScores, twoClassLogits } from '../shift/synthetic-scores';

describe('fitTemperature', () => {
  it('finds T ≈ 3 for logits three times too large, and T ≈ 1 for calibrated ones', () => {
    const { x, labels } = gaussianScores(20000, 0.5, 41);
    const sharp = fitTemperature(twoClassLogits(x, 0.5, 3), labels, 2);
    expect(Math.abs(sharp.temperature - 3)).toBeLessThan(0.15);
    expect(sharp.nllAfter).toBeLessThan(sharp.nllBefore - 0.1);
    expect(sharp.atBound).toBe(false);
    const fair = fitTemperature(twoClassLogits(x, 0.5, 1), labels, 2);
    expect(Math.abs(fair.temperature - 1)).toBeLessThan(0.05);
    // An under-confident model gets T < 1.
    expect(fitTemperature(twoClassLogits(x, 0.5, 0.5), labels, 2).temperature).toBeLessThan(0.6);
  });

  it('is deterministic and its effect shows in the calibration error', () => {
    const { x, labels } = gaussianScores(5000, 0.5, 42);
    const logits = twoClassLogits(x, 0.5, 4);
    const a = fitTemperature(logits, labels, 2);
    expect(fitTemperature(logits, labels, 2)).toEqual(a);
    const before = calibrationOfProbabilities(applyTemperature(logits, 2, 1), labels, 2, 1).ece;
    const after = calibrationOfProbabilities(applyTemperature(logits, 2, a.temperature), labels, 2, 1).ece;
    expect(after).toBeLessThan(before / 3);
  });

  it('flags a perfectly separated validation set as a fit at the bound', () => {
    const fit = fitTemperature([0, 5, 0, -5], [1, 0], 2);
    expect(fit.atBound).toBe(true);
    expect(fit.temperature).toBeCloseTo(TEMPERATURE_RANGE.min, 3);
    // Logits that say nothing: no temperature helps, so T stays 1.
    expect(fitTemperature([0, 0, 0, 0], [0, 1], 2).temperature).toBe(1);
  });

  it('rejects bad input by name', () => {
    expect(() => fitTemperature([], [], 2)).toThrow(/at least one validation image/);
    expect(() => fitTemperature([0, 1], [2], 2)).toThrow(/label 2 of image 0/);
    expect(() => fitTemperature([0, NaN], [1], 2)).toThrow(/logit 1 is NaN/);
  });
});

describe('applyTemperature', () => {
  it('is the softmax of logits / T and keeps the ranking', () => {
    const p = applyTemperature([1, 3, 2, 0], 2, 2);
    expect(p[1]).toBeCloseTo(1 / (1 + Math.exp(-1)), 6);
    expect(p[2]).toBeCloseTo(1 / (1 + Math.exp(-1)), 6);
    expect(meanNll([0, 2], [1], 2, 0.5)).toBeCloseTo(-Math.log(1 / (1 + Math.exp(-1))), 12);
    expect(() => applyTemperature([0, 1], 2, 0)).toThrow(/temperature must be/);
  });
});
