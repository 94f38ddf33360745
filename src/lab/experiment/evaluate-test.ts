/**
 * A run's test-set scoring with the dataset-shift figures: the model as trained, and — when the
 * experiment asks for `adaptBn` — the same model after its BatchNorm statistics were re-estimated on the test
 * images (no labels used; the original statistics are put back). The record's `test` holds the adapted figures,
 * `testBeforeAdaptation` the unadapted ones; the prevalence estimate and calibration are recorded either way.
 */
import type * as tf from '@tensorflow/tfjs';
import type { PixelRange } from '../data/batches';
import { countPerClass, type ImageSet } from '../data/image-set';
import type { EvaluationResult } from '../eval/evaluate';
import { shiftRecordFields, type ShiftRecordFields } from '../report/shift-record';
import { skippedAdaptation, TRANSFER_ADAPTATION_REASON } from '../shift/adapt-batchnorm';
import { evaluateUnderShift } from '../shift/evaluate-under-shift';
import { effectiveTrainingPriors } from '../shift/prior-shift';
import { resolveClassWeights } from '../train/class-weights';
import type { RunConfig } from './run-config';

/** What a runner records from the test set. */
export interface TestScoring {
  /** What `test` records: adapted when adaptation ran. */
  readonly evaluation: EvaluationResult;
  /** The model as trained; null when adaptation was not asked (then it is `evaluation`). */
  readonly beforeAdaptation: EvaluationResult | null;
  /** For makeResultRecord's `shift` argument. */
  readonly shift: ShiftRecordFields;
}

/** Priors the model's posteriors reflect: the training mix, weighted as the loss weighed it. */
export function trainingPriorsOf(train: ImageSet, config: Pick<RunConfig, 'classWeights'>): number[] | null {
  try {
    const weights = resolveClassWeights(train, config.classWeights);
    return effectiveTrainingPriors(countPerClass(train), weights ? Array.from(weights) : null);
  } catch {
    return null; // an empty training set: no prior to estimate against
  }
}

/**
 * Scores an image model on `test`, before and (with config.adaptBn) after test-time BatchNorm adaptation. A set
 * adaptation cannot use (fewer images than a batch, no BatchNorm) is scored unadapted and the record says why.
 * The model is left as it was; tensor memory is back where it started when the promise settles.
 */
export async function scoreImageTest(
  model: tf.LayersModel,
  test: ImageSet,
  train: ImageSet,
  config: RunConfig,
  range: PixelRange,
): Promise<TestScoring> {
  const shifted = await evaluateUnderShift(model, test, {
    positiveClass: config.positiveClass,
    threshold: config.threshold,
    batchSize: config.batchSize,
    range,
    bootstrap:
      config.bootstrapIterations > 0 ? { iterations: config.bootstrapIterations, seed: config.seed } : undefined,
    adaptBn: config.adaptBn,
    adaptation: { seed: config.seed },
  });
  const trainingPriors = trainingPriorsOf(train, config);
  return {
    evaluation: shifted.after,
    beforeAdaptation: config.adaptBn ? shifted.before : null,
    shift: shiftRecordFields({
      before: shifted.before,
      after: shifted.after,
      adaptation: shifted.adaptation,
      trainingPriors,
    }),
  };
}

/**
 * The shift fields of a transfer model's test evaluation: never adapted (TRANSFER_ADAPTATION_REASON says why, when
 * adaptation was asked), so both metric sets are the same; the prevalence estimate and calibration still apply.
 */
export function transferTestShift(evaluation: EvaluationResult, train: ImageSet, config: RunConfig): ShiftRecordFields {
  return shiftRecordFields({
    before: evaluation,
    after: evaluation,
    adaptation: config.adaptBn ? skippedAdaptation(TRANSFER_ADAPTATION_REASON) : null,
    trainingPriors: trainingPriorsOf(train, config),
  });
}
