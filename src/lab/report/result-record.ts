/**
 * One trained model's outcome as plain JSON-ready data: what the page's results table, the saved results file and
 * the CLI's report all read. No tensors and no typed arrays; a number that is missing or not finite (an undefined
 * rate, a diverged loss) is stored as null, because JSON has no undefined, NaN or Infinity.
 */
import type { EvaluationResult } from '../eval/evaluate';
import type { ShiftRecordFields } from './shift-record';
import { finiteOrNull, testRecord, type TestRecord } from './test-record';

/** How a training run ended. */
export type RunStatus = 'ok' | 'cancelled' | 'failed';

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
  /** The run's seed; a seed ensemble's is ENSEMBLE_SEED (report/ensemble-record.ts), never a real seed. */
  readonly seed: number;
  /**
   * A seed ensemble only: the seeds whose test probabilities it averages. It has no model files and no training
   * curves; its params are the sum over those seeds (what scoring an image with it takes).
   */
  readonly ensembleOf?: number[];
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
    bytes: finiteOrNull(summary.bytes),
    inputSize: summary.inputSize,
    channels: summary.channels,
    backend: summary.backend,
    seed: summary.seed,
    epochsRun: summary.epochsRun,
    epochsPlanned: summary.epochsPlanned,
    bestEpoch: finiteOrNull(summary.bestEpoch),
    trainTimeMs: finiteOrNull(summary.trainTimeMs),
    msPerEpoch: finiteOrNull(summary.msPerEpoch),
    trainImagesPerSec: finiteOrNull(summary.trainImagesPerSec),
    inference: summary.inference
      ? {
          msPerImage: finiteOrNull(summary.inference.msPerImage),
          imagesPerSecond: finiteOrNull(summary.inference.imagesPerSecond),
        }
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

function epochRecord(e: EpochInput): EpochRecord {
  return {
    epoch: e.epoch,
    loss: finiteOrNull(e.loss),
    accuracy: finiteOrNull(e.accuracy),
    valLoss: finiteOrNull(e.valLoss),
    valAccuracy: finiteOrNull(e.valAccuracy),
    imagesPerSec: finiteOrNull(e.imagesPerSec),
  };
}
