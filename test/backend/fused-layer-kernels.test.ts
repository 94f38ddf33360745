/**
 * The fused layer kernels — CONV_BIAS_RELU (with its gradient), RELU_GRAD_BIAS_SUM and BATCH_MOMENTS — on wasm and
 * cpu against tfjs's own unfused operations on the cpu backend with the stock kernels, on seeded shapes with 1–32
 * channels, strides 1 and 2, valid and same padding, and lengths that leave a tail after the last SIMD chunk.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { registerFastKernels, unregisterFastKernels } from '../../src/lab/backend';
import { BATCH_MOMENTS, batchMomentsApplies } from '../../src/lab/backend/fast-training/kernels/batch-moments';
import { convBiasRelu, convBiasReluActive } from '../../src/lab/backend/fast-training/kernels/conv-bias-relu';
import { RELU_GRAD_BIAS_SUM } from '../../src/lab/backend/fast-training/kernels/relu-bias-grad';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { createRng, randomValues, relativeError, type HostTensor } from './kernel-harness';

const rng = createRng(33);
const host = (t: tf.Tensor): HostTensor => ({ values: t.dataSync() as Float32Array, shape: t.shape });
/** The tensors `fn` returns, read back; every tensor it made freed. */
const readTidy = (fn: () => tf.Tensor[]): HostTensor[] => {
  const out = tf.tidy(fn);
  const values = out.map(host);
  tf.dispose(out);
  return values;
};
const tensor = (t: HostTensor) => tf.tensor(t.values, t.shape);

/** Runs `fn` on wasm (fast kernels), cpu with the fast kernels, and cpu with the stock ones (the reference). */
async function onEveryBackend<T>(fn: () => T): Promise<{ wasm: T; cpu: T; ref: T }> {
  await selectBackend('wasm');
  const wasm = fn();
  registerFastKernels('cpu');
  await tf.setBackend('cpu');
  const cpu = fn();
  unregisterFastKernels('cpu');
  const ref = fn();
  return { wasm, cpu, ref };
}

afterAll(() => unregisterFastKernels('cpu'));

describe('CONV_BIAS_RELU', () => {
  const cases = [
    { shape: [2, 13, 11, 3], filters: 8, k: 3, strides: 1, pad: 'valid' },
    { shape: [3, 9, 10, 8], filters: 5, k: 3, strides: 1, pad: 'same' },
    { shape: [2, 12, 12, 5], filters: 16, k: 1, strides: 2, pad: 'same' },
    { shape: [1, 15, 14, 16], filters: 32, k: 3, strides: 2, pad: 'valid' },
  ] as const;

  for (const c of cases) {
    it(`matches conv → +bias → relu and its gradients (${c.shape}, ${c.k}×${c.k}×${c.filters}, stride ${c.strides}, ${c.pad})`, async () => {
      const x = randomValues(rng, [...c.shape]);
      const w = randomValues(rng, [c.k, c.k, c.shape[3], c.filters]);
      const b = randomValues(rng, [c.filters]);
      await selectBackend('wasm');
      const start = tf.memory().numTensors;
      const run = () => {
        const fused = convBiasReluActive();
        const out = tf.tidy(() => {
          const f = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) =>
            fused
              ? convBiasRelu(xs as tf.Tensor4D, ws as tf.Tensor4D, bs as tf.Tensor1D, [c.strides, c.strides], c.pad)
              : tf.relu(tf.add(tf.conv2d(xs as tf.Tensor4D, ws as tf.Tensor4D, c.strides, c.pad), bs));
          const y = f(tensor(x), tensor(w), tensor(b));
          // A weighted sum, so every output position sends a different gradient back.
          const weights = tf.tensor(randomValues(createRng(5), y.shape).values, y.shape);
          const grads = tf.grads((xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) =>
            tf.sum(tf.mul(f(xs, ws, bs), weights)),
          )([tensor(x), tensor(w), tensor(b)]);
          return [y, ...grads];
        });
        const result = { fused, y: host(out[0]), grads: out.slice(1).map(host) };
        tf.dispose(out);
        return result;
      };
      const { wasm, cpu, ref } = await onEveryBackend(run);
      expect([wasm.fused, cpu.fused, ref.fused]).toEqual([true, true, false]);
      for (const [label, ours] of [
        ['wasm', wasm],
        ['cpu', cpu],
      ] as const) {
        expect(relativeError(ours.y, ref.y), `${label} y`).toBeLessThan(1e-5);
        ours.grads.forEach((g, i) =>
          expect(relativeError(g, ref.grads[i]), `${label} grad ${['x', 'w', 'b'][i]}`).toBeLessThan(1e-4),
        );
      }
      expect(tf.memory().numTensors).toBe(start);
    });
  }

  it('computes no input gradient when only the weights need one (the image of the first layer)', async () => {
    await selectBackend('wasm');
    // Large enough (4·32·32·16 outputs) for the one-pass mask-and-sum kernel.
    const x = tf.tensor(randomValues(rng, [4, 32, 32, 3]).values, [4, 32, 32, 3]) as tf.Tensor4D;
    const w = tf.variable(tf.tensor(randomValues(rng, [3, 3, 3, 16]).values, [3, 3, 3, 16]));
    const b = tf.variable(tf.zeros([16]));
    const seen: string[] = [];
    const info = await tf.profile(() => {
      const { grads } = tf.variableGrads(
        () =>
          tf.sum(
            convBiasRelu(x, w as unknown as tf.Tensor4D, b as unknown as tf.Tensor1D, [1, 1], 'same'),
          ) as tf.Scalar,
      );
      tf.dispose(grads);
    });
    for (const k of info.kernels) seen.push(k.name);
    expect(seen).toContain('Conv2DBackpropFilter');
    expect(seen).toContain(RELU_GRAD_BIAS_SUM);
    expect(seen).not.toContain('Conv2DBackpropInput');
    tf.dispose([x, w, b]);
  });
});

describe('RELU_GRAD_BIAS_SUM', () => {
  it('masks dy by x > 0 exactly and sums it per channel', async () => {
    for (const shape of [
      [3, 7, 5, 3],
      [2, 33, 17, 8],
      [4, 31, 29, 16],
      [1, 3, 1, 1],
    ]) {
      const x = randomValues(rng, shape);
      x.values = x.values.map((v, i) => (i % 7 === 0 ? 0 : v));
      const dy = randomValues(rng, shape);
      const run = () =>
        readTidy(() => {
          if (tf.getKernel(RELU_GRAD_BIAS_SUM, tf.getBackend()) == null) {
            const dz = tf.mul(tensor(dy), tf.step(tensor(x)));
            return [dz, tf.sum(dz, [0, 1, 2])];
          }
          return tf
            .engine()
            .runKernel(RELU_GRAD_BIAS_SUM, { dy: tensor(dy), x: tensor(x) }, {}) as unknown as tf.Tensor[];
        });
      const { wasm, cpu, ref } = await onEveryBackend(run);
      for (const [label, ours] of [
        ['wasm', wasm],
        ['cpu', cpu],
      ] as const) {
        expect(relativeError(ours[0], ref[0]), `${label} dz ${shape}`).toBe(0);
        expect(relativeError(ours[1], ref[1]), `${label} db ${shape}`).toBeLessThan(1e-5);
      }
    }
  });
});

describe('BATCH_MOMENTS', () => {
  it("gives exactly the moments tfjs's kernels give on wasm, and the cpu reference's within rounding", async () => {
    for (const shape of [
      [2, 90, 97, 3],
      [4, 33, 31, 8],
      [3, 20, 21, 16],
      [2, 31, 13, 32],
      [20000, 1],
      [2, 9, 7, 3],
    ]) {
      const x = randomValues(rng, shape);
      // An offset, so the variance is not the mean square.
      x.values = x.values.map((v) => 2 + v);
      const axes = shape.slice(0, -1).map((_, i) => i);
      const theirs = () =>
        readTidy(() => {
          const m = tf.mean(tensor(x), axes);
          return [m, tf.mean(tf.square(tf.sub(tensor(x), m)), axes)];
        });
      await selectBackend('wasm');
      const applies = batchMomentsApplies({ shape, dtype: 'float32' }, 'wasm');
      expect(applies, `${shape}`).toBe(shape.reduce((a, b) => a * b, 1) >= 1 << 14);
      const ours = readTidy(() => tf.engine().runKernel(BATCH_MOMENTS, { x: tensor(x) }, {}) as unknown as tf.Tensor[]);
      const wasmOps = theirs();
      unregisterFastKernels('cpu');
      await tf.setBackend('cpu');
      const ref = theirs();
      if (applies) expect(ours, `${shape}: wasm kernel vs wasm ops`).toEqual(wasmOps);
      expect(relativeError(ours[0], ref[0]), `mean ${shape}`).toBeLessThan(1e-6);
      expect(relativeError(ours[1], ref[1]), `variance ${shape}`).toBeLessThan(1e-5);
    }
  });
});

describe('Relu on wasm', () => {
  it('equals the cpu stock kernel exactly, NaN kept, odd lengths and small tensors included', async () => {
    for (const shape of [[2, 33, 17, 8], [4, 65, 63, 3], [20001], [7, 5]]) {
      const x = randomValues(rng, shape);
      x.values = x.values.map((v, i) => (i % 97 === 5 ? Number.NaN : i % 11 === 0 ? 0 : v));
      const run = () => readTidy(() => [tf.relu(tensor(x))]);
      await selectBackend('wasm');
      const [ours] = run();
      unregisterFastKernels('cpu');
      await tf.setBackend('cpu');
      const [ref] = run();
      expect(
        Array.from(ours.values).map((v) => (Number.isNaN(v) ? 'NaN' : v + 0)),
        `${shape}`,
      ).toEqual(Array.from(ref.values).map((v) => (Number.isNaN(v) ? 'NaN' : v + 0)));
    }
  });
});
