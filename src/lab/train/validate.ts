import * as tf from '@tensorflow/tfjs';
import { batchIndices, type PixelRange } from '../data/batches';
import type { ImageSet } from '../data/image-set';
import { disposeSourceBatch, imageSource, type BatchSource } from './batch-source';
import { countCorrect, logitsLoss, perImageCrossEntropy } from './loss';

/** Loss (cross-entropy + regularisation, as Keras' val_loss) and accuracy of `model` in inference mode. */
export async function validate(
  model: tf.LayersModel,
  set: ImageSet,
  batchSize: number,
  range: PixelRange,
): Promise<ValidationFigures> {
  return validateSource(model, imageSource(set, range), batchSize);
}

/** Validation figures: `balancedLoss` averages the classes' mean cross-entropies (classes present only) + regularisation. */
export interface ValidationFigures {
  loss: number;
  accuracy: number;
  balancedLoss: number;
}

/** {@link validate} over any batch source (images or cached features). */
export async function validateSource(
  model: tf.LayersModel,
  source: BatchSource,
  batchSize: number,
): Promise<ValidationFigures> {
  const order = Int32Array.from({ length: source.count }, (_, i) => i);
  let lossSum = 0;
  let correct = 0;
  let penalty = 0;
  const classSums = new Float64Array(source.classNames.length);
  const classCounts = new Float64Array(source.classNames.length);
  for (const indices of batchIndices(order, batchSize)) {
    const batch = source.batch(indices);
    const [loss, hits, perImage] = tf.tidy(() => {
      const logits = model.apply(batch.inputs, { training: false }) as tf.Tensor2D;
      return [
        logitsLoss(model, logits, batch.labels),
        countCorrect(logits, batch.labels),
        perImageCrossEntropy(logits, batch.labels),
      ];
    });
    const [l, h, each] = await Promise.all([loss.data(), hits.data(), perImage.data()]);
    tf.dispose([loss, hits, perImage]);
    disposeSourceBatch(batch);
    lossSum += l[0] * indices.length;
    correct += h[0];
    let meanCe = 0;
    for (let i = 0; i < indices.length; i++) {
      const label = source.labels[indices[i]];
      classSums[label] += each[i];
      classCounts[label] += 1;
      meanCe += each[i] / indices.length;
    }
    // The regularisation term is the same for every batch: what the total adds to the batch's mean cross-entropy.
    penalty = l[0] - meanCe;
  }
  let classMeans = 0;
  let present = 0;
  classCounts.forEach((n, c) => {
    if (n > 0) {
      classMeans += classSums[c] / n;
      present++;
    }
  });
  return {
    loss: lossSum / source.count,
    accuracy: correct / source.count,
    balancedLoss: (present > 0 ? classMeans / present : 0) + penalty,
  };
}
