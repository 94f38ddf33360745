/**
 * How far a classifier's probabilities can be taken at their word, for a positive-vs-rest decision: reliability
 * bins (what the page draws), expected calibration error and the Brier score. Plain numbers, no tfjs.
 *
 * Binning, stated once: P(positive) is cut into `bins` equal-width bins over [0, 1] (default 10); bin i holds the
 * scores in [i/bins, (i+1)/bins), the last one also holds 1. ECE is the image-weighted mean, over non-empty bins, of
 * |observed positive rate − mean P(positive)| in the bin (the positive-class ECE, not the top-label ECE of Guo et al.
 * 2017; for two classes it is the reliability diagram's own gap, so the number and the picture agree).
 */
import { checkScores, toPositiveFlags } from './binary-metrics';

/** Default number of equal-width reliability bins. */
export const DEFAULT_CALIBRATION_BINS = 10;

/** One reliability-diagram bar. Empty bins keep their place with null rates, so the page can draw a gap. */
export interface ReliabilityBin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Mean P(positive) of the images in the bin; null when empty. */
  readonly meanPredicted: number | null;
  /** Share of those images that are truly positive; null when empty. */
  readonly observedRate: number | null;
}

/** Calibration of one set of scores. */
export interface CalibrationSummary {
  /** Expected calibration error over the bins (see the module note); 0 = perfectly calibrated. */
  readonly ece: number;
  /** Mean (P(positive) − truth)²: 0 is perfect, 0.25 is always answering 0.5. */
  readonly brier: number;
  readonly bins: ReliabilityBin[];
}

/**
 * Reliability bins, ECE and Brier score of `scores` (P(positive) per image) against `isPositive` (0/1 flags).
 * @throws on an empty set, a length mismatch, a NaN score, a score outside [0, 1], or a bin count below 1
 */
export function calibrationSummary(
  isPositive: ArrayLike<number | boolean>,
  scores: ArrayLike<number>,
  bins = DEFAULT_CALIBRATION_BINS,
): CalibrationSummary {
  const flags = toPositiveFlags(isPositive);
  checkScores(flags, scores);
  if (flags.length === 0) throw new Error('calibration needs at least one image');
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a whole number ≥ 1 (got ${bins})`);
  const count = new Array<number>(bins).fill(0);
  const scoreSum = new Array<number>(bins).fill(0);
  const positives = new Array<number>(bins).fill(0);
  let brier = 0;
  for (let i = 0; i < flags.length; i++) {
    const p = scores[i];
    if (!(p >= 0 && p <= 1)) throw new RangeError(`scores[${i}] is ${p}; probabilities must lie in [0, 1]`);
    const b = Math.min(bins - 1, Math.floor(p * bins));
    count[b]++;
    scoreSum[b] += p;
    positives[b] += flags[i];
    brier += (p - flags[i]) ** 2;
  }
  let ece = 0;
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const n = count[b];
    const meanPredicted = n > 0 ? scoreSum[b] / n : null;
    const observedRate = n > 0 ? positives[b] / n : null;
    if (n > 0) ece += (n / flags.length) * Math.abs(observedRate! - meanPredicted!);
    out.push({ lower: b / bins, upper: (b + 1) / bins, count: n, meanPredicted, observedRate });
  }
  return { ece, brier: brier / flags.length, bins: out };
}

/** {@link calibrationSummary} of row-major class probabilities for `positiveClass` against multi-class labels. */
export function calibrationOfProbabilities(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
  positiveClass: number,
  bins = DEFAULT_CALIBRATION_BINS,
): CalibrationSummary {
  const n = labels.length;
  if (probabilities.length !== n * numClasses)
    throw new Error(`expected ${n} × ${numClasses} probabilities, got ${probabilities.length}`);
  const scores = new Float64Array(n);
  const flags = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    scores[i] = probabilities[i * numClasses + positiveClass];
    flags[i] = labels[i] === positiveClass ? 1 : 0;
  }
  return calibrationSummary(flags, scores, bins);
}
