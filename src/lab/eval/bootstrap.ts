/**
 * Bootstrap confidence intervals for test accuracy and AUC. The study reported single numbers on 624 images; an
 * interval shows how much of the gap between two models is just which images happened to be in the test set.
 *
 * Percentile method: resample n images with replacement `iterations` times, recompute the statistic, and take the
 * (1 − level)/2 and (1 + level)/2 quantiles. Seeded, so the same seed gives the same interval.
 */
import { createRng } from '../util/rng';
import { checkScores, toPositiveFlags } from './binary-metrics';
import { aucFromGroups } from './roc';
import { countGroups, sortByScore } from './score-order';

/** Settings of `bootstrapConfidence`. */
export interface BootstrapOptions {
  /** Number of resamples (default 1000). */
  readonly iterations?: number;
  /** Seed of the resampling generator (required: an unseeded interval could not be reproduced). */
  readonly seed: number;
  /** Decision threshold for accuracy: positive when score >= threshold (default 0.5). */
  readonly threshold?: number;
  /** Coverage of the interval, in (0, 1) (default 0.95). */
  readonly level?: number;
}

/** A two-sided interval. */
export interface Interval {
  readonly low: number;
  readonly high: number;
}

/** Bootstrap intervals for accuracy and AUC. */
export interface BootstrapResult {
  readonly level: number;
  readonly iterations: number;
  readonly accuracy: Interval;
  /** Null when no resample contained both classes. */
  readonly auc: Interval | null;
  /** Resamples that held only one class and were left out of the AUC interval. */
  readonly aucSkipped: number;
}

/**
 * Percentile-bootstrap intervals of accuracy (at `threshold`) and ROC AUC.
 * @param isPositive 1/true = positive class
 * @param scores score of the positive class per image
 * @throws on an empty set, bad options, or inputs that `binaryMetrics` would reject
 */
export function bootstrapConfidence(
  isPositive: ArrayLike<number | boolean>,
  scores: ArrayLike<number>,
  options: BootstrapOptions,
): BootstrapResult {
  const { iterations = 1000, seed, threshold = 0.5, level = 0.95 } = options;
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new Error(`iterations must be a positive integer, got ${iterations}`);
  if (!(level > 0 && level < 1)) throw new Error(`level must be in (0, 1), got ${level}`);
  const flags = toPositiveFlags(isPositive);
  checkScores(flags, scores);
  const n = flags.length;
  if (n === 0) throw new Error('cannot bootstrap an empty set');

  const correct = new Uint8Array(n);
  for (let i = 0; i < n; i++) correct[i] = (scores[i] >= threshold ? 1 : 0) === flags[i] ? 1 : 0;
  // Sort once; each resample only changes how many times each image counts.
  const sorted = sortByScore(scores);
  const rng = createRng(seed);
  const weights = new Float64Array(n);
  const accuracies = new Float64Array(iterations);
  const aucs: number[] = [];
  for (let it = 0; it < iterations; it++) {
    weights.fill(0);
    let hits = 0;
    for (let k = 0; k < n; k++) {
      const i = rng.int(n);
      weights[i]++;
      hits += correct[i];
    }
    accuracies[it] = hits / n;
    const auc = aucFromGroups(countGroups(sorted, flags, scores, weights));
    if (auc !== null) aucs.push(auc);
  }
  const tail = (1 - level) / 2;
  const interval = (values: Float64Array): Interval => {
    values.sort();
    return { low: percentile(values, tail), high: percentile(values, 1 - tail) };
  };
  return {
    level,
    iterations,
    accuracy: interval(accuracies),
    auc: aucs.length > 0 ? interval(Float64Array.from(aucs)) : null,
    aucSkipped: iterations - aucs.length,
  };
}

/**
 * The q-quantile of ascending `sorted` values, interpolating linearly between neighbours (the "type 7" rule of R
 * and NumPy's default). q = 0 gives the minimum, q = 1 the maximum.
 * @throws on an empty array or q outside [0, 1]
 */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new Error('percentile of an empty array');
  if (!(q >= 0 && q <= 1)) throw new Error(`q must be in [0, 1], got ${q}`);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
