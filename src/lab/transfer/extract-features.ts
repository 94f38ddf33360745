/**
 * Runs a frozen backbone once over every image of a set, in batches, and keeps only the pooled feature vectors.
 * Pixels are scaled to the range the *weights* expect (Keras [-1, 1], TF-Hub [0, 1]) — the preprocessing recorded with
 * the weights is applied here, by the batch builder. One batch of tensors exists at a time; reads are asynchronous (WebGPU);
 * cancellation is checked between batches.
 */
import * as tf from '@tensorflow/tfjs';
import type { PixelRange } from '../data/batches';
import type { ImageSet } from '../data/image-set';
import type { FeatureSet } from '../train/feature-set';

export interface ExtractOptions {
  /** Pixel scaling of the backbone's weights. */
  range: PixelRange;
  /** Images per forward pass (default 16: InceptionV3's first activations at 299 px take ~11 MB per image). */
  batchSize?: number;
  /** Called after each batch (awaited, so a worker can post progress and yield). */
  onProgress?: (done: number, total: number) => void | Promise<void>;
  signal?: AbortSignal;
}

/** Thrown when extraction is cancelled; no partial features are returned or cached. */
export class ExtractionCancelledError extends Error {
  constructor() {
    super('feature extraction cancelled');
    this.name = 'ExtractionCancelledError';
  }
}

/**
 * Features of every image of `set`, in set order.
 * @throws ExtractionCancelledError when `signal` aborts between batches
 */
export async function extractFeatures(
  backbone: tf.LayersModel,
  set: ImageSet,
  options: ExtractOptions,
): Promise<FeatureSet> {
  const batchSize = options.batchSize ?? 16;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize must be a whole number ≥ 1 (got ${batchSize})`);
  const [, height, width, channels] = backbone.inputs[0].shape;
  if (height !== set.size || width !== set.size || (channels !== 3 && channels !== set.channels)) {
    throw new RangeError(
      `the backbone takes ${height}×${width}×${channels} inputs, the images are ${set.size}×${set.size}×${set.channels}`,
    );
  }
  // Pooled vectors are [n, dim]; an intermediate activation map (for fine-tuning) is [n, h, w, c], kept flat.
  const itemShape = backbone.outputs[0].shape.slice(1) as number[];
  const dim = itemShape.reduce((a, b) => a * b, 1);
  const features = new Float32Array(set.count * dim);
  for (let start = 0; start < set.count; start += batchSize) {
    if (options.signal?.aborted) throw new ExtractionCancelledError();
    const n = Math.min(batchSize, set.count - start);
    const input = scaledBatch(set, start, n, options.range, channels as number);
    let output: tf.Tensor | null = null;
    try {
      output = backbone.predict(input) as tf.Tensor;
      features.set((await output.data()) as Float32Array, start * dim);
    } finally {
      input.dispose();
      output?.dispose();
    }
    await options.onProgress?.(start + n, set.count);
  }
  return {
    features,
    dim,
    labels: Int32Array.from(set.labels.subarray(0, set.count)),
    classNames: [...set.classNames],
    count: set.count,
    ...(itemShape.length > 1 ? { shape: itemShape } : {}),
  };
}

/**
 * Images [start, start + n) as a float batch in `range` with the backbone's channels: grey images are repeated into
 * RGB here unless the backbone takes grey itself (its `grey_to_rgb` layer).
 */
function scaledBatch(set: ImageSet, start: number, n: number, range: PixelRange, channels: number): tf.Tensor4D {
  const pixels = set.size * set.size;
  const scale = range === '0,1' ? 1 / 255 : 2 / 255;
  const offset = range === '0,1' ? 0 : -1;
  const out = new Float32Array(n * pixels * channels);
  const from = start * pixels * set.channels;
  if (set.channels === channels) {
    for (let i = 0; i < out.length; i++) out[i] = set.pixels[from + i] * scale + offset;
  } else {
    for (let p = 0; p < n * pixels; p++) {
      const v = set.pixels[from + p] * scale + offset;
      out[3 * p] = v;
      out[3 * p + 1] = v;
      out[3 * p + 2] = v;
    }
  }
  return tf.tensor4d(out, [n, set.size, set.size, channels]);
}
