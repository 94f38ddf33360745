import * as tf from '@tensorflow/tfjs';
import { fastTrainingActive } from '../install-fast-training';
import { BATCH_MOMENTS, batchMomentsApplies } from '../kernels/batch-moments';
import { BATCH_NORM_DX } from '../kernels/batch-norm';
import { BATCH_NORM_DX_RELU, batchNormDxReluApplies } from '../kernels/batch-norm-dx-relu';
import { isReluOutput, rememberMaskedGrad } from '../kernels/relu-grad-handoff';
import { gradSums } from '../kernels/training-gradients';

/**
 * BatchNormalization in training mode (batch statistics over every axis but the last) as one operation with the
 * closed-form gradient:
 *
 *   x̂ = (x − μ)/σ,  y = γ·x̂ + β;   dβ = Σdy,  dγ = Σdy·x̂,
 *   dx = γ/σ · (dy − Σdy/N − x̂·Σdy·x̂/N) = a·dy − b·x + c  per channel.
 *
 * tfjs differentiates its own chain instead (moments, then the normalisation: the mean's and the variance's
 * gradients each broadcast back and added, the variance's through a square and a subtraction), about ten full-size
 * passes where this takes one pass for the two sums and one for dx (BATCH_NORM_DX on wasm and cpu; four element-wise
 * kernels on a GPU). The forward pass is tfjs's, operation for operation, and the batch mean and variance come back
 * for the moving averages.
 */
export function batchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): {
  y: tf.Tensor;
  mean: tf.Tensor;
  variance: tf.Tensor;
} {
  let stats: [tf.Tensor, tf.Tensor] | null = null;
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const count = x.shape.slice(0, -1).reduce((n, d) => n * d, 1);
  const op = tf.customGrad((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [input, scale, offset] = args as tf.Tensor[];
    // tfjs's moments and batchNorm, as tfjs-layers calls them; the moments in two read-only passes where BATCH_MOMENTS
    // gives the same numbers (wasm, large enough activations), without the two full-size intermediates.
    const moments = (): [tf.Tensor, tf.Tensor] => {
      if (batchMomentsApplies(input, tf.getBackend())) {
        return tf.engine().runKernel(BATCH_MOMENTS, { x: input }, {}) as unknown as [tf.Tensor, tf.Tensor];
      }
      const m = tf.mean(input, axes);
      return [m, tf.mean(tf.square(tf.sub(input, m)), axes)];
    };
    const [mean, variance] = moments();
    const y = tf.batchNorm(input, mean, variance, offset, scale, epsilon);
    save([input, scale, mean, variance]);
    stats = [tf.keep(mean), tf.keep(variance)];
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, g, m, v] = saved;
        const [sumDy, sumDyXmu] = gradSums(xs, dy, m);
        const r = tf.rsqrt(tf.add(v, epsilon));
        const a = tf.mul(g, r);
        const b = tf.div(tf.mul(tf.mul(a, tf.square(r)), sumDyXmu), count);
        const c = tf.sub(tf.mul(b, m), tf.div(tf.mul(a, sumDy), count));
        // After a ReLU convolution on wasm: dx masked by x > 0, with the sums that layer's bias gradient needs, in
        // one pass (relu-grad-handoff.ts).
        const backend = tf.getBackend();
        if (isReluOutput(xs) && batchNormDxReluApplies(xs, backend)) {
          const [dx, sums] = tf
            .engine()
            .runKernel(BATCH_NORM_DX_RELU, { dy, x: xs, a, b: tf.neg(b), c }, {}) as tf.Tensor[];
          rememberMaskedGrad(dx, xs, sums);
          return [dx, tf.mul(sumDyXmu, r), tf.reshape(sumDy, sumDy.shape)];
        }
        // One pass where the backend has the kernel (wasm, cpu); four element-wise kernels elsewhere.
        const dx =
          tf.getKernel(BATCH_NORM_DX, backend) != null
            ? (tf.engine().runKernel(BATCH_NORM_DX, { dy, x: xs, a, b: tf.neg(b), c }, {}) as tf.Tensor)
            : tf.add(tf.sub(tf.mul(dy, a), tf.mul(xs, b)), c);
        return [dx, tf.mul(sumDyXmu, r), tf.reshape(sumDy, sumDy.shape)];
      },
    };
  });
  const y = op(x, gamma, beta);
  const [mean, variance] = stats!;
  return { y, mean, variance };
}

/** The members of tfjs-layers' BatchNormalization this file reads (not in its public typings). */
interface BatchNormInternals {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

type LayerClass = new (args: Parameters<typeof tf.layers.batchNormalization>[0]) => tf.layers.Layer;

/** tfjs-layers' BatchNormalization class (not exported under a name of its own). */
const KerasBatchNormalization = Object.getPrototypeOf(tf.layers.batchNormalization({})).constructor as LayerClass;

/**
 * tfjs's BatchNormalization, but trained through {@link batchNormTraining} when it normalises over every axis but
 * the last with scale and offset (the lab's networks); anything else, and inference, is tfjs's own code. Its class
 * name stays 'BatchNormalization', so saved models load as the standard layer everywhere (stock TF.js, Keras).
 */
export class TrainingBatchNormalization extends KerasBatchNormalization {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    // Nothing but tfjs's own code unless the fast path is installed (it reads private members of this tfjs).
    if (!fastTrainingActive()) return super.call(inputs, kwargs);
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const self = this as unknown as BatchNormInternals;
    const lastAxis = self.axis === -1 || self.axis === x.rank - 1;
    if (kwargs?.training !== true || x.rank < 2 || !lastAxis || !self.center || !self.scale || x.dtype !== 'float32') {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      const { y, mean, variance } = batchNormTraining(x, self.gamma.read(), self.beta.read(), self.epsilon);
      // The moving averages exactly as tfjs-layers updates them.
      for (const [variable, value] of [
        [self.movingMean, mean],
        [self.movingVariance, variance],
      ] as const) {
        tf.tidy(() => {
          const current = variable.read();
          variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - self.momentum)));
        });
      }
      tf.dispose([mean, variance]);
      return y;
    });
  }
}
