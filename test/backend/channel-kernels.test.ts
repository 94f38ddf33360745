/**
 * The wasm per-channel kernels (broadcast Add/Sub/Multiply/RealDiv, leading-axes Sum/Mean, FusedBatchNorm, zero-copy
 * Identity/Cast) and the fused BatchNormalization gradient against the cpu backend's stock kernels and tfjs's own
 * gradient, on seeded random shapes with 1–64 channels, both operand orders, and lengths that leave a tail after the
 * last whole SIMD chunk.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerFastKernels, unregisterFastKernels } from '../../src/lab/backend';
import { planChannelBroadcast } from '../../src/lab/backend/fast-training/kernels/channel-binary';
import { leadingAxesChannels } from '../../src/lab/backend/fast-training/kernels/channel-reduce';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { createRng, randomValues, relativeError, runCpuStock, runRegistered, type HostTensor } from './kernel-harness';

const TOLERANCE = 1e-4;
const CHANNELS = [1, 2, 3, 5, 8, 16, 17, 32, 64];
const rng = createRng(21);

/** A random NHWC shape with `channels` channels, usually big enough (≥ 16 K elements) for the SIMD path. */
function randomShape(channels: number): number[] {
  const pixels = Math.ceil((20_000 + rng.int(20_000)) / channels);
  const w = 5 + rng.int(40);
  const h = 1 + rng.int(9);
  return [Math.max(1, Math.round(pixels / (w * h))), h, w, channels];
}

function expectClose(actual: HostTensor, ref: HostTensor, label: string): void {
  expect(actual.shape, label).toEqual(ref.shape);
  expect(relativeError(actual, ref), label).toBeLessThan(TOLERANCE);
}

describe('broadcast and reduction plans', () => {
  it('recognises only full ∘ per-channel (or scalar) broadcasts', () => {
    expect(planChannelBroadcast([2, 4, 4, 8], [8])).toEqual({ full: 0, channels: 8 });
    expect(planChannelBroadcast([1, 1, 1, 8], [2, 4, 4, 8])).toEqual({ full: 1, channels: 8 });
    expect(planChannelBroadcast([2, 4, 4, 8], [])).toEqual({ full: 0, channels: 1 });
    expect(planChannelBroadcast([2, 4, 4, 8], [2, 4, 4, 8])).toBeNull();
    expect(planChannelBroadcast([2, 4, 4, 8], [4, 1, 8])).toBeNull();
    expect(planChannelBroadcast([5], [1, 1])).toBeNull();
    expect(leadingAxesChannels([2, 3, 4, 5], [0, 1, 2])).toBe(5);
    expect(leadingAxesChannels([2, 3, 4, 5], [-2, 0, 1])).toBe(5);
    expect(leadingAxesChannels([2, 3, 4, 5], [1, 2])).toBeNull();
    expect(leadingAxesChannels([2, 3, 4, 5], [0, 1, 2, 3])).toBeNull();
  });
});

describe('wasm per-channel kernels match the cpu stock kernels', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('Add, Sub, Multiply, RealDiv: [C], [1,1,1,C] and scalars, in both operand orders', async () => {
    for (const kernel of ['Add', 'Sub', 'Multiply', 'RealDiv'] as const) {
      for (const channels of CHANNELS) {
        const shape = randomShape(channels);
        const full = randomValues(rng, shape);
        const smallShape = [[channels], [1, 1, 1, channels], [], [1]][rng.int(4)];
        const small = randomValues(rng, smallShape);
        // Keep divisors away from zero so the relative check measures the kernel, not cancellation.
        if (kernel === 'RealDiv') for (const t of [full, small]) t.values = t.values.map((v) => 1 + 0.5 * v);
        for (const [a, b] of [
          [full, small],
          [small, full],
        ]) {
          const label = `${kernel} ${a.shape} ∘ ${b.shape}`;
          const ours = await runRegistered('wasm', kernel, { a, b }, {});
          expectClose(ours, await runCpuStock(kernel, { a, b }, {}), label);
        }
      }
    }
  });

  it('Sum and Mean over the leading axes (and other axes, through the stock kernel)', async () => {
    for (const kernel of ['Sum', 'Mean'] as const) {
      for (const channels of CHANNELS) {
        const x = randomValues(rng, randomShape(channels));
        for (const [axis, keepDims] of [
          [[0, 1, 2], false],
          [[-4, -3, -2], true],
          [[1, 2], false],
        ] as const) {
          const attrs = { axis: [...axis], keepDims };
          const label = `${kernel} ${x.shape} axis ${axis} keepDims ${keepDims}`;
          expectClose(
            await runRegistered('wasm', kernel, { x }, attrs),
            await runCpuStock(kernel, { x }, attrs),
            label,
          );
        }
      }
    }
  });

  it('FusedBatchNorm with and without offset and scale', async () => {
    for (const channels of CHANNELS) {
      const x = randomValues(rng, randomShape(channels));
      const stat = () => randomValues(rng, [channels]);
      const variance = stat();
      variance.values = variance.values.map((v) => 0.5 + Math.abs(v));
      const inputs: Record<string, HostTensor> = { x, mean: stat(), variance };
      if (channels % 2 === 1) Object.assign(inputs, { offset: stat(), scale: stat() });
      const attrs = { varianceEpsilon: 1e-3 };
      const ours = await runRegistered('wasm', 'FusedBatchNorm', inputs, attrs);
      expectClose(ours, await runCpuStock('FusedBatchNorm', inputs, attrs), `FusedBatchNorm C=${channels}`);
    }
  });

  it('Identity and same-dtype Cast share data, and the shared data outlives the original', async () => {
    await tf.setBackend('wasm');
    const buffers = tf.backend().numDataIds();
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const copy = tf.clone(x);
    const cast = tf.cast(x, 'float32');
    const ints = tf.cast(x, 'int32');
    x.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3, 4]);
    expect(Array.from(cast.dataSync())).toEqual([1, 2, 3, 4]);
    expect(ints.dtype).toBe('int32');
    // x, copy and cast share one buffer; ints has its own.
    expect(tf.backend().numDataIds()).toBe(buffers + 2);
    tf.dispose([copy, cast, ints]);
    expect(tf.backend().numDataIds()).toBe(buffers);
  });
});

/** Gradients of a training-mode batch norm (moments → batchNorm → weighted sum), as tfjs-layers builds it. */
function batchNormGrads(x: HostTensor, gamma: HostTensor, beta: HostTensor, weights: HostTensor): HostTensor[] {
  return tf.tidy(() => {
    const [xs, g, b, w] = [x, gamma, beta, weights].map((t) => tf.tensor(t.values, t.shape));
    const f = (xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => {
      const { mean, variance } = tf.moments(xi, [0, 1, 2]);
      return tf.sum(tf.mul(tf.batchNorm(xi, mean, variance, bi, gi, 1e-3), w));
    };
    const grads = tf.grads(f)([xs, g, b]);
    return grads.map((t) => ({ values: t.dataSync() as Float32Array, shape: t.shape }));
  });
}

describe('fused BatchNormalization gradient', () => {
  it("matches tfjs's own gradient (cpu, stock kernels) for x, scale and offset", async () => {
    await selectBackend('wasm');
    for (const channels of [1, 3, 8, 16, 33]) {
      const shape = randomShape(channels);
      const inputs = [
        randomValues(rng, shape),
        randomValues(rng, [channels]),
        randomValues(rng, [channels]),
        randomValues(rng, shape),
      ] as const;
      registerFastKernels('wasm');
      await tf.setBackend('wasm');
      const ours = batchNormGrads(...inputs);
      unregisterFastKernels('cpu');
      await tf.setBackend('cpu');
      const ref = batchNormGrads(...inputs);
      ['dx', 'dscale', 'doffset'].forEach((name, i) => expectClose(ours[i], ref[i], `${name} C=${channels}`));
      // The cpu backend's own sums kernel (plain loops) gives the same gradients.
      registerFastKernels('cpu');
      const cpuFused = batchNormGrads(...inputs);
      ['dx', 'dscale', 'doffset'].forEach((name, i) => expectClose(cpuFused[i], ref[i], `cpu ${name} C=${channels}`));
    }
  });
});

describe('SIMD MaxPoolGrad (2×2, stride 2, channels divisible by 4)', () => {
  it('matches the cpu stock kernel with ties, odd sizes, windows of −∞, valid and same padding', async () => {
    await selectBackend('wasm');
    for (const [i, channels] of [4, 8, 16, 32, 64, 8, 4].entries()) {
      // Odd sizes with 'same' padding put the last windows half outside the input (not the SIMD kernel's case).
      const pad = i % 2 === 0 ? 'valid' : 'same';
      const shape = [1 + rng.int(4), 2 + rng.int(12), 2 + rng.int(12), channels] as [number, number, number, number];
      const size = shape.reduce((a, b) => a * b, 1);
      // Rectified values in {0, 0.5, 1}: many tied and all-zero windows; a few −∞ (no maximum at all).
      const x = Float32Array.from({ length: size }, () =>
        rng.int(40) === 0 ? -Infinity : Math.max(0, rng.int(5) - 2) / 2,
      );
      const out = tf.tidy(() => tf.maxPool(tf.tensor4d(x, shape), 2, 2, pad));
      const inputs: Record<string, HostTensor> = {
        dy: randomValues(rng, out.shape),
        input: { values: x, shape },
        output: { values: out.dataSync() as Float32Array, shape: out.shape },
      };
      out.dispose();
      const attrs = { filterSize: 2, strides: 2, pad };
      const ref = await runCpuStock('MaxPoolGrad', inputs, attrs);
      const ours = await runRegistered('wasm', 'MaxPoolGrad', inputs, attrs);
      // Routing copies values: identical, not merely close.
      expect(relativeError(ours, ref), `case ${i} ${shape} ${pad}`).toBe(0);
    }
  });
});

describe('Mean gradient', () => {
  it("matches tfjs's own (dy·ones/n) on wasm and cpu, for leading and other axes", async () => {
    for (const axis of [[0, 1, 2], [1, 2], [3], [0, 1, 2, 3]]) {
      const x = randomValues(rng, randomShape(1 + rng.int(20)));
      const w = randomValues(rng, x.shape);
      const grad = () =>
        tf.tidy(() => {
          const weights = tf.tensor(w.values, w.shape);
          const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.mean(tf.mul(t, weights), axis, true), 3)));
          const out = g(tf.tensor(x.values, x.shape));
          return { values: out.dataSync() as Float32Array, shape: out.shape };
        });
      await selectBackend('wasm');
      const ours = grad();
      registerFastKernels('cpu');
      await tf.setBackend('cpu');
      const cpuOurs = grad();
      unregisterFastKernels('cpu');
      const ref = grad();
      expectClose(ours, ref, `wasm mean grad axis ${axis}`);
      expectClose(cpuOurs, ref, `cpu mean grad axis ${axis}`);
    }
  });
});

describe('ReLU gradient', () => {
  it("matches tfjs's own (dy·step(x)) on wasm and cpu, zeros and odd lengths included", async () => {
    for (const shape of [[3, 7, 5, 3], [2, 33, 17, 8], [1001]]) {
      const x = randomValues(rng, shape);
      x.values = x.values.map((v, i) => (i % 7 === 0 ? 0 : v));
      const w = randomValues(rng, shape);
      const grad = () =>
        tf.tidy(() => {
          const weights = tf.tensor(w.values, w.shape);
          const out = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), weights)))(tf.tensor(x.values, x.shape));
          return { values: out.dataSync() as Float32Array, shape: out.shape };
        });
      await selectBackend('wasm');
      const ours = grad();
      registerFastKernels('cpu');
      await tf.setBackend('cpu');
      const cpuOurs = grad();
      unregisterFastKernels('cpu');
      const ref = grad();
      // A mask, not arithmetic: identical results.
      expect(relativeError(ours, ref), `wasm ${shape}`).toBe(0);
      expect(relativeError(cpuOurs, ref), `cpu ${shape}`).toBe(0);
    }
  });
});
