import * as tf from '@tensorflow/tfjs';

/**
 * A copy of every weight of a model (BatchNorm moving statistics included), to put back the best epoch's weights.
 * Owns its tensors: call dispose() when replaced.
 */
export class WeightsSnapshot {
  private constructor(private readonly tensors: tf.Tensor[]) {}

  static take(model: tf.LayersModel): WeightsSnapshot {
    // getWeights returns the live variables; clone so later training steps do not change the copy.
    return new WeightsSnapshot(tf.tidy(() => model.getWeights().map((w) => w.clone())));
  }

  restoreInto(model: tf.LayersModel): void {
    model.setWeights(this.tensors);
  }

  dispose(): void {
    for (const t of this.tensors) t.dispose();
  }
}
