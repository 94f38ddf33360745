/**
 * Metrics of a stored evaluation at the threshold the slider chooses, computed from the kept probabilities with the
 * core's binaryMetrics (imported from its pure module so the page's bundle does not pull in tfjs).
 */
import { binaryMetrics, type BinaryMetrics } from '../../lab/eval/binary-metrics';
import type { ModelResult } from '../../worker/protocol';

export function metricsAt(result: ModelResult, threshold: number): BinaryMetrics | null {
  const k = result.classNames.length;
  const n = result.labels.length;
  if (n === 0 || k < 2) return null;
  const scores = new Float32Array(n);
  const isPositive = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    scores[i] = result.probabilities[i * k + result.positiveClass];
    isPositive[i] = result.labels[i] === result.positiveClass ? 1 : 0;
  }
  return binaryMetrics(isPositive, scores, threshold);
}

/**
 * The confusion matrix shown next to the slider: for two classes, the threshold decision laid out in class order
 * (rows = truth); for more classes, the stored arg-max matrix (a threshold has no meaning there).
 */
export function confusionAt(result: ModelResult, metrics: BinaryMetrics | null): number[][] | null {
  const confusion = result.record.test?.confusion ?? null;
  if (result.classNames.length !== 2 || !metrics) return confusion;
  const { tp, fp, tn, fn } = metrics;
  return result.positiveClass === 1 ? [[tn, fp], [fn, tp]] : [[tp, fn], [fp, tn]];
}
