/**
 * Images ordered by falling score, with tied scores grouped. Both the ROC curve and AUC walk this order; the
 * bootstrap sorts once and re-walks it with resampling weights, so each resample costs O(n) instead of O(n log n).
 */

/** Image positions sorted by descending score, cut into groups of equal score. */
export interface ScoreOrder {
  /** Image positions, highest score first. */
  readonly order: Int32Array;
  /** Exclusive end (in `order`) of each group of tied scores; the last entry is n. */
  readonly groupEnds: Int32Array;
}

/**
 * Sorts image positions by descending score and marks where each run of equal scores ends. O(n log n).
 * Scores must not be NaN (checked by the callers).
 */
export function sortByScore(scores: ArrayLike<number>): ScoreOrder {
  const n = scores.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Compare rather than subtract: Infinity - Infinity is NaN and would corrupt the sort.
  order.sort((a, b) => (scores[b] > scores[a] ? 1 : scores[b] < scores[a] ? -1 : a - b));
  const ends: number[] = [];
  for (let i = 1; i <= n; i++) {
    if (i === n || scores[order[i]] !== scores[order[i - 1]]) ends.push(i);
  }
  return { order, groupEnds: Int32Array.from(ends) };
}

/** Weighted positive and negative counts of each tie group, in descending score order. */
export interface GroupCounts {
  /** The common score of each group. */
  readonly scores: Float64Array;
  readonly positives: Float64Array;
  readonly negatives: Float64Array;
  readonly totalPositives: number;
  readonly totalNegatives: number;
}

/**
 * Sums positives and negatives per tie group.
 * @param flags 1 = positive, 0 = negative, per image
 * @param weights optional multiplicity per image (bootstrap resample counts); 1 each when omitted
 */
export function countGroups(
  sorted: ScoreOrder,
  flags: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights?: ArrayLike<number>,
): GroupCounts {
  const groups = sorted.groupEnds.length;
  const groupScores = new Float64Array(groups);
  const positives = new Float64Array(groups);
  const negatives = new Float64Array(groups);
  let totalPositives = 0;
  let totalNegatives = 0;
  let start = 0;
  for (let g = 0; g < groups; g++) {
    const end = sorted.groupEnds[g];
    groupScores[g] = scores[sorted.order[start]];
    for (let k = start; k < end; k++) {
      const i = sorted.order[k];
      const w = weights ? weights[i] : 1;
      if (flags[i] === 1) positives[g] += w;
      else negatives[g] += w;
    }
    totalPositives += positives[g];
    totalNegatives += negatives[g];
    start = end;
  }
  return { scores: groupScores, positives, negatives, totalPositives, totalNegatives };
}
