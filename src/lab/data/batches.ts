import * as tf from '@tensorflow/tfjs';
import { augmentImage, augmentSeed, type AugmentOptions } from './augment';
import { type ImageSet, imageBytes } from './image-set';

/** How a model wants its pixels: the study's networks take [0, 1]; Keras InceptionV3/MobileNetV2 take [-1, 1]. */
export type PixelRange = '0,1' | '-1,1';

export interface Batch {
  /** [n, size, size, channels] float32, normalised to the requested range. */
  readonly images: tf.Tensor4D;
  /** [n] int32 class indices. */
  readonly labels: tf.Tensor1D;
  /** Positions of these images in the ImageSet. */
  readonly indices: Int32Array;
}

/** Seeded on-the-fly augmentation of a training batch: each image gets its own draw from `seed` and its index. */
export interface BatchAugmentation {
  readonly options: AugmentOptions;
  readonly seed: number;
}

/**
 * Builds one float32 batch from the uint8 store, optionally augmenting each image (the store is never changed).
 * The caller owns the returned tensors and must dispose both (`disposeBatch`); nothing else is left behind.
 */
export function makeBatch(
  set: ImageSet,
  indices: ArrayLike<number>,
  range: PixelRange = '0,1',
  augment?: BatchAugmentation,
): Batch {
  const per = imageBytes(set.size, set.channels);
  const n = indices.length;
  const floats = new Float32Array(n * per);
  // Scale in plain JS: one pass, no intermediate tensors to track.
  const scale = range === '0,1' ? 1 / 255 : 2 / 255;
  const offset = range === '0,1' ? 0 : -1;
  const idx = new Int32Array(n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const src = indices[i];
    idx[i] = src;
    labels[i] = set.labels[src];
    const from = src * per;
    const to = i * per;
    const stored = set.pixels.subarray(from, from + per);
    const pixels = augment
      ? augmentImage(stored, set.size, set.channels, augment.options, augmentSeed(augment.seed, src))
      : stored;
    for (let p = 0; p < per; p++) floats[to + p] = pixels[p] * scale + offset;
  }
  return {
    images: tf.tensor4d(floats, [n, set.size, set.size, set.channels], 'float32'),
    labels: tf.tensor1d(labels, 'int32'),
    indices: idx,
  };
}

export function disposeBatch(batch: Batch): void {
  batch.images.dispose();
  batch.labels.dispose();
}

/** Splits `order` (image positions) into consecutive chunks of `batchSize`; the last one may be shorter. */
export function* batchIndices(order: ArrayLike<number>, batchSize: number): Generator<Int32Array> {
  for (let start = 0; start < order.length; start += batchSize) {
    const end = Math.min(order.length, start + batchSize);
    const chunk = new Int32Array(end - start);
    for (let i = start; i < end; i++) chunk[i - start] = order[i];
    yield chunk;
  }
}
