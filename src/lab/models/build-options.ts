import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed, type Rng } from '../util/rng';
import { TrainingBatchNormalization } from '../backend/fast-training/layers/training-batch-norm';

/** What every builder needs to know. */
export interface BuildOptions {
  /** Side of the square input image. Default 299 (the study). */
  size?: number;
  /** 3 = RGB (the study: grey repeated), 1 = grey. Default 3. */
  channels?: 1 | 3;
  /** Output classes. Default 2. */
  numClasses?: number;
  /** Seeds every initialiser, so the same seed builds the same weights. Default 1. */
  seed?: number;
  /**
   * BatchNormalization momentum. Keras' 0.99 (default, the study) averages over ~100 steps and lags behind the
   * weights in short runs; a lower value (e.g. 0.9) is one remedy.
   */
  batchNormMomentum?: number;
}

export type ResolvedBuildOptions = Required<BuildOptions>;

export function resolveBuildOptions(options: BuildOptions = {}): ResolvedBuildOptions {
  return {
    size: options.size ?? 299,
    channels: options.channels ?? 3,
    numClasses: options.numClasses ?? 2,
    seed: options.seed ?? 1,
    batchNormMomentum: options.batchNormMomentum ?? 0.99,
  };
}

/** Hands out one initialiser seed after another from the build seed, so every layer's weights are reproducible. */
export class SeedSource {
  private readonly rng: Rng;
  constructor(seed: number) {
    this.rng = createRng(seed);
  }
  next(): number {
    return deriveSeed(this.rng);
  }
  glorotUniform(): ReturnType<typeof tf.initializers.glorotUniform> {
    return tf.initializers.glorotUniform({ seed: this.next() });
  }
}

/**
 * Keras-default BatchNormalization (epsilon 1e-3) with the chosen momentum; trained with the closed-form gradient
 * (layers/training-batch-norm.ts), saved and loaded as the standard layer.
 */
export function batchNorm(name: string, momentum: number): tf.layers.Layer {
  return new TrainingBatchNormalization({ name, momentum, epsilon: 1e-3 });
}

/** The study's classifier: GlobalAveragePooling → Dense(numClasses). Outputs logits; softmax is applied outside. */
export function classifierHead(x: tf.SymbolicTensor, numClasses: number, seeds: SeedSource): tf.SymbolicTensor {
  const pooled = tf.layers.globalAveragePooling2d({ name: 'global_pool' }).apply(x) as tf.SymbolicTensor;
  return tf.layers
    .dense({ name: 'logits', units: numClasses, kernelInitializer: seeds.glorotUniform() })
    .apply(pooled) as tf.SymbolicTensor;
}
