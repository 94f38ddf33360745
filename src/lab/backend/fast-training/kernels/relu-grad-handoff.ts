/**
 * A hand-off between two gradients so that one pass does the work of two. When BatchNormalization's input x is
 * the output of a ReLU convolution (CONV_BIAS_RELU), its input gradient can come out already masked by x > 0 and
 * with its per-channel sums (BATCH_NORM_DX_RELU). That changes nothing downstream: a gradient of x goes on only
 * through that convolution's own gradient, which masks by the same x > 0, and masking twice, or masking a sum of
 * gradients one of which was masked already, gives what masking once does. The convolution's gradient then finds
 * its dy masked already and takes the sums as its bias gradient instead of a pass over dy. Keyed by tensor data,
 * so an entry lives exactly as long as the data, and by shape, because a reshape (Flatten) shares the data under
 * other channels. One consequence to know: a gradient taken with respect to such an activation itself, through a
 * training-mode BatchNormalization, comes back masked (zero where the activation is 0); the lab never takes one.
 */
import type * as tf from '@tensorflow/tfjs';

const reluOutputs = new WeakMap<object, string>();
const maskedGrads = new WeakMap<object, { maskedBy: object; sums: tf.Tensor }>();
let handedOff = 0;

/** Records that the data `dataId` is a ReLU convolution's output of `shape` (with a gradient that masks by > 0). */
export function markReluOutput(dataId: object, shape: readonly number[]): void {
  reluOutputs.set(dataId, shape.join(','));
}

/** True when `x` is a ReLU convolution's output, in that very shape (see markReluOutput). */
export function isReluOutput(x: tf.Tensor): boolean {
  return reluOutputs.get(x.dataId) === x.shape.join(',');
}

/** Records that `grad` is already masked by `maskedBy` > 0 and that `sums` holds its per-channel sums. */
export function rememberMaskedGrad(grad: tf.Tensor, maskedBy: tf.Tensor, sums: tf.Tensor): void {
  maskedGrads.set(grad.dataId, { maskedBy: maskedBy.dataId, sums });
}

/** The per-channel sums of `dy` when it is masked by `y` > 0 already (see rememberMaskedGrad), else null. */
export function maskedGradSums(dy: tf.Tensor, y: tf.Tensor): tf.Tensor | null {
  const known = maskedGrads.get(dy.dataId);
  const channels = y.shape[y.shape.length - 1];
  const sameShape = dy.shape.length === y.shape.length && dy.shape.every((d, i) => d === y.shape[i]);
  if (
    known == null ||
    known.maskedBy !== y.dataId ||
    known.sums.isDisposed ||
    !sameShape ||
    known.sums.size !== channels
  )
    return null;
  handedOff += 1;
  return known.sums;
}

/** How often a gradient's mask and sums were handed off in this process (for tests). */
export function handOffCount(): number {
  return handedOff;
}
