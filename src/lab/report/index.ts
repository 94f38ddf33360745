/**
 * Result records and the reports made from them (JSON file, Markdown report, terminal table). Framework-free.
 */
export {
  makeResultRecord,
  type ResultRecord,
  type TrainingSummary,
  type EpochRecord,
  type EpochInput,
  type RunStatus,
} from './result-record';
export {
  testRecord,
  type TestRecord,
  type IntervalRecord,
  type CalibrationRecord,
  type ReliabilityBinRecord,
} from './test-record';
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
export {
  shiftRecordFields,
  type AdaptationRecord,
  type PriorRecord,
  type ShiftRecordFields,
  type ShiftRecordInput,
} from './shift-record';
export {
  renderPredictionsCsv,
  predictedClassAt,
  csvField,
  type RunPredictions,
  type PredictionsCsvOptions,
} from './predictions-csv';
