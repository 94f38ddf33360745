/**
 * Repeats over seeds, summarised per model: mean, standard deviation, minimum and maximum of the headline metrics,
 * and which runs were degenerate (every test image given one class — the failure the study's k=1 and k=3 rows
 * show). Framework-free: the page, the CLI and the reports share it.
 */
import { singleRuns } from './ensemble-record';
import { allPredictedAlike, positiveFigure } from './multi-class-record';
import type { ResultRecord } from './result-record';
import type { TestRecord } from './test-record';
import { shiftSummary, type ShiftSummary } from './shift-summary';
import { stat, type Stat } from './stat';

export interface ModelSummary extends ShiftSummary {
  readonly modelId: string;
  readonly label: string;
  /** Seeds of every run of the model, in run order. */
  readonly seeds: number[];
  /** Runs that finished with test metrics (status ok). */
  readonly okRuns: number;
  readonly accuracy: Stat | null;
  readonly sensitivity: Stat | null;
  readonly specificity: Stat | null;
  readonly auc: Stat | null;
  readonly f1: Stat | null;
  readonly trainTimeMs: Stat | null;
  /** Validation accuracy at the kept epoch, for the val → test gap. */
  readonly validationAccuracy: Stat | null;
  /** Seeds of runs whose test predictions (at the threshold) all fell in one class. */
  readonly degenerateRuns: number[];
  /** More than two classes only: balanced accuracy over the runs. */
  readonly balancedAccuracy?: Stat | null;
}

/** True when every test image was given the same class: at the threshold, or (more than two classes) by argmax. */
export function isDegenerate(test: TestRecord): boolean {
  if (test.multiClass) return test.count > 0 && allPredictedAlike(test.confusion);
  return test.count > 0 && (test.tp + test.fp === 0 || test.tn + test.fn === 0);
}

/**
 * One summary per model, in the order the models first appear in `records`. Seed ensembles are left out: they are
 * not one more repeat, and the spread over seeds is the spread of single runs (they stand as rows of their own).
 */
export function summariseRecords(records: readonly ResultRecord[]): ModelSummary[] {
  const byModel = new Map<string, ResultRecord[]>();
  for (const r of singleRuns(records)) byModel.set(r.modelId, [...(byModel.get(r.modelId) ?? []), r]);
  return [...byModel.values()].map((runs) => {
    const ok = runs.filter((r) => r.status === 'ok' && r.test !== null);
    const tests = ok.map((r) => r.test!);
    return {
      modelId: runs[0].modelId,
      label: runs[0].label,
      seeds: runs.map((r) => r.seed),
      okRuns: ok.length,
      accuracy: stat(tests.map((t) => t.accuracy)),
      sensitivity: stat(tests.map((t) => positiveFigure(t, (x) => x.sensitivity))),
      specificity: stat(tests.map((t) => positiveFigure(t, (x) => x.specificity))),
      auc: stat(tests.map((t) => t.auc)),
      f1: stat(tests.map((t) => positiveFigure(t, (x) => x.f1))),
      trainTimeMs: stat(ok.map((r) => r.trainTimeMs)),
      validationAccuracy: stat(ok.map((r) => r.validation?.accuracy)),
      degenerateRuns: ok.filter((r) => isDegenerate(r.test!)).map((r) => r.seed),
      ...(tests.some((t) => t.multiClass)
        ? { balancedAccuracy: stat(tests.map((t) => t.multiClass?.balancedAccuracy)) }
        : {}),
      ...shiftSummary(ok),
    };
  });
}

/**
 * Test accuracy this far below validation accuracy means the test images differ from the training images (dataset
 * shift), and the validation figure should not be trusted as a forecast.
 */
export const SHIFT_WARNING_GAP = 0.1;

/** Validation accuracy minus test accuracy of a run (positive: worse on test), or null when either is missing. */
export function valTestGap(record: ResultRecord): number | null {
  const val = record.validation?.accuracy;
  const test = record.test?.accuracy;
  return val == null || test == null ? null : val - test;
}
