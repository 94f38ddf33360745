import * as tf from '@tensorflow/tfjs';
import { batchIndices, disposeBatch, makeBatch, type PixelRange } from '../data/batches';
import type { ImageSet } from '../data/image-set';
import { countCorrect, logitsLoss } from './loss';

/** Loss (cross-entropy + regularisation, as Keras' val_loss) and accuracy of `model` in inference mode. */
export async function validate(
  model: tf.LayersModel,
  set: ImageSet,
  batchSize: number,
  range: PixelRange,
): Promise<{ loss: number; accuracy: number }> {
  const order = Int32Array.from({ length: set.count }, (_, i) => i);
  let lossSum = 0;
  let correct = 0;
  for (const indices of batchIndices(order, batchSize)) {
    const batch = makeBatch(set, indices, range);
    const [loss, hits] = tf.tidy(() => {
      const logits = model.apply(batch.images, { training: false }) as tf.Tensor2D;
      return [logitsLoss(model, logits, batch.labels), countCorrect(logits, batch.labels)];
    });
    const [l, h] = await Promise.all([loss.data(), hits.data()]);
    tf.dispose([loss, hits]);
    disposeBatch(batch);
    lossSum += l[0] * indices.length;
    correct += h[0];
  }
  return { loss: lossSum / set.count, accuracy: correct / set.count };
}
