/**
 * A small conv net and a synthetic two-class image set, shared by the backend tests and bench/train-step-kernels.ts:
 * Conv2D (valid) + ReLU → BatchNormalization → MaxPooling2D 2×2 → GlobalAveragePooling2D → Dense logits, trained
 * with Adam through optimizer.minimize and tf.losses.softmaxCrossEntropy.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../src/lab/util/rng';

/**
 * Builds the net for `size`×`size`×1 images; weights are seeded so runs are reproducible. `convLayers` 2 stacks a
 * second conv (so the step also needs an input gradient, which the first conv, fed by data, does not).
 */
export function buildSmallCnn(size: number, filters = 8, seed = 7, convLayers: 1 | 2 = 1): tf.Sequential {
  const model = tf.sequential();
  for (let i = 0; i < convLayers; i++) {
    model.add(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape: [size, size, 1] } : {}),
        filters,
        kernelSize: 3,
        padding: 'valid',
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 10 * i }),
      }),
    );
  }
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  return model;
}

/**
 * `count` noisy images: class 0 has a bright square in the top-left quarter, class 1 in the bottom-right.
 * Returns images [count,size,size,1] and one-hot labels [count,2].
 */
export function makeBlobData(count: number, size: number, seed = 1): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const rng = createRng(seed);
  const pixels = new Float32Array(count * size * size);
  const labels = new Float32Array(count * 2);
  const half = Math.floor(size / 2);
  for (let n = 0; n < count; n++) {
    const cls = n % 2;
    labels[n * 2 + cls] = 1;
    const off = cls === 0 ? 0 : size - half;
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const inBlob = r >= off && r < off + half && c >= off && c < off + half;
        pixels[(n * size + r) * size + c] = (inBlob ? 0.8 : 0) + 0.3 * (rng.next() - 0.5);
      }
    }
  }
  return { xs: tf.tensor4d(pixels, [count, size, size, 1]), ys: tf.tensor2d(labels, [count, 2]) };
}

/** One Adam step on (xs, ys); returns the loss before the update. */
export function trainStep(model: tf.LayersModel, optimizer: tf.Optimizer, xs: tf.Tensor, ys: tf.Tensor): number {
  const loss = optimizer.minimize(() => {
    const logits = model.apply(xs, { training: true }) as tf.Tensor;
    return tf.losses.softmaxCrossEntropy(ys, logits) as tf.Scalar;
  }, true);
  if (loss == null) throw new Error('minimize returned no loss');
  const value = loss.dataSync()[0];
  loss.dispose();
  return value;
}
