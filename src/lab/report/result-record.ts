/**
 * One trained model's outcome as plain JSON-ready data: what the page's results table, the saved results file and
 * the CLI's report all read. No tensors and no typed arrays; a number that is missing or not finite (an undefined
 * rate, a diverged loss) is stored as null, because JSON has no undefined, NaN or Infinity.
 */
import { calibrationOfProbabilities } from '../eval/calibration';
import type { EvaluationResult } from '../eval/evaluate';
import { multiClassRecord, type MultiClassRecord } from './multi-class-record';
import type { CalibrationRecord, ShiftRecordFields } from './shift-record';

/** How a training run ended. */
export type RunStatus = 'ok' | 'cancelled' | 'failed';

/** A two-sided interval. */
export interface IntervalRecord {
  readonly low: number;
  readonly high: number;
}

/** One epoch of the training curves. */
export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number | null;
  readonly accuracy: number | null;
  readonly valLoss: number | null;
  readonly valAccuracy: number | null;
  readonly imagesPerSec: number | null;
}

/** Epoch 0 of the training curves (null where it was not measured). */
export interface CurveStartRecord {
  readonly loss: number | null;
  readonly accuracy: number | null;
  readonly valLoss: number | null;
  readonly valAccuracy: number | null;
}

/** Test-set metrics of one model (positive class vs rest at `threshold`; see BinaryMetrics for the null rules). */
export interface TestRecord {
  readonly count: number;
  readonly accuracy: number | null;
  readonly sensitivity: number | null;
  readonly specificity: number | null;
  readonly precision: number | null;
  readonly f1: number | null;
  readonly npv: number | null;
  readonly auc: number | null;
  /** Mean cross-entropy (natural log). */
  readonly loss: number | null;
  readonly threshold: number;
  /** Rows = true class, columns = predicted (argmax), in classNames order. */
  readonly confusion: number[][];
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
  /** Bootstrap intervals, when they were computed. */
  readonly ci: { readonly level: number; readonly iterations: number; readonly accuracy: IntervalRecord; readonly auc: IntervalRecord | null } | null;
  /** ECE, Brier score and reliability bins of P(positive) (issue 12); absent when the probabilities were not kept. */
  readonly calibration?: CalibrationRecord;
  /**
   * More than two classes only: balanced accuracy and per-class figures. Then `accuracy` is the k-class accuracy of
   * the argmax, `auc` the macro one-vs-rest AUC, `ci` theirs (report/multi-class-record.ts).
   */
  readonly multiClass?: MultiClassRecord;
}

/** Everything recorded about one trained model. */
export interface ResultRecord {
  readonly modelId: string;
  readonly label: string;
  /** All weights, including BatchNorm's non-trainable moving statistics (as Keras counts). */
  readonly params: number;
  readonly trainableParams: number;
  /** Size of the saved weights in bytes. */
  readonly bytes: number | null;
  readonly inputSize: number;
  readonly channels: number;
  /** tfjs backend the model trained on ('webgl', 'wasm', …). */
  readonly backend: string;
  readonly seed: number;
  readonly epochsRun: number;
  readonly epochsPlanned: number;
  /** 1-based epoch whose weights were kept (best validation loss), when known. */
  readonly bestEpoch: number | null;
  readonly trainTimeMs: number | null;
  readonly msPerEpoch: number | null;
  readonly trainImagesPerSec: number | null;
  readonly inference: { readonly msPerImage: number | null; readonly imagesPerSecond: number | null } | null;
  /** Null when the run produced no evaluation (failed, or cancelled before one). */
  readonly test: TestRecord | null;
  /**
   * The same metrics on the validation set, with the weights that were kept (no intervals): next to `test`, the
   * val → test gap shows when test images differ from training images. Null without a validation set.
   */
  readonly validation: TestRecord | null;
  /** Name of the positive class, when known. */
  readonly positiveClass: string | null;
  readonly classNames: string[];
  readonly status: RunStatus;
  readonly error?: string;
  readonly history?: EpochRecord[];
  /**
   * Where the page's curves start (epoch 0): the first batch's training loss and accuracy and the untrained model on
   * the validation split, so a restored or opened run draws the very points the live one did. Absent from the CLI's
   * records and from runs resumed after a reload (their first batch was not seen).
   */
  readonly curveStart?: CurveStartRecord;
  /** Transfer models: which pretrained weights the frozen backbone used, so a results file says what it compared. */
  readonly backbone?: BackboneRecord;
  /**
   * Dataset-shift fields (report/shift-record.ts): with --adapt-bn, `test` is scored after test-time BatchNorm
   * adaptation and `testBeforeAdaptation` holds the model as trained; `prior` is the estimated test prevalence.
   */
  readonly adaptation?: ShiftRecordFields['adaptation'];
  readonly adaptationReport?: ShiftRecordFields['adaptationReport'];
  readonly testBeforeAdaptation?: TestRecord | null;
  readonly prior?: ShiftRecordFields['prior'];
}

/** Provenance of a transfer model's backbone weights. */
export interface BackboneRecord {
  /** Network and variant, e.g. "MobileNetV2 α 0.35". */
  readonly network: string;
  /** Content fingerprint of the weights (also part of the feature-cache key). */
  readonly weightsId: string;
  /** Where they came from: a file name or a URL. */
  readonly origin: string;
  /** Pixel scaling the weights expect. */
  readonly pixelRange: string;
}

/** One epoch as the trainer reports it; missing numbers are allowed. */
export interface EpochInput {
  readonly epoch: number;
  readonly loss?: number | null;
  readonly accuracy?: number | null;
  readonly valLoss?: number | null;
  readonly valAccuracy?: number | null;
  readonly imagesPerSec?: number | null;
}

/** What the training side knows about a run, the input of `makeResultRecord`. */
export interface TrainingSummary {
  readonly modelId: string;
  readonly label: string;
  readonly params: number;
  readonly trainableParams: number;
  readonly bytes?: number | null;
  readonly inputSize: number;
  readonly channels: number;
  readonly backend: string;
  readonly seed: number;
  readonly epochsRun: number;
  readonly epochsPlanned: number;
  readonly bestEpoch?: number | null;
  readonly trainTimeMs?: number | null;
  readonly msPerEpoch?: number | null;
  readonly trainImagesPerSec?: number | null;
  readonly inference?: { readonly msPerImage: number; readonly imagesPerSecond: number } | null;
  readonly status: RunStatus;
  readonly error?: string;
  readonly history?: readonly EpochInput[];
  readonly backbone?: BackboneRecord;
  /** Used when there is no evaluation to take them from. */
  readonly classNames?: readonly string[];
  /** Positive class index, used when there is no evaluation. */
  readonly positiveClass?: number;
}

/**
 * Combines a training summary and (when the run got that far) its test and validation evaluations into one plain
 * record; `shift` adds the dataset-shift fields (shiftRecordFields).
 * Arrays are copied, so later changes to the inputs do not reach the record.
 */
export function makeResultRecord(
  summary: TrainingSummary,
  evaluation?: EvaluationResult | null,
  validation?: EvaluationResult | null,
  shift?: ShiftRecordFields,
): ResultRecord {
  const classNames = [...(evaluation?.classNames ?? summary.classNames ?? [])];
  const positiveIndex = evaluation?.positiveClass ?? summary.positiveClass;
  const record: ResultRecord = {
    modelId: summary.modelId,
    label: summary.label,
    params: summary.params,
    trainableParams: summary.trainableParams,
    bytes: num(summary.bytes),
    inputSize: summary.inputSize,
    channels: summary.channels,
    backend: summary.backend,
    seed: summary.seed,
    epochsRun: summary.epochsRun,
    epochsPlanned: summary.epochsPlanned,
    bestEpoch: num(summary.bestEpoch),
    trainTimeMs: num(summary.trainTimeMs),
    msPerEpoch: num(summary.msPerEpoch),
    trainImagesPerSec: num(summary.trainImagesPerSec),
    inference: summary.inference
      ? { msPerImage: num(summary.inference.msPerImage), imagesPerSecond: num(summary.inference.imagesPerSecond) }
      : null,
    test: evaluation ? testRecord(evaluation) : null,
    validation: validation ? testRecord(validation) : null,
    positiveClass: positiveIndex === undefined ? null : (classNames[positiveIndex] ?? null),
    classNames,
    status: summary.status,
  };
  return {
    ...record,
    ...(summary.error !== undefined ? { error: summary.error } : {}),
    ...(summary.history ? { history: summary.history.map(epochRecord) } : {}),
    ...(summary.backbone ? { backbone: { ...summary.backbone } } : {}),
    ...(shift ?? {}),
  };
}

/** The plain record of one evaluation (also used for `testBeforeAdaptation`). */
export function testRecord(e: EvaluationResult): TestRecord {
  const b = e.binary;
  const calibration = calibrationRecord(e);
  const multiClass = multiClassRecord(e);
  return {
    count: e.count,
    accuracy: num(e.multiClass ? e.multiClass.accuracy : b.accuracy),
    sensitivity: num(b.sensitivity),
    specificity: num(b.specificity),
    precision: num(b.precision),
    f1: num(b.f1),
    npv: num(b.npv),
    auc: num(e.multiClass ? e.multiClass.macroAuc : e.auc),
    loss: num(e.loss),
    threshold: b.threshold,
    confusion: e.confusion.map((row) => [...row]),
    tp: b.tp,
    fp: b.fp,
    tn: b.tn,
    fn: b.fn,
    ci: e.ci
      ? {
          level: e.ci.level,
          iterations: e.ci.iterations,
          accuracy: { low: e.ci.accuracy.low, high: e.ci.accuracy.high },
          auc: e.ci.auc ? { low: e.ci.auc.low, high: e.ci.auc.high } : null,
        }
      : null,
    ...(calibration ? { calibration } : {}),
    ...(multiClass ? { multiClass } : {}),
  };
}

/** Calibration of the kept probabilities; null when there are none (a hand-made evaluation) or they do not fit. */
function calibrationRecord(e: EvaluationResult): CalibrationRecord | null {
  const k = e.classNames.length;
  if (e.count === 0 || e.labels.length !== e.count || e.probabilities.length !== e.count * k) return null;
  let c;
  try {
    c = calibrationOfProbabilities(e.probabilities, e.labels, k, e.positiveClass);
  } catch {
    return null; // a NaN probability (a diverged network): the record stays writable, without calibration
  }
  return {
    ece: num(c.ece),
    brier: num(c.brier),
    bins: c.bins.map((bin) => ({ lower: bin.lower, upper: bin.upper, count: bin.count, meanPredicted: num(bin.meanPredicted), observedRate: num(bin.observedRate) })),
  };
}

function epochRecord(e: EpochInput): EpochRecord {
  return {
    epoch: e.epoch,
    loss: num(e.loss),
    accuracy: num(e.accuracy),
    valLoss: num(e.valLoss),
    valAccuracy: num(e.valAccuracy),
    imagesPerSec: num(e.imagesPerSec),
  };
}

/** A finite number, else null (undefined, null, NaN and ±Infinity have no JSON form). */
function num(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}
