import type * as tf from '@tensorflow/tfjs';
import { BatchNormAverager } from '../models/batchnorm-statistics';
import { disposeSourceBatch, type BatchSource } from './batch-source';

/**
 * Replaces BatchNorm's lagging moving averages by the plain average of the batch statistics over `batches` batches of
 * `source` (training images or features, taken in `order`), with the weights as they are now. Forward passes only:
 * no weight changes. A model without BatchNorm (a transfer head) is left alone. The same running average serves
 * test-time adaptation (shift/adapt-batchnorm.ts).
 */
export function recalibrateBatchNorm(
  model: tf.LayersModel,
  source: BatchSource,
  order: ArrayLike<number>,
  batchSize: number,
  batches: number,
): void {
  const averager = new BatchNormAverager(model);
  if (averager.layerCount === 0) return;
  for (let b = 0; b < batches; b++) {
    const start = b * batchSize;
    if (start >= order.length) break;
    const indices = Array.from({ length: Math.min(batchSize, order.length - start) }, (_, i) => order[start + i]);
    const batch = source.batch(indices);
    try {
      averager.add(batch.inputs);
    } finally {
      disposeSourceBatch(batch);
    }
  }
}
