/**
 * Metrics for more than two classes (NORMAL / BACTERIA / VIRUS). A positive-vs-rest accuracy there depends on which
 * class is called positive; the figures here do not:
 * - accuracy: the share of images whose most probable class (argmax) is their true class — the confusion matrix's
 *   trace over its total;
 * - balanced accuracy: the mean over classes of each class's recall, so a large class cannot hide a missed small one;
 * - per class, one against the rest: sensitivity (recall of the class), specificity (the rest not called it) and
 *   ROC AUC of P(class);
 * - macro AUC: the unweighted mean of the per-class AUCs.
 * A class with no test images has no recall and no AUC (null); the means are over the classes that have them.
 * Framework-free and tfjs-free, so the page can use it.
 */
import { createRng } from '../util/rng';
import { checkScores, ratio } from './binary-metrics';
import { percentile, type BootstrapResult, type Interval } from './bootstrap';
import { aucFromGroups } from './roc';
import { countGroups, sortByScore, type ScoreOrder } from './score-order';

/** One class against the rest. */
export interface ClassMetrics {
  /** Test images of this class (its confusion row's total). */
  readonly count: number;
  /** Images predicted as this class (its confusion column's total). */
  readonly predicted: number;
  /** Recall of the class: its diagonal cell over its row; null when the class has no images. */
  readonly sensitivity: number | null;
  /** Images of other classes not called this class, over all images of other classes; null when there are none. */
  readonly specificity: number | null;
  /** ROC AUC of P(class) against the rest; null without probabilities or when the class (or the rest) is absent. */
  readonly auc: number | null;
}

/** What {@link multiClassMetrics} reports. */
export interface MultiClassMetrics {
  /** Trace over total: k-class accuracy of the argmax; null for an empty matrix. */
  readonly accuracy: number | null;
  /** Mean sensitivity over the classes that have images. */
  readonly balancedAccuracy: number | null;
  /** Mean one-vs-rest AUC over the classes that have one. */
  readonly macroAuc: number | null;
  /** One entry per class, in class order. */
  readonly perClass: ClassMetrics[];
}

/**
 * Accuracy, balanced accuracy and per-class sensitivity and specificity from a confusion matrix (rows = truth,
 * columns = prediction); with `scores`, also the one-vs-rest AUCs and their macro mean.
 * @param scores count × k probabilities (row-major) with the true label of each image, in any order consistent
 *   with each other
 * @throws on a matrix that is not square, or scores whose sizes do not fit
 */
export function multiClassMetrics(
  confusion: readonly (readonly number[])[],
  scores?: { readonly probabilities: ArrayLike<number>; readonly labels: ArrayLike<number> },
): MultiClassMetrics {
  const k = confusion.length;
  if (confusion.some((row) => row.length !== k)) throw new Error(`the confusion matrix must be square (${k} rows)`);
  const rowTotals = confusion.map((row) => row.reduce((a, b) => a + b, 0));
  const columnTotals = confusion[0]?.map((_, p) => confusion.reduce((sum, row) => sum + row[p], 0)) ?? [];
  const total = rowTotals.reduce((a, b) => a + b, 0);
  const trace = confusion.reduce((sum, row, t) => sum + row[t], 0);
  const aucs = scores ? oneVsRestAucs(scores.probabilities, scores.labels, k) : confusion.map(() => null);
  const perClass = confusion.map((row, c): ClassMetrics => {
    const others = total - rowTotals[c];
    const calledThisWrongly = columnTotals[c] - row[c];
    return {
      count: rowTotals[c],
      predicted: columnTotals[c],
      sensitivity: ratio(row[c], rowTotals[c]),
      specificity: ratio(others - calledThisWrongly, others),
      auc: aucs[c],
    };
  });
  return {
    accuracy: ratio(trace, total),
    balancedAccuracy: meanOf(perClass.map((m) => m.sensitivity)),
    macroAuc: meanOf(aucs),
    perClass,
  };
}

/**
 * ROC AUC of each class's probability against the rest (null for a class that is absent, or that every image has).
 * @throws on sizes that do not fit, a label out of range or a NaN probability
 */
export function oneVsRestAucs(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  k: number,
): (number | null)[] {
  const n = checkShapes(probabilities, labels, k);
  return Array.from({ length: k }, (_, c) => {
    const column = columnOf(probabilities, n, k, c);
    return aucFromGroups(countGroups(sortByScore(column), flagsOf(labels, c), column));
  });
}

/** Settings of {@link bootstrapMultiClass}; the same meaning as bootstrapConfidence's. */
export interface MultiClassBootstrapOptions {
  readonly iterations?: number;
  readonly seed: number;
  readonly level?: number;
}

/**
 * Percentile-bootstrap intervals of the k-class accuracy (argmax) and the macro one-vs-rest AUC, in the shape the
 * two-class bootstrap gives, so records and tables read both alike. A resample that lacks a class the whole set has
 * leaves that class's AUC undefined: it is left out of the AUC interval and counted in `aucSkipped`.
 * @throws on an empty set, bad options or inputs that do not fit
 */
export function bootstrapMultiClass(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  k: number,
  options: MultiClassBootstrapOptions,
): BootstrapResult {
  const { iterations = 1000, seed, level = 0.95 } = options;
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new Error(`iterations must be a positive integer, got ${iterations}`);
  }
  if (!(level > 0 && level < 1)) throw new Error(`level must be in (0, 1), got ${level}`);
  const n = checkShapes(probabilities, labels, k);
  if (n === 0) throw new Error('cannot bootstrap an empty set');

  const correct = new Uint8Array(n);
  for (let i = 0; i < n; i++) correct[i] = argmaxOf(probabilities, i, k) === labels[i] ? 1 : 0;
  // Sort each class's scores once; a resample only changes how many times each image counts.
  const present = new Uint8Array(k);
  for (let i = 0; i < n; i++) present[labels[i]] = 1;
  const perClass: { sorted: ScoreOrder; flags: Uint8Array; scores: Float64Array }[] = [];
  for (let c = 0; c < k; c++) {
    if (!present[c]) continue;
    const scores = columnOf(probabilities, n, k, c);
    perClass.push({ sorted: sortByScore(scores), flags: flagsOf(labels, c), scores });
  }
  const rng = createRng(seed);
  const weights = new Float64Array(n);
  const accuracies = new Float64Array(iterations);
  const aucs: number[] = [];
  for (let it = 0; it < iterations; it++) {
    weights.fill(0);
    let hits = 0;
    for (let draw = 0; draw < n; draw++) {
      const i = rng.int(n);
      weights[i]++;
      hits += correct[i];
    }
    accuracies[it] = hits / n;
    let sum = 0;
    let defined = true;
    for (const { sorted, flags, scores } of perClass) {
      const auc = aucFromGroups(countGroups(sorted, flags, scores, weights));
      if (auc === null) {
        defined = false;
        break;
      }
      sum += auc;
    }
    if (defined && perClass.length > 0) aucs.push(sum / perClass.length);
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

/** The class with the highest probability in row `i` (the first on a tie, as argmaxRows). */
function argmaxOf(probabilities: ArrayLike<number>, i: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (probabilities[i * k + c] > probabilities[i * k + best]) best = c;
  return best;
}

/** Number of images; throws when probabilities and labels do not fit k classes. */
function checkShapes(probabilities: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  const n = labels.length;
  if (!Number.isInteger(k) || k < 2) throw new Error(`need at least 2 classes, got ${k}`);
  if (probabilities.length !== n * k) {
    throw new Error(`expected ${n} × ${k} probabilities, got ${probabilities.length}`);
  }
  for (let i = 0; i < n; i++) {
    const label = labels[i];
    if (!(Number.isInteger(label) && label >= 0 && label < k)) {
      throw new Error(`label ${label} of image ${i} is not a class index below ${k}`);
    }
  }
  checkScores(probabilities, probabilities);
  return n;
}

function columnOf(matrix: ArrayLike<number>, rows: number, width: number, column: number): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) out[i] = matrix[i * width + column];
  return out;
}

function flagsOf(labels: ArrayLike<number>, c: number): Uint8Array {
  return Uint8Array.from({ length: labels.length }, (_, i) => (labels[i] === c ? 1 : 0));
}

function meanOf(values: readonly (number | null)[]): number | null {
  const defined = values.filter((v): v is number => v !== null);
  return defined.length === 0 ? null : defined.reduce((a, b) => a + b, 0) / defined.length;
}
