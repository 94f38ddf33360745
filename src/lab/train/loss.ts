import * as tf from '@tensorflow/tfjs';
import { regularizationLosses } from './l2-penalty';

/**
 * Mean softmax cross-entropy computed on the logits (numerically stable; the study computed its loss on the Dense
 * logits too), optionally weighted per sample and with smoothed labels, plus the model's regularisation penalties
 * (LightConv2D's L2, fused: l2-penalty.ts) — the same total Keras reports as "loss".
 */
export function logitsLoss(
  model: tf.LayersModel,
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  sampleWeights?: tf.Tensor1D,
  labelSmoothing = 0,
): tf.Scalar {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(labels, logits.shape[1]);
    let loss = tf.losses.softmaxCrossEntropy(oneHot, logits, sampleWeights, labelSmoothing);
    for (const penalty of regularizationLosses(model)) loss = tf.add(loss, penalty);
    return loss as tf.Scalar;
  });
}

/** Number of rows whose arg-max logit is the label (a scalar, so it can be read asynchronously). */
export function countCorrect(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(
    () => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'float32')) as tf.Scalar,
  );
}

/** Per-image cross-entropy of the logits ([n], no regularisation): what a class-balanced validation loss averages. */
export function perImageCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(
    () =>
      tf.losses.softmaxCrossEntropy(
        tf.oneHot(labels, logits.shape[1]),
        logits,
        undefined,
        0,
        tf.Reduction.NONE,
      ) as tf.Tensor1D,
  );
}
