import * as tf from '@tensorflow/tfjs';
import { greyToRgb } from './inception-v3';

/** Smallest input Keras accepts for MobileNetV2 without its top. */
export const MOBILENET_MIN_SIZE = 32;

export interface MobileNetV2Options {
  /** Square input side, ≥ 32. Default 224 (the size the ImageNet weights were trained at). */
  size?: number;
  /** Width multiplier. Default 1.0; Teachable Machine ships 0.35. */
  alpha?: number;
  /** Seed of the (placeholder) initial weights; real use loads ImageNet weights over them. */
  seed?: number;
  /** Input channels: 3 (default), or 1 for grey images, repeated into RGB. */
  channels?: 1 | 3;
}

type Sym = tf.SymbolicTensor;

/** Keras' `_make_divisible`: round to a multiple of `divisor`, never more than 10% below `v`. */
export function makeDivisible(v: number, divisor = 8): number {
  let rounded = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * v) rounded += divisor;
  return rounded;
}

/** Length of the pooled feature vector: 1,280, widened only for alpha > 1 (as Keras does). */
export function mobileNetFeatures(alpha: number): number {
  return alpha > 1 ? makeDivisible(1280 * alpha) : 1280;
}

/**
 * Keras' MobileNetV2 without its classifier (`include_top=False, pooling='avg'`), with the layer names of
 * keras_applications (`Conv1`, `bn_Conv1`, `expanded_conv_*`, `block_N_expand|depthwise|project[_BN]`, `Conv_1`,
 * `Conv_1_bn`, `out_relu`), so ImageNet weights — a Keras .h5 or a Teachable Machine / tensorflowjs export — map by
 * name. Input [-1, 1] pixels; output the pooled 1,280-vector (α ≤ 1). 2,257,984 parameters at α 1.0, 410,208 at 0.35.
 */
export function buildMobileNetV2Backbone(options: MobileNetV2Options = {}): tf.LayersModel {
  const size = options.size ?? 224;
  const alpha = options.alpha ?? 1.0;
  if (size < MOBILENET_MIN_SIZE)
    throw new RangeError(`mobilenet-v2 needs an input of at least 32×32 (got ${size}×${size})`);
  if (!(alpha > 0)) throw new RangeError(`mobilenet-v2 alpha must be positive (got ${alpha})`);
  let seed = options.seed ?? 1;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  // Keras' MobileNetV2 uses momentum 0.999 and epsilon 1e-3 everywhere.
  const bn = (x: Sym, name: string): Sym =>
    tf.layers.batchNormalization({ name, epsilon: 1e-3, momentum: 0.999 }).apply(x) as Sym;
  const relu6 = (x: Sym, name: string): Sym => tf.layers.reLU({ name, maxValue: 6 }).apply(x) as Sym;
  const conv1x1 = (x: Sym, filters: number, name: string, padding: 'same' | 'valid' = 'same'): Sym =>
    tf.layers
      .conv2d({ name, filters, kernelSize: 1, padding, useBias: false, kernelInitializer: init() })
      .apply(x) as Sym;
  // Keras' correct_pad: a stride-2 3×3 "valid" convolution after padding one pixel less on the top/left of even sides.
  const pad = (x: Sym, name: string): Sym => {
    const [, h, w] = x.shape as number[];
    return tf.layers
      .zeroPadding2d({
        name,
        padding: [
          [h % 2 === 0 ? 0 : 1, 1],
          [w % 2 === 0 ? 0 : 1, 1],
        ],
      })
      .apply(x) as Sym;
  };

  const block = (inputs: Sym, filters: number, stride: 1 | 2, expansion: number, id: number): Sym => {
    const inChannels = inputs.shape[3] as number;
    const pointwise = makeDivisible(Math.trunc(filters * alpha));
    const prefix = id === 0 ? 'expanded_conv_' : `block_${id}_`;
    let x = inputs;
    if (id !== 0) {
      x = relu6(
        bn(conv1x1(x, expansion * inChannels, `${prefix}expand`), `${prefix}expand_BN`),
        `${prefix}expand_relu`,
      );
    }
    if (stride === 2) x = pad(x, `${prefix}pad`);
    x = tf.layers
      .depthwiseConv2d({
        name: `${prefix}depthwise`,
        kernelSize: 3,
        strides: stride,
        padding: stride === 1 ? 'same' : 'valid',
        useBias: false,
        depthwiseInitializer: init(),
      })
      .apply(x) as Sym;
    x = relu6(bn(x, `${prefix}depthwise_BN`), `${prefix}depthwise_relu`);
    x = bn(conv1x1(x, pointwise, `${prefix}project`), `${prefix}project_BN`);
    // Linear bottleneck: the residual is added without an activation, only when shapes agree.
    return inChannels === pointwise && stride === 1
      ? (tf.layers.add({ name: `${prefix}add` }).apply([inputs, x]) as Sym)
      : x;
  };

  const input = tf.input({ shape: [size, size, options.channels ?? 3], name: 'input_1' });
  let x = pad(greyToRgb(input), 'Conv1_pad');
  x = tf.layers
    .conv2d({
      name: 'Conv1',
      filters: makeDivisible(32 * alpha),
      kernelSize: 3,
      strides: 2,
      padding: 'valid',
      useBias: false,
      kernelInitializer: init(),
    })
    .apply(x) as Sym;
  x = relu6(bn(x, 'bn_Conv1'), 'Conv1_relu');
  // [filters, stride, expansion] of blocks 0..16, as in the paper's table 2.
  const plan: Array<[number, 1 | 2, number]> = [
    [16, 1, 1],
    [24, 2, 6],
    [24, 1, 6],
    [32, 2, 6],
    [32, 1, 6],
    [32, 1, 6],
    [64, 2, 6],
    [64, 1, 6],
    [64, 1, 6],
    [64, 1, 6],
    [96, 1, 6],
    [96, 1, 6],
    [96, 1, 6],
    [160, 2, 6],
    [160, 1, 6],
    [160, 1, 6],
    [320, 1, 6],
  ];
  plan.forEach(([filters, stride, expansion], id) => {
    x = block(x, filters, stride, expansion, id);
  });
  x = relu6(bn(conv1x1(x, mobileNetFeatures(alpha), 'Conv_1', 'valid'), 'Conv_1_bn'), 'out_relu');
  const pooled = tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as Sym;
  return tf.model({ name: `mobilenetv2_${alpha}_${size}`, inputs: input, outputs: pooled });
}
