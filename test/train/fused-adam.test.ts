/**
 * FusedAdam: the whole Adam update in one ADAM_STEP call on wasm and cpu, bit for bit what tfjs's AdamOptimizer
 * computes on the same backend (weights, both moments, β powers), with tfjs's own update wherever the kernel is
 * not registered, the same checkpoint format, and no tensors left behind.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { registerFastKernels } from '../../src/lab/backend';
import { ADAM_STEP } from '../../src/lab/backend/kernels/adam-step';
import { traceKernels } from '../../src/lab/backend/kernel-trace';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { findModel } from '../../src/lab/models';
import { FusedAdam } from '../../src/lab/train/fused-adam';
import { logitsLoss } from '../../src/lab/train/loss';

const SIZE = 12;

/** A light-k1 net (LightConv2D, BatchNorm, Dense: variables of 2 to a few hundred floats, most not multiples of 4). */
function setup(seed = 4) {
  const model = findModel('light-k1').build({ size: SIZE, channels: 1, seed });
  const xs = tf.randomUniform([6, SIZE, SIZE, 1], 0, 1, 'float32', seed);
  const ys = tf.tensor1d([0, 1, 1, 0, 1, 0], 'int32');
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return { model, xs, ys, variables };
}

function step(s: ReturnType<typeof setup>, optimizer: tf.Optimizer): void {
  tf.dispose(optimizer.minimize(() => logitsLoss(s.model, s.model.apply(s.xs, { training: true }) as tf.Tensor2D, s.ys), true, s.variables) ?? []);
}

/** Weights, then the optimizer's state (iterations, moments), as plain arrays. */
async function state(s: ReturnType<typeof setup>, optimizer: tf.Optimizer): Promise<number[][]> {
  const weights = await Promise.all(s.model.getWeights().map(async (w) => Array.from(await w.data())));
  const saved = await optimizer.getWeights();
  const opt = await Promise.all(saved.map(async (w) => Array.from(await w.tensor.data())));
  tf.dispose(saved.slice(0, 1).map((w) => w.tensor)); // the iterations scalar is a fresh tensor
  return [...weights, ...opt];
}

describe.each(['wasm', 'cpu'] as const)('FusedAdam on %s', (backend) => {
  it('matches tf.train.adam bit for bit over several steps', async () => {
    await selectBackend(backend);
    const a = setup();
    const b = setup();
    const stock = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
    const fused = new FusedAdam(0.01, 0.9, 0.999, 1e-7);
    for (let i = 0; i < 5; i++) {
      step(a, stock);
      step(b, fused);
    }
    const [sa, sb] = [await state(a, stock), await state(b, fused)];
    expect(sb.length).toBe(sa.length);
    sb.forEach((values, i) => expect(values, `tensor ${i}`).toEqual(sa[i]));
    // The moments are named as tfjs names them, so a checkpoint of either optimizer loads into the other.
    const names = b.variables.map((v) => v.name);
    expect((await fused.getWeights()).map((w) => w.name)).toEqual(['iter', ...names.map((n) => `${n}/m`), ...names.map((n) => `${n}/v`)]);
    for (const s of [a, b]) {
      s.model.dispose();
      tf.dispose([s.xs, s.ys]);
    }
    stock.dispose();
    fused.dispose();
  });

  it('updates every variable in one kernel call and leaves no tensors behind', async () => {
    await selectBackend(backend);
    const s = setup();
    const fused = new FusedAdam(0.01, 0.9, 0.999, 1e-7);
    step(s, fused); // creates the moments
    const before = tf.memory().numTensors;
    const trace = await traceKernels(() => {
      step(s, fused);
      return [];
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(trace.kernels.find((k) => k.name === ADAM_STEP)?.calls).toBe(1);
    // tfjs's update would run Sqrt once per variable.
    expect(trace.kernels.find((k) => k.name === 'Sqrt')).toBeUndefined();
    s.model.dispose();
    tf.dispose([s.xs, s.ys]);
    fused.dispose();
  });

  it("falls back to tfjs's update where the kernel is not registered, with the same result", async () => {
    await selectBackend(backend);
    const a = setup(8);
    const b = setup(8);
    const stock = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
    const fused = new FusedAdam(0.01, 0.9, 0.999, 1e-7);
    step(a, stock);
    tf.unregisterKernel(ADAM_STEP, backend);
    try {
      step(b, fused);
    } finally {
      registerFastKernels(backend);
    }
    expect(tf.getKernel(ADAM_STEP, backend)).toBeDefined();
    expect(await state(b, fused)).toEqual(await state(a, stock));
    for (const s of [a, b]) {
      s.model.dispose();
      tf.dispose([s.xs, s.ys]);
    }
    stock.dispose();
    fused.dispose();
  });
});
