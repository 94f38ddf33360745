/**
 * DeLong's test for two correlated ROC curves (DeLong, DeLong & Clarke-Pearson 1988): two models scored on the same
 * images, is the difference of their AUCs larger than the images can explain? Computed with Sun & Xu's (2014)
 * algorithm: the structural components come from midranks, O(n log n), instead of DeLong's O(n²) pairwise kernel.
 *
 * The variance uses the (m − 1) and (n − 1) denominators of DeLong's paper, as R's pROC does, so z and p agree with
 * `roc.test(method = "delong", paired = TRUE)`.
 */
import { checkScores, toPositiveFlags } from './binary-metrics';
import { normalQuantile, twoSidedNormalP } from './distributions';

/** The paired AUC comparison of models A and B. */
export interface PairedAucTest {
  readonly aucA: number;
  readonly aucB: number;
  /** aucA − aucB. */
  readonly difference: number;
  /** Standard error of the difference under DeLong's variance estimate. */
  readonly se: number;
  /** Two-sided interval of the difference at `level`: difference ± z₍₁₋α/₂₎ · se. */
  readonly ci: readonly [number, number];
  readonly level: number;
  /** difference / se; 0 when both rank the images identically (se = 0, no difference); null when se = 0 otherwise. */
  readonly z: number | null;
  /** Two-sided p of z under the standard normal; null with z. */
  readonly p: number | null;
}

/**
 * DeLong's paired test.
 * @param isPositive 0/1 (or boolean) per image
 * @param scoresA score of the positive class by model A, per image
 * @param scoresB the same images' scores by model B
 * @param level of the interval (default 0.95)
 * @returns null when one class is absent (no AUC exists)
 */
export function delongPairedTest(
  isPositive: ArrayLike<number | boolean>,
  scoresA: ArrayLike<number>,
  scoresB: ArrayLike<number>,
  level = 0.95,
): PairedAucTest | null {
  const flags = toPositiveFlags(isPositive);
  checkScores(flags, scoresA);
  checkScores(flags, scoresB);
  const a = structuralComponents(flags, scoresA);
  const b = structuralComponents(flags, scoresB);
  if (a === null || b === null) return null;
  const m = a.v10.length;
  const n = a.v01.length;
  // S = S10 / m + S01 / n, with S10 and S01 the sample covariances of the components over positives and negatives.
  const s10 = covariance2(a.v10, b.v10);
  const s01 = covariance2(a.v01, b.v01);
  const varA = s10.xx / m + s01.xx / n;
  const varB = s10.yy / m + s01.yy / n;
  const cov = s10.xy / m + s01.xy / n;
  const variance = Math.max(0, varA + varB - 2 * cov);
  const se = Math.sqrt(variance);
  const difference = a.auc - b.auc;
  const half = normalQuantile(1 - (1 - level) / 2) * se;
  let z: number | null;
  if (se > 0) z = difference / se;
  else z = difference === 0 ? 0 : null;
  return {
    aucA: a.auc,
    aucB: b.auc,
    difference,
    se,
    level,
    ci: [difference - half, difference + half],
    z,
    p: z === null ? null : twoSidedNormalP(z),
  };
}

/** One model's AUC and its DeLong components: V10 per positive image, V01 per negative image. */
interface Components {
  readonly auc: number;
  readonly v10: Float64Array;
  readonly v01: Float64Array;
}

/**
 * Sun & Xu's components from midranks: for positive i, V10ᵢ = (Tzᵢ − Txᵢ) / n — the share of negatives it outranks,
 * ties counted ½; for negative j, V01ⱼ = 1 − (Tzⱼ − Tyⱼ) / m. Tz ranks within all images, Tx within the positives,
 * Ty within the negatives.
 */
function structuralComponents(flags: Uint8Array, scores: ArrayLike<number>): Components | null {
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let i = 0; i < flags.length; i++) (flags[i] === 1 ? positives : negatives).push(scores[i]);
  const m = positives.length;
  const n = negatives.length;
  if (m === 0 || n === 0) return null;
  const tx = midranks(positives);
  const ty = midranks(negatives);
  const tz = midranks([...positives, ...negatives]);
  const v10 = new Float64Array(m);
  const v01 = new Float64Array(n);
  let rankSum = 0;
  for (let i = 0; i < m; i++) {
    v10[i] = (tz[i] - tx[i]) / n;
    rankSum += tz[i];
  }
  for (let j = 0; j < n; j++) v01[j] = 1 - (tz[m + j] - ty[j]) / m;
  return { auc: rankSum / (m * n) - (m + 1) / (2 * n), v10, v01 };
}

/** 1-based ranks in ascending order, tied values sharing the mean of their ranks. O(n log n). */
export function midranks(values: readonly number[]): Float64Array {
  const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
  const ranks = new Float64Array(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    // Positions start..end-1 (0-based) hold one tie group: ranks start+1..end, mean (start + 1 + end) / 2.
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

/** Sample variances of x and y and their covariance (n − 1 denominators; 0 for a single value). */
function covariance2(x: Float64Array, y: Float64Array): { xx: number; yy: number; xy: number } {
  const n = x.length;
  if (n < 2) return { xx: 0, yy: 0, xy: 0 };
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    xx += dx * dx;
    yy += dy * dy;
    xy += dx * dy;
  }
  return { xx: xx / (n - 1), yy: yy / (n - 1), xy: xy / (n - 1) };
}
