import * as tf from '@tensorflow/tfjs';
import { disposeSourceBatch, type BatchSource } from './batch-source';

/** The BatchNormalization layers of a model (tfjs keeps `momentum` as a plain field we can change for a moment). */
function batchNormLayers(model: tf.LayersModel): Array<tf.layers.Layer & { momentum: number }> {
  return model.layers.filter((l) => l.getClassName() === 'BatchNormalization') as Array<tf.layers.Layer & { momentum: number }>;
}

/**
 * Replaces BatchNorm's lagging moving averages by the plain average of the batch statistics over `batches` batches of
 * `source` (training images or features, taken in `order`), with the weights as they are now. Forward passes only:
 * no weight changes. Uses momentum i/(i+1) on the i-th batch, which turns the exponential moving average into a
 * running mean. A model without BatchNorm (a transfer head) is left alone.
 */
export function recalibrateBatchNorm(
  model: tf.LayersModel,
  source: BatchSource,
  order: ArrayLike<number>,
  batchSize: number,
  batches: number,
): void {
  const layers = batchNormLayers(model);
  if (layers.length === 0 || batches < 1) return;
  const saved = layers.map((l) => l.momentum);
  try {
    for (let b = 0; b < batches; b++) {
      const start = b * batchSize;
      if (start >= order.length) break;
      const indices = Array.from({ length: Math.min(batchSize, order.length - start) }, (_, i) => order[start + i]);
      for (const layer of layers) layer.momentum = b / (b + 1);
      const batch = source.batch(indices);
      tf.tidy(() => {
        model.apply(batch.inputs, { training: true });
      });
      disposeSourceBatch(batch);
    }
  } finally {
    layers.forEach((l, i) => (l.momentum = saved[i]));
  }
}
