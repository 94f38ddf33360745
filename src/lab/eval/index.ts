/**
 * Evaluation of trained classifiers: confusion matrices, threshold metrics, ROC/AUC, bootstrap intervals,
 * inference timing and whole-set evaluation. Framework-free: runs in the page, a worker and Node.
 */
export { confusionMatrix, confusionAccuracy } from './confusion-matrix';
export {
  multiClassMetrics,
  oneVsRestAucs,
  bootstrapMultiClass,
  type ClassMetrics,
  type MultiClassMetrics,
} from './multi-class-metrics';
export { binaryMetrics, metricsFromCounts, type BinaryMetrics } from './binary-metrics';
export { rocCurve, rocAuc, type RocPoint } from './roc';
export {
  bootstrapConfidence,
  percentile,
  type BootstrapOptions,
  type BootstrapResult,
  type Interval,
} from './bootstrap';
export { measureInference, type InferenceOptions, type InferenceTiming } from './latency';
export { median } from './median';
export { predictSet, predictSource, argmaxRows, type PredictOptions, type SetPredictions } from './predict-set';
export {
  evaluateModel,
  evaluatePredictions,
  evaluateSource,
  metricsAtThreshold,
  type EvaluateOptions,
  type EvaluationResult,
  type ScoredSet,
} from './evaluate';
export {
  calibrationOfProbabilities,
  calibrationSummary,
  DEFAULT_CALIBRATION_BINS,
  type CalibrationSummary,
  type ReliabilityBin,
} from './calibration';
export { applyTemperature, fitTemperature, meanNll, TEMPERATURE_RANGE, type TemperatureFit } from './temperature';
