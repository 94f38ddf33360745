/**
 * The hand-off between BatchNormalization's gradient and the ReLU convolution's before it (relu-grad-handoff.ts):
 * on wasm, with BATCH_NORM_DX_RELU, a conv → ReLU → BatchNormalization gradient takes one pass fewer and gives the
 * same numbers to the bit as without it, and tfjs's own chain's within rounding; a second consumer of the ReLU's
 * output (whose gradient is added to BatchNormalization's before the convolution's mask), or a reshape between the
 * two (same data, other channels), changes nothing either.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FAST_KERNELS, registerFastKernels, unregisterFastKernels } from '../../src/lab/backend';
import { BATCH_NORM_DX_RELU } from '../../src/lab/backend/fast-training/kernels/batch-norm-dx-relu';
import { convBiasRelu } from '../../src/lab/backend/fast-training/kernels/conv-bias-relu';
import { handOffCount } from '../../src/lab/backend/fast-training/kernels/relu-grad-handoff';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { batchNormTraining } from '../../src/lab/backend/fast-training/layers/training-batch-norm';
import { relativeError } from './kernel-harness';

type Grads = Record<string, Float32Array>;

// Large enough (31,744 activations) for the one-pass kernels (CHANNEL_KERNEL_MIN_ELEMENTS).

/**
 * Gradients of Σ BN(relu(conv(x) + b))·r for x, w, b, γ, β: with `secondUse`, plus Σ relu(...)·r reversed; with
 * `reshaped`, the BatchNormalization sees the activation as [4, 32, 248] (channels and columns merged).
 */
function gradients(secondUse: boolean, reference = false, reshaped = false): Grads {
  return tf.tidy(() => {
    const x = tf.randomUniform([4, 34, 33, 8], -1, 1, 'float32', 1);
    const vars = {
      w: tf.randomUniform([3, 3, 8, 8], -0.5, 0.5, 'float32', 2),
      b: tf.randomUniform([8], -0.2, 0.2, 'float32', 3),
      gamma: tf.randomUniform([8], 0.5, 1.5, 'float32', 4),
      beta: tf.randomUniform([8], -0.5, 0.5, 'float32', 5),
    };
    const r = tf.randomUniform([4, 32, 31, 8], -1, 1, 'float32', 6);
    const n = reshaped ? 248 : 8;
    if (reshaped)
      [vars.gamma, vars.beta] = [
        tf.randomUniform([n], 0.5, 1.5, 'float32', 4),
        tf.randomUniform([n], -0.5, 0.5, 'float32', 5),
      ];
    const loss = (xs: tf.Tensor, w: tf.Tensor, b: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
      const y = reference
        ? tf.relu(tf.add(tf.conv2d(xs as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid'), b))
        : convBiasRelu(xs as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, [1, 1], 'valid');
      const { y: z, mean, variance } = batchNormTraining(reshaped ? tf.reshape(y, [4, 32, n]) : y, gamma, beta, 1e-3);
      tf.dispose([mean, variance]); // kept for the moving averages, which this test does not keep
      const main = tf.sum(tf.mul(tf.reshape(z, r.shape), r));
      return secondUse ? tf.add(main, tf.sum(tf.mul(y, tf.reverse(r, 0)))) : main;
    };
    const grads = tf.grads(loss)([x, vars.w, vars.b, vars.gamma, vars.beta]);
    return Object.fromEntries(['x', 'w', 'b', 'gamma', 'beta'].map((k, i) => [k, grads[i]])) as unknown as Record<
      string,
      tf.Tensor
    >;
  }) as unknown as Grads;
}

function read(fn: () => Grads): Grads {
  const tensors = fn() as unknown as Record<string, tf.Tensor>;
  const out = Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.dataSync() as Float32Array]));
  tf.dispose(Object.values(tensors));
  return out;
}

describe('ReLU-gradient hand-off', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    registerFastKernels('wasm');
  });
  afterAll(() => registerFastKernels('wasm'));

  const cases = [
    { secondUse: false, reshaped: false, name: '' },
    { secondUse: true, reshaped: false, name: ', with a second consumer of the ReLU output' },
    { secondUse: false, reshaped: true, name: ', with the activation reshaped before the BatchNormalization' },
  ];
  for (const { secondUse, reshaped, name } of cases) {
    it(`gives the same gradients with one pass fewer${name}`, async () => {
      await selectBackend('wasm');
      const start = tf.memory().numTensors;
      const before = handOffCount();
      const fused = read(() => gradients(secondUse, false, reshaped));
      // The conv's gradient finds dy masked only when it is BatchNormalization's own dx, in the conv's own shape.
      expect(handOffCount() - before).toBe(secondUse || reshaped ? 0 : 1);
      unregisterFastKernels('wasm');
      registerFastKernels(
        'wasm',
        DEFAULT_FAST_KERNELS.wasm.filter((k) => k !== BATCH_NORM_DX_RELU),
      );
      const plain = read(() => gradients(secondUse, false, reshaped));
      registerFastKernels('wasm');
      expect(tf.memory().numTensors).toBe(start);
      await tf.setBackend('cpu');
      const ref = read(() => gradients(secondUse, true, reshaped));
      await selectBackend('wasm');
      for (const k of Object.keys(plain)) {
        expect(Array.from(fused[k]), k).toEqual(Array.from(plain[k]));
        expect(relativeError({ values: fused[k], shape: [] }, { values: ref[k], shape: [] }), k).toBeLessThan(1e-4);
      }
    });
  }
});
