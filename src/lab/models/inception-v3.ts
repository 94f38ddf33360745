import * as tf from '@tensorflow/tfjs';

/** Smallest input Keras accepts for InceptionV3 without its top. */
export const INCEPTION_MIN_SIZE = 75;
/** Length of the globally pooled feature vector. */
export const INCEPTION_FEATURES = 2048;

export interface InceptionV3Options {
  /** Square input side, ≥ 75. Default 299. */
  size?: number;
  /** Seed of the (placeholder) initial weights; real use loads ImageNet weights over them. */
  seed?: number;
  /** Input channels: 3 (default), or 1 for grey images, repeated into RGB by a parameter-free first layer. */
  channels?: 1 | 3;
}

type Sym = tf.SymbolicTensor;

/**
 * ImageNet networks take RGB. A one-channel input is repeated into three by a Concatenate (no weights, a standard
 * Keras layer, so the saved model reloads anywhere); a three-channel input passes as is.
 */
export function greyToRgb(input: Sym): Sym {
  if (input.shape[3] === 3) return input;
  return tf.layers.concatenate({ name: 'grey_to_rgb', axis: 3 }).apply([input, input, input]) as Sym;
}

/**
 * Keras' InceptionV3 without its classifier (`include_top=False, pooling='avg'`): same topology, same layer order,
 * and Keras 2.0–2.2 layer names (`conv2d_1` … `conv2d_94`, `batch_normalization_1` …, `mixed0` … `mixed10`), which
 * the published `inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5` uses — so weights map by name.
 * Every convolution is bias-free and followed by BatchNormalization with scale=false (epsilon 1e-3) and ReLU.
 * Input [-1, 1] pixels; output the 2,048-vector. 21,802,784 parameters.
 */
export function buildInceptionV3Backbone(options: InceptionV3Options = {}): tf.LayersModel {
  const size = options.size ?? 299;
  if (size < INCEPTION_MIN_SIZE)
    throw new RangeError(`inception-v3 needs an input of at least 75×75 (got ${size}×${size})`);
  let seed = options.seed ?? 1;
  let n = 0; // Keras numbers conv2d_N / batch_normalization_N / activation_N together, from 1.

  const convBn = (
    x: Sym,
    filters: number,
    rows: number,
    cols: number,
    strides = 1,
    padding: 'same' | 'valid' = 'same',
  ): Sym => {
    n++;
    const conv = tf.layers
      .conv2d({
        name: `conv2d_${n}`,
        filters,
        kernelSize: [rows, cols],
        strides,
        padding,
        useBias: false,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }),
      })
      .apply(x) as Sym;
    const bn = tf.layers
      .batchNormalization({ name: `batch_normalization_${n}`, scale: false, epsilon: 1e-3, momentum: 0.99 })
      .apply(conv) as Sym;
    return tf.layers.activation({ name: `activation_${n}`, activation: 'relu' }).apply(bn) as Sym;
  };
  let pools = 0;
  const maxPool = (x: Sym): Sym =>
    tf.layers
      .maxPooling2d({ name: `max_pooling2d_${++pools}`, poolSize: 3, strides: 2, padding: 'valid' })
      .apply(x) as Sym;
  let avgPools = 0;
  const avgPool = (x: Sym): Sym =>
    tf.layers
      .averagePooling2d({ name: `average_pooling2d_${++avgPools}`, poolSize: 3, strides: 1, padding: 'same' })
      .apply(x) as Sym;
  let concats = 0;
  const concat = (parts: Sym[], name?: string): Sym =>
    tf.layers.concatenate({ name: name ?? `concatenate_${++concats}`, axis: 3 }).apply(parts) as Sym;

  const input = tf.input({ shape: [size, size, options.channels ?? 3], name: 'input_1' });
  // Stem.
  let x = convBn(greyToRgb(input), 32, 3, 3, 2, 'valid');
  x = convBn(x, 32, 3, 3, 1, 'valid');
  x = convBn(x, 64, 3, 3);
  x = maxPool(x);
  x = convBn(x, 80, 1, 1, 1, 'valid');
  x = convBn(x, 192, 3, 3, 1, 'valid');
  x = maxPool(x);

  // mixed0-2: 35×35 blocks.
  for (const [i, poolFilters] of [
    [0, 32],
    [1, 64],
    [2, 64],
  ] as const) {
    const b1 = convBn(x, 64, 1, 1);
    let b5 = convBn(x, 48, 1, 1);
    b5 = convBn(b5, 64, 5, 5);
    let b3 = convBn(x, 64, 1, 1);
    b3 = convBn(b3, 96, 3, 3);
    b3 = convBn(b3, 96, 3, 3);
    const bp = convBn(avgPool(x), poolFilters, 1, 1);
    x = concat([b1, b5, b3, bp], `mixed${i}`);
  }

  // mixed3: reduction to 17×17.
  {
    const b3 = convBn(x, 384, 3, 3, 2, 'valid');
    let bd = convBn(x, 64, 1, 1);
    bd = convBn(bd, 96, 3, 3);
    bd = convBn(bd, 96, 3, 3, 2, 'valid');
    x = concat([b3, bd, maxPool(x)], 'mixed3');
  }

  // mixed4-7: 17×17 blocks with factorised 7×7 convolutions.
  for (const [i, f] of [
    [4, 128],
    [5, 160],
    [6, 160],
    [7, 192],
  ] as const) {
    const b1 = convBn(x, 192, 1, 1);
    let b7 = convBn(x, f, 1, 1);
    b7 = convBn(b7, f, 1, 7);
    b7 = convBn(b7, 192, 7, 1);
    let bd = convBn(x, f, 1, 1);
    bd = convBn(bd, f, 7, 1);
    bd = convBn(bd, f, 1, 7);
    bd = convBn(bd, f, 7, 1);
    bd = convBn(bd, 192, 1, 7);
    const bp = convBn(avgPool(x), 192, 1, 1);
    x = concat([b1, b7, bd, bp], `mixed${i}`);
  }

  // mixed8: reduction to 8×8.
  {
    let b3 = convBn(x, 192, 1, 1);
    b3 = convBn(b3, 320, 3, 3, 2, 'valid');
    let b7 = convBn(x, 192, 1, 1);
    b7 = convBn(b7, 192, 1, 7);
    b7 = convBn(b7, 192, 7, 1);
    b7 = convBn(b7, 192, 3, 3, 2, 'valid');
    x = concat([b3, b7, maxPool(x)], 'mixed8');
  }

  // mixed9-10: 8×8 blocks with split 3×3 convolutions.
  for (const i of [0, 1]) {
    const b1 = convBn(x, 320, 1, 1);
    const b3 = convBn(x, 384, 1, 1);
    const b3split = concat([convBn(b3, 384, 1, 3), convBn(b3, 384, 3, 1)], `mixed9_${i}`);
    let bd = convBn(x, 448, 1, 1);
    bd = convBn(bd, 384, 3, 3);
    const bdsplit = concat([convBn(bd, 384, 1, 3), convBn(bd, 384, 3, 1)]);
    const bp = convBn(avgPool(x), 192, 1, 1);
    x = concat([b1, b3split, bdsplit, bp], `mixed${9 + i}`);
  }
  const pooled = tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as Sym;
  return tf.model({ name: 'inception_v3', inputs: input, outputs: pooled });
}
