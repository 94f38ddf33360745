/**
 * What a record keeps of an evaluation with more than two classes, and how reports read it. Such a record's
 * `accuracy` is the k-class accuracy of the argmax and its `auc` the macro one-vs-rest AUC (their intervals too);
 * its positive-vs-rest fields (sensitivity, specificity, precision, F1, NPV, tp/fp/tn/fn) are of the schema's positive
 * class and are shown only where the user named that class — otherwise "positive" would be whichever class sorts
 * second. Two-class records have no `multiClass` and read as they always did.
 */
import type { EvaluationResult } from '../eval/evaluate';

/** One class against the rest (see eval/multi-class-metrics.ts for the null rules). */
export interface ClassRecord {
  readonly className: string;
  /** Test images of the class. */
  readonly count: number;
  /** Images predicted as the class (argmax). */
  readonly predicted: number;
  readonly sensitivity: number | null;
  readonly specificity: number | null;
  readonly auc: number | null;
}

/** The multi-class part of a test record. */
export interface MultiClassRecord {
  /** Mean per-class sensitivity (recall). */
  readonly balancedAccuracy: number | null;
  /** Mean one-vs-rest AUC (also the record's `auc`). */
  readonly macroAuc: number | null;
  /** Whether the user named the positive class; only then do the positive-vs-rest fields apply. */
  readonly positiveNamed: boolean;
  /** In class order. */
  readonly perClass: ClassRecord[];
}

/** The minimum of a test record these helpers read (TestRecord has it). */
interface WithMultiClass {
  readonly multiClass?: MultiClassRecord;
}

/** The evaluations a result record holds. */
interface WithEvaluations {
  readonly test: WithMultiClass | null;
  readonly validation: WithMultiClass | null;
  readonly testBeforeAdaptation?: WithMultiClass | null;
}

/** The record of an evaluation's multi-class figures; null for two classes. */
export function multiClassRecord(e: EvaluationResult): MultiClassRecord | null {
  const m = e.multiClass;
  if (!m) return null;
  return {
    balancedAccuracy: finite(m.balancedAccuracy),
    macroAuc: finite(m.macroAuc),
    positiveNamed: m.positiveNamed,
    perClass: m.perClass.map((c, i) => ({
      className: e.classNames[i] ?? `class ${i}`,
      count: c.count,
      predicted: c.predicted,
      sensitivity: finite(c.sensitivity),
      specificity: finite(c.specificity),
      auc: finite(c.auc),
    })),
  };
}

/** True where the positive-vs-rest figures mean something: two classes, or more with the positive class named. */
export function positiveApplies(test: WithMultiClass | null | undefined): boolean {
  return !test?.multiClass || test.multiClass.positiveNamed;
}

/** `value` where the positive class applies to `test`, else null (shown as "—"). */
export function positiveFigure<T>(
  test: (WithMultiClass & T) | null | undefined,
  value: (test: T) => number | null,
): number | null {
  return test && positiveApplies(test) ? value(test) : null;
}

/**
 * The record with `positiveNamed` set on each of its multi-class evaluations: the run loop knows whether the user
 * named the positive class, the evaluation does not.
 */
export function withPositiveNamed<R extends WithEvaluations>(record: R, named: boolean): R {
  const mark = <T extends WithMultiClass | null | undefined>(t: T): T =>
    t?.multiClass && t.multiClass.positiveNamed !== named
      ? { ...t, multiClass: { ...t.multiClass, positiveNamed: named } }
      : t;
  const before = record.testBeforeAdaptation;
  return {
    ...record,
    test: mark(record.test),
    validation: mark(record.validation),
    ...(before !== undefined ? { testBeforeAdaptation: mark(before) } : {}),
  };
}

/** True when every test image was predicted as one class (argmax), read from a k×k confusion matrix. */
export function allPredictedAlike(confusion: readonly (readonly number[])[]): boolean {
  const used = confusion[0]?.filter((_, p) => confusion.some((row) => row[p] > 0)).length ?? 0;
  return used === 1;
}

function finite(x: number | null): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}
