/**
 * The dataset-shift part of a result record, as plain JSON-ready data: which test-time adaptation ran
 * (or why none did), the metrics of the model as trained next to the adapted ones, and the share of the positive
 * class the model's own posteriors imply for the test set, next to the share it was trained for. Both figures are
 * always kept; nothing replaces the unadapted metrics. Plain numbers: no tfjs.
 */
import { metricsAtThreshold } from '../eval/binary-metrics';
import type { EvaluationResult } from '../eval/evaluate';
import type { BatchNormAdaptation } from '../shift/adapt-batchnorm';
import { estimatePriors, priorShiftThreshold } from '../shift/prior-shift';
import { testRecord, type TestRecord } from './test-record';

/** What test-time BatchNorm adaptation did (shift/adapt-batchnorm.ts), copied into the record. */
export interface AdaptationRecord {
  readonly status: 'adapted' | 'skipped';
  /** Why it was skipped (a transfer model, no BatchNorm, fewer images than a batch); null when adapted. */
  readonly reason: string | null;
  readonly notes: string[];
  readonly layers: number;
  readonly images: number;
  readonly batches: number;
}

/**
 * Prior shift (Saerens et al. 2002): the positive share the posteriors were trained for, the share EM estimates on
 * the unlabelled test images, and — two classes only — the threshold that corrects for it with the metrics there.
 */
export interface PriorRecord {
  readonly trainingPrevalence: number;
  /** On the posteriors `test` was scored with (adapted when adaptation ran). */
  readonly estimatedPrevalence: number | null;
  /** On the posteriors of the model as trained; equal to `estimatedPrevalence` without adaptation. */
  readonly estimatedPrevalenceBeforeAdaptation: number | null;
  readonly converged: boolean;
  /** Threshold on P(positive) equivalent to the record's threshold on prior-corrected posteriors; null when undefined. */
  readonly correctedThreshold: number | null;
  /** `test`'s posteriors at `correctedThreshold`. */
  readonly correctedAccuracy: number | null;
  readonly correctedSensitivity: number | null;
  readonly correctedSpecificity: number | null;
}

/** The optional record fields this module fills. */
export interface ShiftRecordFields {
  /** Present when adaptation was asked: 'bn-test' when statistics were re-estimated, 'none' when it was skipped. */
  readonly adaptation?: 'bn-test' | 'none';
  readonly adaptationReport?: AdaptationRecord;
  /** The model as trained, on the same test images; present when adaptation was asked (equal to `test` when skipped). */
  readonly testBeforeAdaptation?: TestRecord | null;
  readonly prior?: PriorRecord | null;
}

export interface ShiftRecordInput {
  /** The model as trained, on the test set. */
  readonly before: EvaluationResult;
  /** What `test` records: adapted when adaptation ran, else `before` itself. */
  readonly after: EvaluationResult;
  /** Null when adaptation was not asked. */
  readonly adaptation: BatchNormAdaptation | null;
  /** Class priors the posteriors reflect (effectiveTrainingPriors); null: no prior estimate. */
  readonly trainingPriors: readonly number[] | null;
}

/** The record fields for a run evaluated under (possible) dataset shift. Never throws: an estimate it cannot make is null. */
export function shiftRecordFields(input: ShiftRecordInput): ShiftRecordFields {
  const { before, after, adaptation } = input;
  const fields: { -readonly [K in keyof ShiftRecordFields]: ShiftRecordFields[K] } = {};
  if (adaptation) {
    fields.adaptation = adaptation.status === 'adapted' ? 'bn-test' : 'none';
    fields.adaptationReport = { ...adaptation, notes: [...adaptation.notes] };
    fields.testBeforeAdaptation = testRecord(before);
  }
  if (input.trainingPriors) fields.prior = priorRecord(before, after, input.trainingPriors);
  return fields;
}

/** The prevalence estimate before and after, and the prior-corrected decision; null when the probabilities are missing. */
function priorRecord(
  before: EvaluationResult,
  after: EvaluationResult,
  trainingPriors: readonly number[],
): PriorRecord | null {
  const k = after.classNames.length;
  const p = after.positiveClass;
  const usable = (e: EvaluationResult) => e.count > 0 && e.probabilities.length === e.count * k;
  if (!usable(after) || trainingPriors.length !== k) return null;
  const estimate = (e: EvaluationResult) => {
    try {
      return estimatePriors(e.probabilities, k, trainingPriors);
    } catch {
      return null;
    }
  };
  const now = estimate(after);
  const then = before === after ? now : usable(before) ? estimate(before) : null;
  const trainingPrevalence = trainingPriors[p];
  const estimatedPrevalence = now?.priors[p] ?? null;
  const inside = (v: number | null): v is number => v != null && v > 0 && v < 1;
  let correctedThreshold: number | null = null;
  let corrected = null;
  if (k === 2 && inside(trainingPrevalence) && inside(estimatedPrevalence)) {
    correctedThreshold = priorShiftThreshold(after.binary.threshold, trainingPrevalence, estimatedPrevalence);
    corrected = metricsAtThreshold(after, correctedThreshold);
  }
  return {
    trainingPrevalence,
    estimatedPrevalence,
    estimatedPrevalenceBeforeAdaptation: then?.priors[p] ?? null,
    converged: now?.converged ?? false,
    correctedThreshold,
    correctedAccuracy: corrected?.accuracy ?? null,
    correctedSensitivity: corrected?.sensitivity ?? null,
    correctedSpecificity: corrected?.specificity ?? null,
  };
}
