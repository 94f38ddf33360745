/**
 * One call for a record: the model's figures on a set as they are ("before"), and with whatever the user asked to
 * counter a dataset shift ("after") — test-time BatchNorm adaptation, a validation-fitted temperature, a prior
 * correction — plus the estimated prevalence, calibration and what each step did. Both sets are always computed;
 * nothing replaces the unadapted figures.
 *
 * Order of the "after" steps: adapt BatchNorm → predict → divide logits by T → estimate the prevalence (EM) on those
 * posteriors → correct them to it. The threshold is applied to the final posteriors; for two classes `prior.threshold`
 * is the same decision expressed on the uncorrected posteriors.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../data/image-set';
import { calibrationOfProbabilities, type CalibrationSummary } from '../eval/calibration';
import { evaluatePredictions, type EvaluateOptions, type EvaluationResult } from '../eval/evaluate';
import { predictSource, type SetPredictions } from '../eval/predict-set';
import { applyTemperature } from '../eval/temperature';
import { imageSource, type BatchSource } from '../train/batch-source';
import {
  skippedAdaptation,
  withAdaptedBatchNorm,
  type AdaptOptions,
  type BatchNormAdaptation,
} from './adapt-batchnorm';
import { adjustPosteriors, estimatePriors, priorShiftThreshold } from './prior-shift';

export type ShiftPhase = 'before' | 'adapting' | 'after';

/** Settings of {@link evaluateUnderShift}: those of evaluateModel, plus what to apply for "after". */
export interface ShiftEvaluationOptions extends Omit<EvaluateOptions, 'onProgress'> {
  /** Re-estimate BatchNorm statistics on the set before scoring it (AdaBN). Default false. */
  readonly adaptBn?: boolean;
  /**
   * With adaptBn: do not adapt, and record this reason instead (e.g. TRANSFER_ADAPTATION_REASON for a transfer head
   * evaluated on cached features).
   */
  readonly skipAdaptation?: string;
  /** Batch size and order seed of the adaptation passes (default: the smaller of `batchSize` and 32; seed 0). */
  readonly adaptation?: Pick<AdaptOptions, 'batchSize' | 'seed'>;
  /** Correct the posteriors to the prevalence estimated on the set (needs `trainingPriors`). Default false. */
  readonly priorCorrection?: boolean;
  /**
   * Class priors the model's posteriors reflect (effectiveTrainingPriors: the training mix, or equal priors with
   * balanced class weights). Needed for the prevalence estimate, which is reported whenever they are given.
   */
  readonly trainingPriors?: readonly number[];
  /** Temperature fitted on validation logits (fitTemperatureOnSet); 1 or absent = none. */
  readonly temperature?: number | null;
  /** Reliability bins (default 10). */
  readonly calibrationBins?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (phase: ShiftPhase, done: number, total: number) => void | Promise<void>;
}

/** The prevalence of the positive class: assumed by the model, estimated on the set, and the decision it implies. */
export interface PriorReport {
  readonly trainingPrevalence: number;
  /** EM estimate on the posteriors "after" uses, before the correction (so: adapted and temperature-scaled). */
  readonly estimatedPrevalence: number;
  /** The same estimate on the unadapted, unscaled posteriors. */
  readonly estimatedPrevalenceBefore: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** Two classes and priorCorrection only: the threshold on the uncorrected posteriors equal to `threshold` on the corrected ones. */
  readonly threshold: number | null;
}

/** Both metric sets and what stands between them. */
export interface ShiftEvaluation {
  /** Exactly what evaluateModel reports for the model as trained. */
  readonly before: EvaluationResult;
  /** With the requested steps; equal in value to `before` when none applied. */
  readonly after: EvaluationResult;
  /** Steps that changed "after", in order ('bn-test' only when adaptation ran, not when it was skipped). */
  readonly applied: readonly ('bn-test' | 'temperature' | 'prior')[];
  /** What adaptation did or why it was skipped; null when not asked. */
  readonly adaptation: BatchNormAdaptation | null;
  /** Null without `trainingPriors`. */
  readonly prior: PriorReport | null;
  readonly temperature: number;
  readonly calibration: { readonly before: CalibrationSummary; readonly after: CalibrationSummary };
}

/**
 * Evaluates `model` (image → logits) on `data` before and after the requested shift remedies. The model is left as it
 * was (adapted statistics are restored); tensor memory is back where it started when the promise settles.
 * @throws as evaluateModel for a bad set or positive class; on priorCorrection without trainingPriors; when cancelled
 */
export async function evaluateUnderShift(
  model: tf.LayersModel,
  data: ImageSet | BatchSource,
  options: ShiftEvaluationOptions,
): Promise<ShiftEvaluation> {
  const { positiveClass, batchSize = 64 } = options;
  const source = 'pixels' in data ? imageSource(data, options.range ?? '0,1') : data;
  const numClasses = source.classNames.length;
  const temperature = options.temperature ?? 1;
  if (options.priorCorrection && !options.trainingPriors)
    throw new Error('priorCorrection needs trainingPriors (the class priors the model was trained for)');
  if (!(temperature > 0 && Number.isFinite(temperature)))
    throw new RangeError(`temperature must be a positive number (got ${temperature})`);
  const labels = source.labels.subarray(0, source.count);
  const progress = (phase: ShiftPhase) => (done: number, total: number) => options.onProgress?.(phase, done, total);

  const metricOptions: EvaluateOptions = { positiveClass, threshold: options.threshold, bootstrap: options.bootstrap };
  const score = (p: Float32Array, losses: ArrayLike<number>) =>
    evaluatePredictions({ probabilities: p, losses, labels, classNames: source.classNames }, metricOptions);
  const plain = await predictSource(model, source, { batchSize, onProgress: progress('before') });
  const before = score(plain.probabilities, plain.losses);

  let adaptation: BatchNormAdaptation | null = null;
  let predicted: SetPredictions = plain;
  if (options.adaptBn && options.skipAdaptation) {
    adaptation = skippedAdaptation(options.skipAdaptation);
  } else if (options.adaptBn) {
    const adapted = await withAdaptedBatchNorm(
      model,
      source,
      {
        batchSize: options.adaptation?.batchSize ?? Math.max(2, Math.min(32, batchSize)),
        seed: options.adaptation?.seed,
        signal: options.signal,
        onProgress: progress('adapting'),
      },
      (a) =>
        a.status === 'adapted' ? predictSource(model, source, { batchSize, onProgress: progress('after') }) : plain,
    );
    adaptation = adapted.adaptation;
    predicted = adapted.value;
  }

  // Temperature: from the logits (exact); the prior correction then works on those posteriors.
  const scaled =
    temperature === 1 ? predicted.probabilities : applyTemperature(predicted.logits, numClasses, temperature);
  let final = scaled;
  let prior: PriorReport | null = null;
  if (options.trainingPriors) {
    const trainingPriors = options.trainingPriors;
    const estimate = estimatePriors(scaled, numClasses, trainingPriors);
    const plainEstimate =
      predicted === plain && scaled === plain.probabilities
        ? estimate
        : estimatePriors(plain.probabilities, numClasses, trainingPriors);
    const trainingPrevalence = trainingPriors[positiveClass];
    const estimatedPrevalence = estimate.priors[positiveClass];
    let threshold: number | null = null;
    if (options.priorCorrection) {
      final = Float32Array.from(adjustPosteriors(scaled, numClasses, trainingPriors, estimate.priors));
      const inside = (v: number) => v > 0 && v < 1;
      if (numClasses === 2 && inside(trainingPrevalence) && inside(estimatedPrevalence)) {
        threshold = priorShiftThreshold(options.threshold ?? 0.5, trainingPrevalence, estimatedPrevalence);
      }
    }
    prior = {
      trainingPrevalence,
      estimatedPrevalence,
      estimatedPrevalenceBefore: plainEstimate.priors[positiveClass],
      iterations: estimate.iterations,
      converged: estimate.converged,
      threshold,
    };
  }
  const after =
    final === plain.probabilities
      ? before
      : final === predicted.probabilities
        ? score(predicted.probabilities, predicted.losses)
        : score(final, crossEntropy(final, labels, numClasses));

  const applied: ShiftEvaluation['applied'][number][] = [];
  if (adaptation?.status === 'adapted') applied.push('bn-test');
  if (temperature !== 1) applied.push('temperature');
  if (options.priorCorrection) applied.push('prior');
  const calibrate = (p: Float32Array) =>
    calibrationOfProbabilities(p, labels, numClasses, positiveClass, options.calibrationBins);
  return {
    before,
    after,
    applied,
    adaptation,
    prior,
    temperature,
    calibration: { before: calibrate(before.probabilities), after: calibrate(after.probabilities) },
  };
}

/** −log p(true class) per image, from probabilities (capped where float32 rounded a probability to 0). */
function crossEntropy(probabilities: Float32Array, labels: ArrayLike<number>, numClasses: number): Float64Array {
  return Float64Array.from(
    { length: labels.length },
    (_, i) => -Math.log(Math.max(probabilities[i * numClasses + labels[i]], 1e-45)),
  );
}
