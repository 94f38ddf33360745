/**
 * Runs a classifier over a whole ImageSet in batches and brings back plain numbers: softmax probabilities and the
 * cross-entropy of each image. The lab's models output logits (their softmax lives in the loss), so the softmax is
 * applied here. Only one batch of tensors exists at a time and all of them are disposed.
 */
import * as tf from '@tensorflow/tfjs';
import { batchIndices, type PixelRange } from '../data/batches';
import type { ImageSet } from '../data/image-set';
import { disposeSourceBatch, imageSource, type BatchSource } from '../train/batch-source';

/** Settings of `predictSet`. */
export interface PredictOptions {
  /** Images per predict call (default 64, as the study). */
  readonly batchSize?: number;
  /** Pixel scaling the model expects (default '0,1'). */
  readonly range?: PixelRange;
  /** Called after each batch; awaited, so a worker can yield or report progress. */
  readonly onProgress?: (done: number, total: number) => void | Promise<void>;
}

/** Per-image outputs of a model over a set. */
export interface SetPredictions {
  /** count × numClasses softmax probabilities, row-major, image order of the set. */
  readonly probabilities: Float32Array;
  /** Cross-entropy of each image's logits against its label (natural log). */
  readonly losses: Float32Array;
  /** count × numClasses raw logits, row-major (temperature scaling needs them; softmax(logits) = probabilities). */
  readonly logits: Float32Array;
  readonly numClasses: number;
}

/**
 * Predicts every image of `set`, in order.
 * @throws when the model's output is not [n, classNames.length] logits
 */
export async function predictSet(
  model: tf.LayersModel,
  set: ImageSet,
  options: PredictOptions = {},
): Promise<SetPredictions> {
  return predictSource(model, imageSource(set, options.range ?? '0,1'), options);
}

/**
 * {@link predictSet} over any batch source (images, or cached features for a transfer head); `options.range` is the
 * source's business and ignored here.
 */
export async function predictSource(
  model: tf.LayersModel,
  set: BatchSource,
  options: PredictOptions = {},
): Promise<SetPredictions> {
  const { batchSize = 64, onProgress } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  const numClasses = set.classNames.length;
  const probabilities = new Float32Array(set.count * numClasses);
  const losses = new Float32Array(set.count);
  const logitValues = new Float32Array(set.count * numClasses);
  const order = new Int32Array(set.count);
  for (let i = 0; i < set.count; i++) order[i] = i;

  let done = 0;
  for (const chunk of batchIndices(order, batchSize)) {
    const batch = set.batch(chunk);
    let outputs: [tf.Tensor, tf.Tensor, tf.Tensor];
    try {
      outputs = tf.tidy(() => {
        const logits = asLogits(model.predict(batch.inputs), numClasses);
        // logSoftmax is stable for large logits, and gives both the probabilities and the loss.
        const logProbs = tf.logSoftmax(logits);
        const picked = tf.sum(tf.mul(logProbs, tf.oneHot(batch.labels, numClasses)), 1);
        return [tf.exp(logProbs), tf.neg(picked), logits] as [tf.Tensor, tf.Tensor, tf.Tensor];
      });
    } finally {
      disposeSourceBatch(batch);
    }
    try {
      // Asynchronous reads: dataSync would stall WebGPU.
      const [p, l, z] = await Promise.all([outputs[0].data(), outputs[1].data(), outputs[2].data()]);
      probabilities.set(p, done * numClasses);
      losses.set(l, done);
      logitValues.set(z, done * numClasses);
    } finally {
      tf.dispose(outputs);
    }
    done += chunk.length;
    if (onProgress) await onProgress(done, set.count);
  }
  return { probabilities, losses, logits: logitValues, numClasses };
}

function asLogits(output: tf.Tensor | tf.Tensor[], numClasses: number): tf.Tensor2D {
  if (Array.isArray(output)) throw new Error(`expected a model with one output, got ${output.length}`);
  if (output.rank !== 2 || output.shape[1] !== numClasses) {
    throw new Error(`expected logits of shape [n, ${numClasses}], got [${output.shape.join(', ')}]`);
  }
  return output as tf.Tensor2D;
}

/** Index of the largest probability in each row (the first one on a tie). */
export function argmaxRows(probabilities: Float32Array, numClasses: number): Int32Array {
  const count = probabilities.length / numClasses;
  const predicted = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) {
      if (probabilities[i * numClasses + c] > probabilities[i * numClasses + best]) best = c;
    }
    predicted[i] = best;
  }
  return predicted;
}
