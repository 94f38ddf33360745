/**
 * FusedAdam: the Adam update with both moments kept as two flat vectors, one ADAM_STEP call per step on wasm and
 * cpu and a concatenated update elsewhere; bit for bit what tfjs's AdamOptimizer computes on the same backend
 * (weights, moments, step count), checkpoints in tfjs's format both ways, and no tensors left behind.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { registerFastKernels } from '../../src/lab/backend';
import { ADAM_STEP } from '../../src/lab/backend/fast-training/kernels/adam-step';
import { traceKernels } from '../../src/lab/backend/kernel-trace';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { findModel } from '../../src/lab/registry';
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
type Setup = ReturnType<typeof setup>;

function step(s: Setup, optimizer: tf.Optimizer): void {
  tf.dispose(
    optimizer.minimize(
      () => logitsLoss(s.model, s.model.apply(s.xs, { training: true }) as tf.Tensor2D, s.ys),
      true,
      s.variables,
    ) ?? [],
  );
}

function release(...setups: Setup[]): void {
  for (const s of setups) {
    s.model.dispose();
    tf.dispose([s.xs, s.ys]);
  }
}

/** The weights, the step count and the moments (tfjs's getWeights gives its live variables; ours, fresh tensors). */
async function state(s: Setup, optimizer: tf.Optimizer, owned: boolean): Promise<number[][]> {
  const weights = await Promise.all(s.model.getWeights().map(async (w) => Array.from(await w.data())));
  const saved = await optimizer.getWeights();
  const opt = await Promise.all(saved.map(async (w) => Array.from(await w.tensor.data())));
  tf.dispose(saved.filter((_, i) => owned || i === 0).map((w) => w.tensor));
  return [...weights, ...opt];
}

/** Moment names without the variables' unique suffixes, for comparing two models' checkpoints. */
async function momentNames(s: Setup, optimizer: tf.Optimizer, owned: boolean): Promise<string[]> {
  const saved = await optimizer.getWeights();
  const names = saved.map((w) => w.name);
  tf.dispose(saved.filter((_, i) => owned || i === 0).map((w) => w.tensor));
  const index = new Map(s.variables.map((v, i) => [v.name, i]));
  return names.map((n) => n.replace(/^(.*)\/(m|v)$/, (_, v: string, k: string) => `#${index.get(v)}/${k}`));
}

describe.each(['wasm', 'cpu'] as const)('FusedAdam on %s', (backend) => {
  it("matches tf.train.adam bit for bit over several steps, with tfjs's checkpoint names", async () => {
    await selectBackend(backend);
    const [a, b] = [setup(), setup()];
    const stock = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
    const fused = new FusedAdam(0.01, 0.9, 0.999, 1e-7);
    for (let i = 0; i < 5; i++) {
      step(a, stock);
      step(b, fused);
    }
    const [sa, sb] = [await state(a, stock, false), await state(b, fused, true)];
    expect(sb.length).toBe(sa.length);
    sb.forEach((values, i) => expect(values, `tensor ${i}`).toEqual(sa[i]));
    expect(await momentNames(b, fused, true)).toEqual(await momentNames(a, stock, false));
    release(a, b);
    stock.dispose();
    fused.dispose();
  });

  it('updates every variable in one kernel call and leaves no tensors behind', async () => {
    await selectBackend(backend);
    const start = tf.memory().numTensors;
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
    release(s);
    fused.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('without the kernel (as on GPUs) updates the concatenated model to the same numbers', async () => {
    await selectBackend(backend);
    const [a, b] = [setup(8), setup(8)];
    const stock = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
    const fused = new FusedAdam(0.01, 0.9, 0.999, 1e-7);
    tf.unregisterKernel(ADAM_STEP, backend);
    try {
      for (let i = 0; i < 3; i++) {
        step(a, stock);
        step(b, fused);
      }
    } finally {
      registerFastKernels(backend);
    }
    expect(tf.getKernel(ADAM_STEP, backend)).toBeDefined();
    expect(await state(b, fused, true)).toEqual(await state(a, stock, false));
    release(a, b);
    stock.dispose();
    fused.dispose();
  });

  it("resumes from a checkpoint of its own or of tfjs's Adam exactly where it left off", async () => {
    await selectBackend(backend);
    const adam = () => new FusedAdam(0.01, 0.9, 0.999, 1e-7);
    // Four uninterrupted steps.
    const ref = setup(6);
    const reference = adam();
    for (let i = 0; i < 4; i++) step(ref, reference);
    // Two steps, a checkpoint, two more steps with a fresh optimizer restored from it.
    const own = setup(6);
    const first = adam();
    step(own, first);
    step(own, first);
    const saved = await first.getWeights();
    const resumed = adam();
    await resumed.setWeights(saved);
    tf.dispose(saved.map((w) => w.tensor));
    first.dispose();
    // The same from a checkpoint of tfjs's own Adam (the weights it gives are its live variables).
    const other = setup(6);
    const tfjsAdam = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
    step(other, tfjsAdam);
    step(other, tfjsAdam);
    const fromTfjs = adam();
    await fromTfjs.setWeights(await tfjsAdam.getWeights());
    for (let i = 0; i < 2; i++) {
      step(own, resumed);
      step(other, fromTfjs);
    }
    const want = await state(ref, reference, true);
    expect(await state(own, resumed, true)).toEqual(want);
    expect(await state(other, fromTfjs, true)).toEqual(want);
    release(ref, own, other);
    for (const o of [reference, resumed, tfjsAdam, fromTfjs]) o.dispose();
  });
});
