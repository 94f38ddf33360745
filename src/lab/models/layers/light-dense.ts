import * as tf from '@tensorflow/tfjs';

/** Arguments of {@link LightDense}. */
export interface LightDenseArgs {
  /** Output features. */
  units: number;
  /** Rank k of the factorisation W ≈ W1·W2 (the paper uses 8 for dense layers). */
  rank: number;
  /** Multiply each factor by sqrt(2/units) in the forward pass, as the reference code does. Default true. */
  scaleFactors?: boolean;
  /** L2 penalty on each factor. Default 1e-4. */
  l2?: number;
  /** Seed for the Glorot-uniform factors; W2 uses seed + 1. */
  seed?: number;
  name?: string;
  inputShape?: tf.Shape;
  trainable?: boolean;
}

/**
 * LightDense (Jha et al. 2021): y = x·W1·W2 + b with W1 (in, k) and W2 (k, units): in·k + k·units + units parameters
 * instead of in·units + units. Works on the last axis of inputs of any rank.
 */
export class LightDense extends tf.layers.Layer {
  static className = 'LightDense';

  readonly units: number;
  readonly rank: number;
  readonly scaleFactors: boolean;
  readonly l2: number;
  readonly seed?: number;

  private w1?: tf.LayerVariable;
  private w2?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(args: LightDenseArgs) {
    super({ name: args.name, inputShape: args.inputShape, trainable: args.trainable });
    if (!Number.isInteger(args.rank) || args.rank < 1)
      throw new Error(`LightDense: rank must be an integer ≥ 1, got ${args.rank}`);
    if (!Number.isInteger(args.units) || args.units < 1)
      throw new Error(`LightDense: units must be an integer ≥ 1, got ${args.units}`);
    this.units = args.units;
    this.rank = args.rank;
    this.scaleFactors = args.scaleFactors ?? true;
    this.l2 = args.l2 ?? 1e-4;
    this.seed = args.seed;
  }

  /** The factor scale applied in the forward pass (1 when scaling is off). */
  get factorScale(): number {
    return this.scaleFactors ? Math.sqrt(2 / this.units) : 1;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const featuresIn = shape[shape.length - 1];
    if (featuresIn == null) throw new Error('LightDense: the last dimension of the input must be known');
    const regularizer = this.l2 > 0 ? tf.regularizers.l2({ l2: this.l2 }) : undefined;
    const glorot = (offset: number) =>
      tf.initializers.glorotUniform({ seed: this.seed == null ? undefined : this.seed + offset });
    this.w1 = this.addWeight('w1', [featuresIn, this.rank], 'float32', glorot(0), regularizer, true);
    this.w2 = this.addWeight('w2', [this.rank, this.units], 'float32', glorot(1), regularizer, true);
    this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros(), undefined, true);
    this.built = true;
  }

  /** Both factors' L2 penalty, computed fused by the trainer (src/lab/train/l2-penalty.ts); null when l2 is 0. */
  l2PenaltyTerms(): { l2: number; weights: tf.Tensor[] } | null {
    if (this.l2 <= 0 || this.w1 == null || this.w2 == null) return null;
    return { l2: this.l2, weights: [this.w1.read(), this.w2.read()] };
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const featuresIn = x.shape[x.shape.length - 1];
      const flat = x.reshape([-1, featuresIn]) as tf.Tensor2D;
      let w1 = this.w1!.read() as tf.Tensor2D;
      let w2 = this.w2!.read() as tf.Tensor2D;
      if (this.scaleFactors) {
        w1 = tf.mul(w1, this.factorScale);
        w2 = tf.mul(w2, this.factorScale);
      }
      const y = tf.add(tf.matMul(tf.matMul(flat, w1), w2), this.bias!.read());
      return y.reshape([...x.shape.slice(0, -1), this.units]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      rank: this.rank,
      scaleFactors: this.scaleFactors,
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
tf.serialization.registerClass(LightDense);
