/**
 * Honest evaluation under dataset shift: test-time BatchNorm adaptation, prior-shift estimation and correction,
 * temperature scaling, and shifted evaluation sets built from data the lab already has. Framework-free.
 */
export {
  AdaptationCancelledError,
  adaptBatchNorm,
  skippedAdaptation,
  TRANSFER_ADAPTATION_REASON,
  withAdaptedBatchNorm,
  type AdaptedBatchNorm,
  type AdaptOptions,
  type BatchNormAdaptation,
} from './adapt-batchnorm';
export {
  adjustPosteriors,
  effectiveTrainingPriors,
  estimatePriors,
  priorShiftThreshold,
  type PriorEstimate,
  type PriorEstimateOptions,
} from './prior-shift';
export {
  evaluateUnderShift,
  type PriorReport,
  type ShiftEvaluation,
  type ShiftEvaluationOptions,
  type ShiftPhase,
} from './evaluate-under-shift';
export { fitTemperatureOnSet } from './fit-temperature';
export { describeShift, shiftImageSet, type ImageShift } from './image-shifts';
export { resampleToPrevalence, type ResampleOptions } from './resample-prior';
