import { describe, expect, it } from 'vitest';
import {
  adjustPosteriors,
  effectiveTrainingPriors,
  estimatePriors,
  priorShiftThreshold,
} from '../../src/lab/shift/prior-shift';
import { accuracyAt, gaussianScores, posteriors } from './synthetic-scores';

describe('estimatePriors (EM of Saerens et al. 2002)', () => {
  for (const truth of [0.1, 0.38, 0.5, 0.8, 0.95]) {
    it(`recovers a positive prevalence of ${truth} from posteriors calibrated for 0.5`, () => {
      const { x } = gaussianScores(20000, truth, 11);
      const estimate = estimatePriors(posteriors(x, 0.5), 2, [0.5, 0.5]);
      expect(estimate.converged).toBe(true);
      expect(estimate.priors[0] + estimate.priors[1]).toBeCloseTo(1, 12);
      expect(Math.abs(estimate.priors[1] - truth)).toBeLessThan(0.015);
    });
  }

  it('recovers the prevalence from posteriors trained at another prior (0.74, the Kermany training mix)', () => {
    const { x } = gaussianScores(20000, 0.38, 12);
    const estimate = estimatePriors(posteriors(x, 0.74), 2, [0.26, 0.74]);
    expect(Math.abs(estimate.priors[1] - 0.38)).toBeLessThan(0.015);
  });

  it('leaves the priors where they are when the set has the training mix', () => {
    const { x } = gaussianScores(20000, 0.5, 13);
    const estimate = estimatePriors(posteriors(x, 0.5), 2, [0.5, 0.5]);
    expect(Math.abs(estimate.priors[1] - 0.5)).toBeLessThan(0.015);
  });

  it('works for three classes', () => {
    // Three well-separated classes with one-hot-ish posteriors: the estimate is the class mix itself.
    const rows: number[] = [];
    const mix = [0.6, 0.3, 0.1];
    mix.forEach((share, c) => {
      for (let i = 0; i < share * 1000; i++) rows.push(...[0, 1, 2].map((k) => (k === c ? 0.98 : 0.01)));
    });
    const estimate = estimatePriors(rows, 3, [1 / 3, 1 / 3, 1 / 3]);
    estimate.priors.forEach((p, c) => expect(Math.abs(p - mix[c])).toBeLessThan(0.01));
  });

  it('reports non-convergence instead of looping', () => {
    const { x } = gaussianScores(2000, 0.9, 14);
    const estimate = estimatePriors(posteriors(x, 0.5), 2, [0.5, 0.5], { maxIterations: 2 });
    expect(estimate.converged).toBe(false);
    expect(estimate.iterations).toBe(2);
  });

  it('rejects bad input with a message naming it', () => {
    expect(() => estimatePriors([], 2, [0.5, 0.5])).toThrow(/at least one row/);
    expect(() => estimatePriors([0.5, 0.5], 2, [0.7, 0.7])).toThrow(/trainingPriors must be probabilities/);
    expect(() => estimatePriors([0.5, 0.5], 2, [1])).toThrow(/trainingPriors has 1 entries for 2 classes/);
  });
});

describe('adjustPosteriors', () => {
  it('turns the calibrated posterior for one prior into the exact posterior for another (Bayes)', () => {
    const { x } = gaussianScores(500, 0.3, 21);
    const adjusted = adjustPosteriors(posteriors(x, 0.5), 2, [0.5, 0.5], [0.7, 0.3]);
    const exact = posteriors(x, 0.3);
    for (let i = 0; i < exact.length; i++) expect(adjusted[i]).toBeCloseTo(exact[i], 10);
  });

  it('raises accuracy under prior shift once the prior is estimated, and changes nothing without shift', () => {
    const shifted = gaussianScores(20000, 0.1, 22);
    const p = posteriors(shifted.x, 0.5);
    const estimate = estimatePriors(p, 2, [0.5, 0.5]);
    const corrected = adjustPosteriors(p, 2, [0.5, 0.5], estimate.priors);
    // The Bayes-optimal accuracy at prior 0.1 is ≈ 0.93 here; the uncorrected posterior's is ≈ 0.84.
    expect(accuracyAt(corrected, shifted.labels)).toBeGreaterThan(accuracyAt(p, shifted.labels) + 0.05);

    const same = gaussianScores(20000, 0.5, 23);
    const q = posteriors(same.x, 0.5);
    const q2 = adjustPosteriors(q, 2, [0.5, 0.5], estimatePriors(q, 2, [0.5, 0.5]).priors);
    expect(Math.abs(accuracyAt(q2, same.labels) - accuracyAt(q, same.labels))).toBeLessThan(0.005);
  });
});

describe('priorShiftThreshold', () => {
  it('gives the same decisions on the raw posterior as 0.5 (or another threshold) on the corrected one', () => {
    const { x } = gaussianScores(3000, 0.2, 31);
    const p = posteriors(x, 0.74);
    for (const tau of [0.5, 0.3, 0.8]) {
      const t = priorShiftThreshold(tau, 0.74, 0.2);
      const corrected = adjustPosteriors(p, 2, [0.26, 0.74], [0.8, 0.2]);
      let disagreements = 0;
      for (let i = 0; i < x.length; i++) if (p[2 * i + 1] >= t !== corrected[2 * i + 1] >= tau) disagreements++;
      expect(disagreements).toBe(0);
    }
    expect(priorShiftThreshold(0.5, 0.3, 0.3)).toBeCloseTo(0.5, 12);
    expect(priorShiftThreshold(0.5, 0.74, 0.38)).toBeGreaterThan(0.5); // fewer positives now: a stricter cut
    expect(() => priorShiftThreshold(0.5, 0, 0.3)).toThrow(/trainingPrevalence/);
  });
});

describe('effectiveTrainingPriors', () => {
  it('is the class mix, or equal priors under balanced class weights', () => {
    expect(effectiveTrainingPriors([1341, 3875])[1]).toBeCloseTo(3875 / 5216, 12);
    const balanced = effectiveTrainingPriors([1341, 3875], [5216 / (2 * 1341), 5216 / (2 * 3875)]);
    expect(balanced[0]).toBeCloseTo(0.5, 12);
    expect(() => effectiveTrainingPriors([0, 0])).toThrow(/at least one training image/);
  });
});
