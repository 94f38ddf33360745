/**
 * One evaluation's metrics as a plain, JSON-ready record: a run's test and validation results and, under dataset
 * shift, the model as trained. A number that is missing or not finite is stored as null (JSON has no NaN).
 */
import { calibrationOfProbabilities } from '../eval/calibration';
import type { EvaluationResult } from '../eval/evaluate';
import { multiClassRecord, type MultiClassRecord } from './multi-class-record';

/** A two-sided interval. */
export interface IntervalRecord {
  readonly low: number;
  readonly high: number;
}

/** One reliability-diagram bar (equal-width bins of P(positive)); null rates mark an empty bin. */
export interface ReliabilityBinRecord {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  readonly meanPredicted: number | null;
  readonly observedRate: number | null;
}

/** Calibration of one set's P(positive): positive-class ECE over the bins, Brier score, and the bins themselves. */
export interface CalibrationRecord {
  readonly ece: number | null;
  readonly brier: number | null;
  readonly bins: ReliabilityBinRecord[];
}

/** Test-set metrics of one model (positive class vs rest at `threshold`; see BinaryMetrics for the null rules). */
export interface TestRecord {
  readonly count: number;
  readonly accuracy: number | null;
  readonly sensitivity: number | null;
  readonly specificity: number | null;
  readonly precision: number | null;
  readonly f1: number | null;
  readonly npv: number | null;
  readonly auc: number | null;
  /** Mean cross-entropy (natural log). */
  readonly loss: number | null;
  readonly threshold: number;
  /** Rows = true class, columns = predicted (argmax), in classNames order. */
  readonly confusion: number[][];
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
  /** Bootstrap intervals, when they were computed. */
  readonly ci: {
    readonly level: number;
    readonly iterations: number;
    readonly accuracy: IntervalRecord;
    readonly auc: IntervalRecord | null;
  } | null;
  /** ECE, Brier score and reliability bins of P(positive); absent when the probabilities were not kept. */
  readonly calibration?: CalibrationRecord;
  /**
   * More than two classes only: balanced accuracy and per-class figures. Then `accuracy` is the k-class accuracy of
   * the argmax, `auc` the macro one-vs-rest AUC, `ci` theirs (report/multi-class-record.ts).
   */
  readonly multiClass?: MultiClassRecord;
}

/** The plain record of one evaluation (also used for `testBeforeAdaptation`). */
export function testRecord(e: EvaluationResult): TestRecord {
  const b = e.binary;
  const calibration = calibrationRecord(e);
  const multiClass = multiClassRecord(e);
  return {
    count: e.count,
    accuracy: finiteOrNull(e.multiClass ? e.multiClass.accuracy : b.accuracy),
    sensitivity: finiteOrNull(b.sensitivity),
    specificity: finiteOrNull(b.specificity),
    precision: finiteOrNull(b.precision),
    f1: finiteOrNull(b.f1),
    npv: finiteOrNull(b.npv),
    auc: finiteOrNull(e.multiClass ? e.multiClass.macroAuc : e.auc),
    loss: finiteOrNull(e.loss),
    threshold: b.threshold,
    confusion: e.confusion.map((row) => [...row]),
    tp: b.tp,
    fp: b.fp,
    tn: b.tn,
    fn: b.fn,
    ci: e.ci
      ? {
          level: e.ci.level,
          iterations: e.ci.iterations,
          accuracy: { low: e.ci.accuracy.low, high: e.ci.accuracy.high },
          auc: e.ci.auc ? { low: e.ci.auc.low, high: e.ci.auc.high } : null,
        }
      : null,
    ...(calibration ? { calibration } : {}),
    ...(multiClass ? { multiClass } : {}),
  };
}

/** Calibration of the kept probabilities; null when there are none (a hand-made evaluation) or they do not fit. */
function calibrationRecord(e: EvaluationResult): CalibrationRecord | null {
  const k = e.classNames.length;
  if (e.count === 0 || e.labels.length !== e.count || e.probabilities.length !== e.count * k) return null;
  let c;
  try {
    c = calibrationOfProbabilities(e.probabilities, e.labels, k, e.positiveClass);
  } catch {
    return null; // a NaN probability (a diverged network): the record stays writable, without calibration
  }
  return {
    ece: finiteOrNull(c.ece),
    brier: finiteOrNull(c.brier),
    bins: c.bins.map((bin) => ({
      lower: bin.lower,
      upper: bin.upper,
      count: bin.count,
      meanPredicted: finiteOrNull(bin.meanPredicted),
      observedRate: finiteOrNull(bin.observedRate),
    })),
  };
}

/** A finite number, else null (undefined, null, NaN and ±Infinity have no JSON form). */
export function finiteOrNull(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}
