/**
 * The comparison "before test-time adaptation": each run as the model scored before its BatchNorm
 * statistics were re-estimated on the test images. Runs trained here keep those probabilities, so the threshold
 * slider, ROC curves and confusion matrices follow as usual; a run opened from a file keeps only the recorded
 * figures, which are then shown at the recorded threshold.
 */
import { metricsFromCounts, type BinaryMetrics } from '../../lab/eval/binary-metrics';
import { rocCurve } from '../../lab/eval/roc';
import type { ModelResult } from '../../worker/protocol';
import { metricsAt } from './threshold-metrics';

/** True when some run recorded a second, unadapted metric set. */
export function hasUnadaptedFigures(results: readonly ModelResult[]): boolean {
  return results.some((r) => r.record.testBeforeAdaptation != null);
}

/**
 * The run as it scored before adaptation: `record.test` is `testBeforeAdaptation`, and the probabilities, labels and
 * ROC are the unadapted ones when kept (else empty). A run without a second set is returned as it is.
 */
export function unadaptedView(result: ModelResult): ModelResult {
  const before = result.record.testBeforeAdaptation;
  if (!before) return result;
  const p = result.probabilitiesBeforeAdaptation;
  const kept = p != null && p.length > 0 && p.length === result.probabilities.length && result.labels.length > 0;
  const record = { ...result.record, test: before };
  if (!kept) return { ...result, record, probabilities: new Float32Array(0), labels: new Int32Array(0), roc: [] };
  const width = result.classNames.length;
  const positives = Int32Array.from(result.labels, (l) => (l === result.positiveClass ? 1 : 0));
  const scores = Float32Array.from({ length: result.labels.length }, (_, i) => p[i * width + result.positiveClass]);
  return { ...result, record, probabilities: p, roc: new Set(positives).size === 2 ? rocCurve(positives, scores) : [] };
}

/** Metrics at the slider's threshold from kept probabilities; else the recorded ones at the recorded threshold. */
export function viewMetrics(result: ModelResult, threshold: number): BinaryMetrics | null {
  const live = metricsAt(result, threshold);
  if (live) return live;
  const t = result.record.test;
  return t && result.record.testBeforeAdaptation ? metricsFromCounts(t.threshold, t.tp, t.fp, t.tn, t.fn) : null;
}
