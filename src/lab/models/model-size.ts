import type * as tf from '@tensorflow/tfjs';

/** Parameter counts and float32 weight bytes of a model, as Keras' summary counts them. */
export interface ModelSize {
  /** Every weight, BatchNorm moving statistics included. */
  params: number;
  trainableParams: number;
  /** params × 4: the weights file of a float32 TF.js export. */
  bytes: number;
}

export function measureModelSize(model: tf.LayersModel): ModelSize {
  const count = (weights: tf.LayerVariable[]) =>
    weights.reduce((sum, w) => sum + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
  const params = count(model.weights);
  return { params, trainableParams: count(model.trainableWeights), bytes: params * 4 };
}
