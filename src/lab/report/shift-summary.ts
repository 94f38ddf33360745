/**
 * The dataset-shift part of the per-model summary over seeds: the unadapted metrics next to the adapted
 * ones, calibration, and the estimated prevalence next to the trained-for one. Fields appear only when some run
 * recorded them, so summaries of runs without them keep their old shape.
 */
import type { ResultRecord } from './result-record';
import { stat, type Stat } from './stat';

export interface ShiftSummary {
  /** Present when adaptation was asked: the same headline metrics for the model as trained. */
  readonly beforeAdaptation?: {
    readonly accuracy: Stat | null;
    readonly sensitivity: Stat | null;
    readonly specificity: Stat | null;
    readonly auc: Stat | null;
    readonly ece: Stat | null;
  };
  /** Runs whose statistics were re-estimated (adaptation 'bn-test'). */
  readonly adaptedRuns?: number;
  /** Of `test` (adapted when adaptation ran). */
  readonly ece?: Stat | null;
  readonly brier?: Stat | null;
  readonly trainingPrevalence?: Stat | null;
  readonly estimatedPrevalence?: Stat | null;
}

/** The shift fields of one model's summary, from its finished runs (status ok, with test metrics). */
export function shiftSummary(ok: readonly ResultRecord[]): ShiftSummary {
  const out: { -readonly [K in keyof ShiftSummary]: ShiftSummary[K] } = {};
  const before = ok.filter((r) => r.testBeforeAdaptation).map((r) => r.testBeforeAdaptation!);
  if (before.length > 0) {
    out.beforeAdaptation = {
      accuracy: stat(before.map((t) => t.accuracy)),
      sensitivity: stat(before.map((t) => t.sensitivity)),
      specificity: stat(before.map((t) => t.specificity)),
      auc: stat(before.map((t) => t.auc)),
      ece: stat(before.map((t) => t.calibration?.ece)),
    };
    out.adaptedRuns = ok.filter((r) => r.adaptation === 'bn-test').length;
  }
  if (ok.some((r) => r.test?.calibration)) {
    out.ece = stat(ok.map((r) => r.test?.calibration?.ece));
    out.brier = stat(ok.map((r) => r.test?.calibration?.brier));
  }
  if (ok.some((r) => r.prior)) {
    out.trainingPrevalence = stat(ok.map((r) => r.prior?.trainingPrevalence));
    out.estimatedPrevalence = stat(ok.map((r) => r.prior?.estimatedPrevalence));
  }
  return out;
}
