/**
 * Result records and the reports made from them (JSON file, Markdown report, terminal table). Framework-free.
 */
export {
  makeResultRecord,
  type ResultRecord,
  type TrainingSummary,
  type TestRecord,
  type EpochRecord,
  type EpochInput,
  type IntervalRecord,
  type RunStatus,
} from './result-record';
export { renderResultsJson, parseResultsJson, type ResultsFile } from './render-json';
export { renderMarkdownReport, renderMarkdownTable, type MarkdownOptions } from './render-markdown';
export { renderComparisonTable, comparisonColumns, modelName, type ComparisonColumn } from './comparison-table';
export {
  formatBytes,
  formatDuration,
  formatFixed,
  formatInteger,
  formatRatio,
  formatWithInterval,
  MISSING,
} from './format';
export { shiftRecordFields, type AdaptationRecord, type CalibrationRecord, type PriorRecord, type ReliabilityBinRecord, type ShiftRecordFields, type ShiftRecordInput } from './shift-record';
export { renderPredictionsCsv, predictedClassAt, csvField, type RunPredictions, type PredictionsCsvOptions } from './predictions-csv';
