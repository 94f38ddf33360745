/**
 * ROC curve and area under it. tfjs has no AUC metric, so this is the lab's own.
 *
 * Tied scores form one step of the curve (a diagonal segment when a tie mixes classes): a classifier cannot
 * separate images it gives the same score, so the curve must not pretend an order among them. With that rule the
 * trapezoid area equals the Mann–Whitney U statistic / (P·N) with ties counted 1/2, and a constant classifier
 * scores exactly 0.5.
 */
import { checkScores, toPositiveFlags } from './binary-metrics';
import { countGroups, sortByScore, type GroupCounts } from './score-order';

/** One operating point: predicting positive when score >= threshold gives these false/true positive rates. */
export interface RocPoint {
  /** +Infinity for the first point (nothing predicted positive). */
  readonly threshold: number;
  readonly fpr: number;
  readonly tpr: number;
}

/**
 * The ROC curve, from (0, 0) at threshold +Infinity to (1, 1) at the lowest score, one point per distinct score.
 * @param isPositive 1/true = positive class
 * @param scores score of the positive class per image
 * @returns the points in order of falling threshold; an empty list when either class is absent (a rate would be 0/0)
 */
export function rocCurve(isPositive: ArrayLike<number | boolean>, scores: ArrayLike<number>): RocPoint[] {
  const counts = groupCounts(isPositive, scores);
  const { totalPositives: p, totalNegatives: n } = counts;
  if (p === 0 || n === 0) return [];
  const points: RocPoint[] = [{ threshold: Number.POSITIVE_INFINITY, fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let g = 0; g < counts.scores.length; g++) {
    tp += counts.positives[g];
    fp += counts.negatives[g];
    points.push({ threshold: counts.scores[g], fpr: fp / n, tpr: tp / p });
  }
  return points;
}

/**
 * Area under the ROC curve = P(score of a random positive > score of a random negative) + ½ P(tie).
 * O(n log n).
 * @returns the AUC in [0, 1], or null when only one class is present
 */
export function rocAuc(isPositive: ArrayLike<number | boolean>, scores: ArrayLike<number>): number | null {
  return aucFromGroups(groupCounts(isPositive, scores));
}

/**
 * AUC from (possibly weighted) tie-group counts in descending score order; null when either class total is 0.
 * Each negative group adds the positives ranked above it plus half of those tied with it — the trapezoid rule,
 * kept in counts until one final division so a constant classifier gives exactly 0.5.
 */
export function aucFromGroups(counts: GroupCounts): number | null {
  const { totalPositives: p, totalNegatives: n } = counts;
  if (p === 0 || n === 0) return null;
  let positivesAbove = 0;
  let twiceU = 0;
  for (let g = 0; g < counts.scores.length; g++) {
    twiceU += counts.negatives[g] * (2 * positivesAbove + counts.positives[g]);
    positivesAbove += counts.positives[g];
  }
  return twiceU / (2 * p * n);
}

function groupCounts(isPositive: ArrayLike<number | boolean>, scores: ArrayLike<number>): GroupCounts {
  const flags = toPositiveFlags(isPositive);
  checkScores(flags, scores);
  return countGroups(sortByScore(scores), flags, scores);
}
