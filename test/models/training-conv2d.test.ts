/**
 * The models' Conv2D: saved as the standard layer; on wasm, cnn's ReLU convolutions train through CONV_BIAS_RELU
 * (no Relu, no bias Add), with the same loss and gradients as tfjs's own Conv2D within rounding.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_FAST_KERNELS, registerFastKernels, unregisterFastKernels } from '../../src/lab/backend';
import { CONV_BIAS_RELU } from '../../src/lab/backend/fast-training/kernels/conv-bias-relu';
import { traceKernels } from '../../src/lab/backend/kernel-trace';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { buildConv2DBaseline } from '../../src/lab/models/conv2d-baseline';
import { TrainingConv2D } from '../../src/lab/backend/fast-training/layers/training-conv2d';
import { logitsLoss } from '../../src/lab/train/loss';
import { createRng } from '../../src/lab/util/rng';

const SIZE = 50;
const BATCH = 3;

/** Loss and every trainable variable's gradient of one training pass of cnn (seeded) on the current backend. */
function lossAndGrads(): { loss: number; grads: Float32Array[] } {
  const model = buildConv2DBaseline({ size: SIZE, channels: 3, seed: 4 });
  const rng = createRng(2);
  const xs = tf.tensor4d(
    Float32Array.from({ length: BATCH * SIZE * SIZE * 3 }, () => rng.next()),
    [BATCH, SIZE, SIZE, 3],
  );
  const ys = tf.tensor1d([0, 1, 1], 'int32');
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(
    () => logitsLoss(model, model.apply(xs, { training: true }) as tf.Tensor2D, ys),
    vars,
  );
  const out = { loss: value.dataSync()[0], grads: vars.map((v) => grads[v.name].dataSync() as Float32Array) };
  tf.dispose([xs, ys, value, ...Object.values(grads)]);
  model.dispose();
  return out;
}

afterAll(async () => {
  await selectBackend('wasm');
  registerFastKernels('wasm');
});

describe('TrainingConv2D', () => {
  it('is saved as the standard Conv2D', () => {
    const args = { filters: 4, kernelSize: 3, activation: 'relu' as const, padding: 'valid' as const };
    const layer = new TrainingConv2D(args);
    expect(layer.getClassName()).toBe('Conv2D');
    expect(layer.getConfig()).toEqual(tf.layers.conv2d({ ...args, name: layer.name }).getConfig());
  });

  it("trains cnn through CONV_BIAS_RELU on wasm: no Relu kernel, tfjs's loss and gradients within rounding", async () => {
    await selectBackend('wasm');
    const start = tf.memory().numTensors;
    const trace = await traceKernels(() => {
      lossAndGrads();
      return [];
    });
    const calls = (name: string) => trace.kernels.find((k) => k.name === name)?.calls ?? 0;
    expect(calls(CONV_BIAS_RELU)).toBe(9);
    expect(calls('Relu')).toBe(0);
    const fused = lossAndGrads();
    unregisterFastKernels('wasm');
    registerFastKernels(
      'wasm',
      DEFAULT_FAST_KERNELS.wasm.filter((k) => k !== CONV_BIAS_RELU),
    );
    const plain = lossAndGrads();
    expect(Math.abs(fused.loss - plain.loss)).toBeLessThan(1e-5 * Math.abs(plain.loss));
    const scale = Math.max(...plain.grads.map((g) => Math.max(...g.map(Math.abs))));
    fused.grads.forEach((g, i) => {
      const err = Math.max(...g.map((v, j) => Math.abs(v - plain.grads[i][j])));
      expect(err / scale, `variable ${i}`).toBeLessThan(2e-4);
    });
    expect(tf.memory().numTensors).toBe(start);
  });
});
