/**
 * 95% intervals for the comparison table. Accuracy, sensitivity and specificity move with the threshold slider, so
 * their intervals are recomputed from the counts at the shown threshold (Wilson's score interval, which stays inside
 * [0, 1] and behaves at 0/n and n/n, unlike the normal approximation); AUC keeps the run's bootstrap interval.
 */
import type { BinaryMetrics } from '../../lab/eval/binary-metrics';

export interface Interval {
  low: number;
  high: number;
}

/** z for a two-sided 95% interval. */
const Z95 = 1.959963984540054;

/** Wilson score interval of `successes` out of `n`, or null when n is 0. */
export function wilsonInterval(successes: number, n: number, z = Z95): Interval | null {
  if (!(n > 0) || successes < 0 || successes > n) return null;
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  // At 0/n and n/n the bound is exactly 0 or 1; rounding would leave it a hair inside the estimate.
  return {
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === n ? 1 : Math.min(1, centre + half),
  };
}

/** The intervals of the threshold metrics at the counts of `m`. */
export function thresholdIntervals(m: BinaryMetrics): {
  accuracy: Interval | null;
  sensitivity: Interval | null;
  specificity: Interval | null;
} {
  return {
    accuracy: wilsonInterval(m.tp + m.tn, m.tp + m.tn + m.fp + m.fn),
    sensitivity: wilsonInterval(m.tp, m.tp + m.fn),
    specificity: wilsonInterval(m.tn, m.tn + m.fp),
  };
}
