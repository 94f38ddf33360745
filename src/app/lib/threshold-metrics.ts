/**
 * Metrics of a stored evaluation at the threshold the slider chooses, computed from the kept probabilities with the
 * core's binaryMetrics (imported from its pure module so the page's bundle does not pull in tfjs).
 */
import { metricsAtThreshold, type BinaryMetrics } from '../../lab/eval/binary-metrics';
import type { ModelResult } from '../../worker/protocol';

/** Null when there is nothing to score (no test images, or a single class). */
export function metricsAt(result: ModelResult, threshold: number): BinaryMetrics | null {
  if (result.labels.length === 0 || result.classNames.length < 2) return null;
  return metricsAtThreshold(result, threshold);
}

/**
 * The confusion matrix shown next to the slider: for two classes, the threshold decision laid out in class order
 * (rows = truth); for more classes, the stored arg-max matrix (a threshold has no meaning there).
 */
export function confusionAt(result: ModelResult, metrics: BinaryMetrics | null): number[][] | null {
  const confusion = result.record.test?.confusion ?? null;
  if (result.classNames.length !== 2 || !metrics) return confusion;
  const { tp, fp, tn, fn } = metrics;
  return result.positiveClass === 1
    ? [
        [tn, fp],
        [fn, tp],
      ]
    : [
        [tp, fn],
        [fp, tn],
      ];
}
