import * as tf from '@tensorflow/tfjs';
import { convBiasRelu, convBiasReluActive } from '../../backend/fast-training/kernels/conv-bias-relu';
import { convOutputLength } from './conv-geometry';

/** Arguments of {@link LightConv2D}. */
export interface LightConv2DArgs {
  /** Output channels. */
  filters: number;
  /** Square kernel side or [height, width]. */
  kernelSize: number | [number, number];
  /** Rank k of the bottleneck between the two convolutions (LightLayers' hyperparameter, 1..5 in the study). */
  rank: number;
  /** Applied to both convolutions, so a stride of 2 downsamples twice (as in the reference code). Default 1. */
  strides?: number | [number, number];
  /** Applied to both convolutions. Default 'same'. */
  padding?: 'same' | 'valid';
  /** L2 penalty on each factor: l2·Σw² is added to the loss. Default 1e-4 (the study). */
  l2?: number;
  /** Seed for the Glorot-uniform factors; the second factor uses seed + 1. Unseeded when absent. */
  seed?: number;
  name?: string;
  inputShape?: tf.Shape;
  trainable?: boolean;
}

/**
 * LightConv2D (Jha et al. 2021): a convolution with `filters` outputs replaced by two stacked convolutions through a
 * rank-k bottleneck, y = conv(relu(conv(x, W1) + b1), W2) + b2, with W1 (kh, kw, c_in, k) and W2 (kh, kw, k, filters).
 * Parameters: kh·kw·c_in·k + kh·kw·k·filters + k + filters. Biases start at zero (what the reference code meant;
 * its biases ended up Glorot-uniform by accident).
 */
export class LightConv2D extends tf.layers.Layer {
  static className = 'LightConv2D';

  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly rank: number;
  readonly strides: [number, number];
  readonly padding: 'same' | 'valid';
  readonly l2: number;
  readonly seed?: number;

  private w1?: tf.LayerVariable;
  private b1?: tf.LayerVariable;
  private w2?: tf.LayerVariable;
  private b2?: tf.LayerVariable;

  constructor(args: LightConv2DArgs) {
    super({ name: args.name, inputShape: args.inputShape, trainable: args.trainable });
    if (!Number.isInteger(args.rank) || args.rank < 1)
      throw new Error(`LightConv2D: rank must be an integer ≥ 1, got ${args.rank}`);
    if (!Number.isInteger(args.filters) || args.filters < 1)
      throw new Error(`LightConv2D: filters must be an integer ≥ 1, got ${args.filters}`);
    this.filters = args.filters;
    this.kernelSize = typeof args.kernelSize === 'number' ? [args.kernelSize, args.kernelSize] : [...args.kernelSize];
    this.rank = args.rank;
    this.strides =
      typeof args.strides === 'number' || args.strides == null
        ? [args.strides ?? 1, args.strides ?? 1]
        : [...args.strides];
    this.padding = args.padding ?? 'same';
    this.l2 = args.l2 ?? 1e-4;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channelsIn = shape[shape.length - 1];
    if (channelsIn == null) throw new Error('LightConv2D: the channel dimension of the input must be known');
    const [kh, kw] = this.kernelSize;
    const regularizer = this.l2 > 0 ? tf.regularizers.l2({ l2: this.l2 }) : undefined;
    const glorot = (offset: number) =>
      tf.initializers.glorotUniform({ seed: this.seed == null ? undefined : this.seed + offset });
    this.w1 = this.addWeight('w1', [kh, kw, channelsIn, this.rank], 'float32', glorot(0), regularizer, true);
    this.b1 = this.addWeight('b1', [this.rank], 'float32', tf.initializers.zeros(), undefined, true);
    this.w2 = this.addWeight('w2', [kh, kw, this.rank, this.filters], 'float32', glorot(1), regularizer, true);
    this.b2 = this.addWeight('b2', [this.filters], 'float32', tf.initializers.zeros(), undefined, true);
    this.built = true;
  }

  /** Both factors' L2 penalty, computed fused by the trainer (src/lab/train/l2-penalty.ts); null when l2 is 0. */
  l2PenaltyTerms(): { l2: number; weights: tf.Tensor[] } | null {
    if (this.l2 <= 0 || this.w1 == null || this.w2 == null) return null;
    return { l2: this.l2, weights: [this.w1.read(), this.w2.read()] };
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const [kh, kw] = this.kernelSize;
    const twice = (length: number | null, k: number, s: number) =>
      convOutputLength(convOutputLength(length, k, this.padding, s), k, this.padding, s);
    return [shape[0], twice(shape[1], kh, this.strides[0]), twice(shape[2], kw, this.strides[1]), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      // Bias inside the convolution (one kernel instead of two; tfjs fuses a linear bias while training too, a ReLU
      // only outside training, so the ReLU stays a kernel of its own).
      const conv = (input: tf.Tensor4D, w: tf.LayerVariable, b: tf.LayerVariable) =>
        tf.fused.conv2d({
          x: input,
          filter: w.read() as tf.Tensor4D,
          bias: b.read(),
          strides: this.strides,
          pad: this.padding,
        });
      // Where the backend has it (wasm, cpu), the ReLU goes inside the first convolution too, gradient included.
      const hidden =
        convBiasReluActive() && x.dtype === 'float32'
          ? convBiasRelu(x, this.w1!.read() as tf.Tensor4D, this.b1!.read() as tf.Tensor1D, this.strides, this.padding)
          : (tf.relu(conv(x, this.w1!, this.b1!)) as tf.Tensor4D);
      return conv(hidden, this.w2!, this.b2!);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: [...this.kernelSize],
      rank: this.rank,
      strides: [...this.strides],
      padding: this.padding,
      l2: this.l2,
      seed: this.seed ?? null,
    };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls({ ...config, seed: config.seed ?? undefined });
  }
}
tf.serialization.registerClass(LightConv2D);
