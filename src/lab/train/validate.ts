import * as tf from '@tensorflow/tfjs';
import { batchIndices, type PixelRange } from '../data/batches';
import type { ImageSet } from '../data/image-set';
import { disposeSourceBatch, imageSource, type BatchSource } from './batch-source';
import { countCorrect, logitsLoss } from './loss';

/** Loss (cross-entropy + regularisation, as Keras' val_loss) and accuracy of `model` in inference mode. */
export async function validate(
  model: tf.LayersModel,
  set: ImageSet,
  batchSize: number,
  range: PixelRange,
): Promise<{ loss: number; accuracy: number }> {
  return validateSource(model, imageSource(set, range), batchSize);
}

/** {@link validate} over any batch source (images or cached features). */
export async function validateSource(
  model: tf.LayersModel,
  source: BatchSource,
  batchSize: number,
): Promise<{ loss: number; accuracy: number }> {
  const order = Int32Array.from({ length: source.count }, (_, i) => i);
  let lossSum = 0;
  let correct = 0;
  for (const indices of batchIndices(order, batchSize)) {
    const batch = source.batch(indices);
    const [loss, hits] = tf.tidy(() => {
      const logits = model.apply(batch.inputs, { training: false }) as tf.Tensor2D;
      return [logitsLoss(model, logits, batch.labels), countCorrect(logits, batch.labels)];
    });
    const [l, h] = await Promise.all([loss.data(), hits.data()]);
    tf.dispose([loss, hits]);
    disposeSourceBatch(batch);
    lossSum += l[0] * indices.length;
    correct += h[0];
  }
  return { loss: lossSum / source.count, accuracy: correct / source.count };
}
