/**
 * The models' BatchNormalization: in training mode the same outputs and moving averages as tfjs's layer (bit for
 * bit: the forward pass is tfjs's), gradients equal to tfjs's chain within rounding (on cpu with stock kernels as
 * the reference, on wasm and cpu with the lab's kernels, BATCH_NORM_DX included), fewer kernel calls, and saved
 * as the standard layer.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { registerFastKernels, unregisterFastKernels } from '../../src/lab/backend';
import { BATCH_NORM_DX } from '../../src/lab/backend/fast-training/kernels/batch-norm';
import { traceKernels } from '../../src/lab/backend/kernel-trace';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { TrainingBatchNormalization } from '../../src/lab/backend/fast-training/layers/training-batch-norm';
import { createRng } from '../../src/lab/util/rng';

const SHAPE = [6, 9, 11, 5];
const rng = createRng(8);
const X = Float32Array.from({ length: SHAPE.reduce((a, b) => a * b, 1) }, () => rng.next() * 4 - 1);
const W = Float32Array.from({ length: X.length }, () => rng.next() - 0.5);

/** One layer (ours or tfjs's) with set gamma/beta, its training output, gradients and moving statistics after. */
function run(ours: boolean) {
  const args = { momentum: 0.9, epsilon: 1e-3, inputShape: SHAPE.slice(1) };
  const layer = ours ? new TrainingBatchNormalization(args) : tf.layers.batchNormalization(args);
  layer.build(SHAPE);
  layer.setWeights([tf.linspace(0.5, 1.5, 5), tf.linspace(-0.2, 0.2, 5), tf.zeros([5]), tf.ones([5])]);
  const x = tf.tensor4d(X, SHAPE as [number, number, number, number]);
  const w = tf.tensor4d(W, SHAPE as [number, number, number, number]);
  const [gamma, beta] = layer.trainableWeights.map((v) => v.read() as tf.Variable);
  let y: tf.Tensor | null = null;
  const { grads } = tf.variableGrads(() => {
    const out = layer.apply(x, { training: true }) as tf.Tensor;
    y = tf.keep(out);
    return tf.sum(tf.mul(out, w)) as tf.Scalar;
  }, [gamma, beta]);
  const dx = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(layer.apply(xi, { training: true }) as tf.Tensor, w)))(x);
  const out = {
    y: Array.from((y as unknown as tf.Tensor).dataSync()),
    dx: Array.from(dx.dataSync()),
    dgamma: Array.from(grads[gamma.name].dataSync()),
    dbeta: Array.from(grads[beta.name].dataSync()),
    // Two training passes so far (variableGrads, then grad): the moving averages moved twice.
    stats: layer
      .getWeights()
      .slice(2)
      .map((t) => Array.from(t.dataSync())),
  };
  tf.dispose([x, w, dx, y!, ...Object.values(grads)]);
  for (const v of layer.weights) v.dispose();
  return out;
}

function relErr(a: number[], b: number[]): number {
  const scale = Math.max(...b.map(Math.abs));
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / scale;
}

describe('TrainingBatchNormalization', () => {
  it('is saved as the standard BatchNormalization', () => {
    const layer = new TrainingBatchNormalization({ momentum: 0.99 });
    expect(layer.getClassName()).toBe('BatchNormalization');
    expect(layer.getConfig()).toEqual(tf.layers.batchNormalization({ momentum: 0.99, name: layer.name }).getConfig());
  });

  it.each(['cpu', 'wasm'] as const)(
    "on %s: tfjs's outputs and moving averages, its gradients within rounding",
    async (backend) => {
      await selectBackend('cpu');
      unregisterFastKernels('cpu');
      const ref = run(false);
      registerFastKernels('cpu');
      await selectBackend(backend);
      const ours = run(true);
      const plain = run(false);
      expect(ours.y).toEqual(plain.y);
      expect(ours.stats).toEqual(plain.stats);
      expect(relErr(ours.dx, ref.dx)).toBeLessThan(1e-4);
      expect(relErr(ours.dgamma, ref.dgamma)).toBeLessThan(1e-4);
      expect(relErr(ours.dbeta, ref.dbeta)).toBeLessThan(1e-5);
    },
  );

  it('takes far fewer kernel calls for its gradient, the input gradient in one', async () => {
    await selectBackend('wasm');
    const calls = async (ours: boolean) => {
      const args = { momentum: 0.9, inputShape: SHAPE.slice(1) };
      const layer = ours ? new TrainingBatchNormalization(args) : tf.layers.batchNormalization(args);
      layer.build(SHAPE);
      const x = tf.tensor4d(X, SHAPE as [number, number, number, number]);
      const trace = await traceKernels(() =>
        tf.grad((xi: tf.Tensor) => tf.sum(layer.apply(xi, { training: true }) as tf.Tensor))(x),
      );
      tf.dispose(x);
      for (const v of layer.weights) v.dispose();
      return trace;
    };
    const [ours, theirs] = [await calls(true), await calls(false)];
    const count = (t: typeof ours) => t.kernels.filter((k) => !k.customOp).reduce((n, k) => n + k.calls, 0);
    expect(ours.kernels.find((k) => k.name === BATCH_NORM_DX)?.calls).toBe(1);
    expect(count(ours)).toBeLessThan(count(theirs));
  });
});
