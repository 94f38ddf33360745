/**
 * Threshold metrics for a positive-vs-rest decision (PNEUMONIA vs NORMAL in the study).
 *
 * Undefined ratios (0/0) are reported as `null`, never as 0 or NaN, so a table can show "—" and nobody mistakes
 * "no positives to recall" for "recalled none of them":
 * - sensitivity is null when there are no positive images (tp + fn = 0);
 * - specificity is null when there are no negative images (tn + fp = 0);
 * - precision is null when nothing is predicted positive (tp + fp = 0);
 * - npv is null when nothing is predicted negative (tn + fn = 0);
 * - accuracy is null when there are no images;
 * - f1 = 2tp / (2tp + fp + fn), null only when tp + fp + fn = 0 (no positives at all, predicted or true).
 *   This count form equals the harmonic mean of precision and recall wherever both exist, and is 0 (not null)
 *   when positives exist but none is found and none is claimed.
 *
 * Inputs: `isPositive` flags must be 0/1/false/true — raw multi-class labels passed by mistake would otherwise give
 * plausible-looking but wrong numbers — and scores must not be NaN. ROC and bootstrap use the same checks.
 */

/** Counts and rates of a binary decision at one threshold. Ratios are null when undefined (see the module note). */
export interface BinaryMetrics {
  /** An image is called positive when its score is >= this. */
  readonly threshold: number;
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
  /** (tp + tn) / n. */
  readonly accuracy: number | null;
  /** Recall of the positive class: tp / (tp + fn). */
  readonly sensitivity: number | null;
  /** Recall of the negative class: tn / (tn + fp). */
  readonly specificity: number | null;
  /** Positive predictive value: tp / (tp + fp). */
  readonly precision: number | null;
  /** 2tp / (2tp + fp + fn). */
  readonly f1: number | null;
  /** Negative predictive value: tn / (tn + fn). */
  readonly npv: number | null;
}

/**
 * Binary metrics of `scores` against the truth at `threshold`.
 * @param isPositive 1/true where the image belongs to the positive class, 0/false otherwise
 * @param scores probability (or any score) of the positive class, one per image
 * @param threshold predict positive when score >= threshold (default 0.5)
 */
export function binaryMetrics(
  isPositive: ArrayLike<number | boolean>,
  scores: ArrayLike<number>,
  threshold = 0.5,
): BinaryMetrics {
  const flags = toPositiveFlags(isPositive);
  checkScores(flags, scores);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < flags.length; i++) {
    const predicted = scores[i] >= threshold;
    if (flags[i] === 1) {
      if (predicted) tp++;
      else fn++;
    } else if (predicted) fp++;
    else tn++;
  }
  return metricsFromCounts(threshold, tp, fp, tn, fn);
}

/** Builds the BinaryMetrics rates from already-counted outcomes (same null rules as `binaryMetrics`). */
export function metricsFromCounts(threshold: number, tp: number, fp: number, tn: number, fn: number): BinaryMetrics {
  return {
    threshold,
    tp,
    fp,
    tn,
    fn,
    accuracy: ratio(tp + tn, tp + fp + tn + fn),
    sensitivity: ratio(tp, tp + fn),
    specificity: ratio(tn, tn + fp),
    precision: ratio(tp, tp + fp),
    f1: ratio(2 * tp, 2 * tp + fp + fn),
    npv: ratio(tn, tn + fn),
  };
}

/**
 * Converts positive-class flags (1 or true = positive, 0 or false = negative) to a Uint8Array of 0/1.
 * @throws if a flag is neither 0, 1, true nor false.
 */
export function toPositiveFlags(isPositive: ArrayLike<number | boolean>): Uint8Array {
  const flags = new Uint8Array(isPositive.length);
  for (let i = 0; i < isPositive.length; i++) {
    const v = isPositive[i];
    if (v === 1 || v === true) flags[i] = 1;
    else if (v === 0 || v === false) flags[i] = 0;
    else throw new Error(`isPositive[${i}] is ${String(v)}; expected 0, 1, false or true`);
  }
  return flags;
}

/**
 * Checks that there is one score per flag and that no score is NaN (NaN breaks sorting and every comparison).
 * @throws on a length mismatch or a NaN score.
 */
export function checkScores(flags: ArrayLike<unknown>, scores: ArrayLike<number>): void {
  if (flags.length !== scores.length) {
    throw new Error(`isPositive has ${flags.length} entries but scores has ${scores.length}`);
  }
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i])) throw new Error(`scores[${i}] is NaN`);
  }
}

/** `numerator / denominator`, or null when the denominator is 0 (an undefined ratio, such as recall with no positives). */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** What a stored evaluation keeps to recompute its metrics: row-major softmax probabilities and true labels. */
export interface StoredScores {
  readonly probabilities: ArrayLike<number>;
  readonly labels: ArrayLike<number>;
  readonly classNames: readonly unknown[];
  readonly positiveClass: number;
}

/**
 * Binary metrics of a stored evaluation at another threshold (the UI's threshold slider); no model needed. Lives in
 * this tfjs-free module so the page can use it without pulling tfjs into its bundle.
 */
export function metricsAtThreshold(result: StoredScores, threshold: number): BinaryMetrics {
  const k = result.classNames.length;
  const n = result.labels.length;
  const scores = new Float32Array(n);
  const isPositive = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    scores[i] = result.probabilities[i * k + result.positiveClass];
    isPositive[i] = result.labels[i] === result.positiveClass ? 1 : 0;
  }
  return binaryMetrics(isPositive, scores, threshold);
}
