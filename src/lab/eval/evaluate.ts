/**
 * Test-set evaluation of a trained classifier: everything the study reported (accuracy, loss) plus what it did not
 * (confusion matrix, sensitivity/specificity at a threshold, ROC AUC with a bootstrap interval). The probabilities are
 * kept so the UI can move the threshold without running the model again.
 */
import type * as tf from '@tensorflow/tfjs';
import type { PixelRange } from '../data/batches';
import type { ImageSet } from '../data/image-set';
import { imageSource, type BatchSource } from '../train/batch-source';
import { binaryMetrics, type BinaryMetrics } from './binary-metrics';

export { metricsAtThreshold } from './binary-metrics';
import { bootstrapConfidence, type BootstrapResult } from './bootstrap';
import { confusionMatrix } from './confusion-matrix';
import { bootstrapMultiClass, multiClassMetrics, type MultiClassMetrics } from './multi-class-metrics';
import { argmaxRows, predictSource } from './predict-set';
import { rocAuc, rocCurve, type RocPoint } from './roc';

/** Settings of `evaluateModel`. */
export interface EvaluateOptions {
  /** Label index of the positive class (PNEUMONIA = 1 in the study); every other class counts as negative. */
  readonly positiveClass: number;
  /** Positive when P(positive) >= threshold (default 0.5). */
  readonly threshold?: number;
  /** Images per predict call (default 64). */
  readonly batchSize?: number;
  /** Pixel scaling the model expects (default '0,1'). */
  readonly range?: PixelRange;
  /**
   * Whether the user named the positive class (default false). With more than two classes the positive-vs-rest
   * figures apply only then; with two they always do.
   */
  readonly positiveNamed?: boolean;
  /**
   * When given, adds percentile-bootstrap intervals for accuracy and AUC (with more than two classes: of the k-class
   * accuracy and the macro AUC).
   */
  readonly bootstrap?: { readonly iterations?: number; readonly seed: number; readonly level?: number };
  /** Called after each batch (awaited). */
  readonly onProgress?: (done: number, total: number) => void | Promise<void>;
}

/** What one model scored on one set. */
export interface EvaluationResult {
  readonly count: number;
  readonly classNames: readonly string[];
  readonly positiveClass: number;
  /** Multi-class confusion of argmax predictions; rows = true class, columns = predicted. */
  readonly confusion: number[][];
  /** Positive-vs-rest metrics at the requested threshold. */
  readonly binary: BinaryMetrics;
  /** ROC AUC of P(positive); null when the set holds one class only. */
  readonly auc: number | null;
  /** ROC curve of P(positive); empty when the set holds one class only. */
  readonly roc: RocPoint[];
  /**
   * Bootstrap intervals, when requested: of `binary.accuracy` and `auc` for two classes, of `multiClass.accuracy`
   * and `multiClass.macroAuc` for more.
   */
  readonly ci: BootstrapResult | null;
  /**
   * With more than two classes: k-class accuracy of the argmax, balanced accuracy, per-class one-vs-rest figures and
   * the macro AUC (`binary`, `auc` and `roc` stay the positive class against the rest). Null (or absent, in an
   * evaluation made by hand) for two classes.
   */
  readonly multiClass?: (MultiClassMetrics & { readonly positiveNamed: boolean }) | null;
  /** Mean cross-entropy of the logits against the labels (natural log), as Keras reports test loss. */
  readonly loss: number;
  /** count × classNames.length softmax probabilities, row-major, in set order. */
  readonly probabilities: Float32Array;
  /** True class of each image (a copy of the set's labels), needed to recompute metrics later. */
  readonly labels: Int32Array;
}

/**
 * Evaluates `model` (which must output logits, one per class of `set`) on every image of `set`.
 * Tensor memory is back where it started when the promise settles.
 * Note: at a threshold of exactly 0.5 with two classes, an image scored exactly 0.5 is positive in `binary` but takes
 * the first class in `confusion` (argmax keeps the first of a tie).
 * @throws on an empty set, a positive class out of range, or a model whose output does not match the classes
 */
export async function evaluateModel(
  model: tf.LayersModel,
  set: ImageSet,
  options: EvaluateOptions,
): Promise<EvaluationResult> {
  return evaluateSource(model, imageSource(set, options.range ?? '0,1'), options);
}

/**
 * {@link evaluateModel} over any batch source: a transfer head is evaluated on the test set's cached features.
 * `options.range` is the source's business and ignored here.
 */
export async function evaluateSource(
  model: tf.LayersModel,
  set: BatchSource,
  options: EvaluateOptions,
): Promise<EvaluationResult> {
  checkEvaluable(set, options.positiveClass);
  const { probabilities, losses } = await predictSource(model, set, {
    batchSize: options.batchSize ?? 64,
    onProgress: options.onProgress,
  });
  return evaluatePredictions(
    { probabilities, losses, labels: set.labels.subarray(0, set.count), classNames: set.classNames },
    options,
  );
}

/** Per-image model outputs with their truth: what {@link evaluatePredictions} scores. */
export interface ScoredSet {
  /** count × classNames.length probabilities, row-major. */
  readonly probabilities: Float32Array;
  /** Cross-entropy of each image against its label (natural log). */
  readonly losses: ArrayLike<number>;
  readonly labels: ArrayLike<number>;
  readonly classNames: readonly string[];
}

/**
 * The metrics of {@link evaluateSource} from probabilities already in hand: a model's, or the same after temperature
 * scaling, prior correction or test-time adaptation (shift/evaluate-under-shift.ts). `batchSize`, `range` and
 * `onProgress` of `options` play no part here.
 * @throws on an empty set, a positive class or a label out of range, or a size mismatch
 */
export function evaluatePredictions(scored: ScoredSet, options: EvaluateOptions): EvaluationResult {
  const { positiveClass, threshold = 0.5 } = options;
  const numClasses = scored.classNames.length;
  const count = scored.labels.length;
  checkEvaluable({ count, labels: scored.labels, classNames: scored.classNames }, positiveClass);
  if (scored.probabilities.length !== count * numClasses || scored.losses.length !== count) {
    throw new Error(
      `expected ${count} × ${numClasses} probabilities and ${count} losses, got ${scored.probabilities.length} and ${scored.losses.length}`,
    );
  }
  const labels = Int32Array.from(scored.labels);
  const probabilities = scored.probabilities;
  const scores = columnOf(probabilities, numClasses, positiveClass);
  const isPositive = labels.map((label) => (label === positiveClass ? 1 : 0));
  let lossSum = 0;
  for (let i = 0; i < count; i++) lossSum += scored.losses[i];
  const confusion = confusionMatrix(labels, argmaxRows(probabilities, numClasses), numClasses);
  const multiClass =
    numClasses > 2
      ? { ...multiClassMetrics(confusion, { probabilities, labels }), positiveNamed: options.positiveNamed ?? false }
      : null;
  const ci = !options.bootstrap
    ? null
    : multiClass
      ? bootstrapMultiClass(probabilities, labels, numClasses, options.bootstrap)
      : bootstrapConfidence(isPositive, scores, { ...options.bootstrap, threshold });

  return {
    count,
    classNames: [...scored.classNames],
    positiveClass,
    confusion,
    binary: binaryMetrics(isPositive, scores, threshold),
    auc: rocAuc(isPositive, scores),
    roc: rocCurve(isPositive, scores),
    ci,
    multiClass,
    loss: lossSum / count,
    probabilities,
    labels,
  };
}

/** The checks every evaluation makes before predicting: an out-of-range label would silently get a zero loss from oneHot. */
function checkEvaluable(
  set: { count: number; labels: ArrayLike<number>; classNames: readonly string[] },
  positiveClass: number,
): void {
  const numClasses = set.classNames.length;
  if (set.count === 0) throw new Error('cannot evaluate an empty set');
  if (!Number.isInteger(positiveClass) || positiveClass < 0 || positiveClass >= numClasses) {
    throw new Error(`positiveClass ${positiveClass} is not a class index below ${numClasses}`);
  }
  for (let i = 0; i < set.count; i++) {
    const label = set.labels[i];
    if (!(label >= 0 && label < numClasses))
      throw new Error(`label ${label} of image ${i} is not a class index below ${numClasses}`);
  }
}

/** Column `column` of a row-major matrix with `width` columns. */
function columnOf(matrix: Float32Array, width: number, column: number): Float32Array {
  const out = new Float32Array(matrix.length / width);
  for (let i = 0; i < out.length; i++) out[i] = matrix[i * width + column];
  return out;
}
