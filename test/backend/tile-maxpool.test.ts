/**
 * The fast Tile and MaxPoolGrad kernels against the cpu backend's stock kernels (and Tile's copy routine against a
 * naive index-by-index tiling), on seeded random shapes. MaxPoolGrad inputs are quantised and rectified so that
 * windows often hold tied maxima, where the choice of position matters.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { registerFastKernels } from '../../src/lab/backend';
import { tileInto } from '../../src/lab/backend/fast-training/kernels/tile';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { createRng, relativeError, runCpuStock, runRegistered, type HostTensor } from './kernel-harness';
import * as tf from '@tensorflow/tfjs';
import { backend_util } from '@tensorflow/tfjs';

const TOLERANCE = 1e-4;

/** Tiling by computing each output element's source index: slow but obviously right. */
function naiveTile(src: ArrayLike<number>, shape: number[], reps: number[]): number[] {
  const outShape = shape.map((s, d) => s * reps[d]);
  const size = outShape.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let flat = 0; flat < size; flat++) {
    let rest = flat;
    let srcIndex = 0;
    let srcStride = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      const coord = rest % outShape[d];
      rest = Math.floor(rest / outShape[d]);
      srcIndex += (coord % shape[d]) * srcStride;
      srcStride *= shape[d];
    }
    out.push(src[srcIndex]);
  }
  return out;
}

describe('tileInto', () => {
  it('matches naive tiling for random shapes of rank 0–5', () => {
    const rng = createRng(11);
    for (let trial = 0; trial < 200; trial++) {
      const rank = trial % 6;
      const shape = Array.from({ length: rank }, () => 1 + rng.int(rank > 3 ? 3 : 6));
      const reps = Array.from({ length: rank }, () => 1 + rng.int(3));
      // Occasionally a long last axis, to take the set/copyWithin path rather than the scalar one.
      if (rank > 0 && trial % 7 === 0) shape[rank - 1] = 70 + rng.int(10);
      const size = shape.reduce((a, b) => a * b, 1);
      const src = Int32Array.from({ length: size }, (_, i) => i * 3 + 1);
      const dst = new Int32Array(naiveTile(src, shape, reps).length);
      tileInto(src, shape, reps, dst);
      expect(Array.from(dst), `shape ${shape} reps ${reps}`).toEqual(naiveTile(src, shape, reps));
    }
  });

  it('handles zero repetitions and bytes (bool storage)', () => {
    const empty = new Float32Array(0);
    tileInto(Float32Array.of(1, 2), [2], [0], empty);
    expect(empty.length).toBe(0);
    const bytes = new Uint8Array(6);
    tileInto(Uint8Array.of(1, 0), [1, 2], [3, 1], bytes);
    expect(Array.from(bytes)).toEqual([1, 0, 1, 0, 1, 0]);
  });
});

describe('fast Tile, MaxPool and MaxPoolGrad match the cpu stock kernels', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    registerFastKernels('cpu', ['Tile', 'MaxPoolGrad']);
  });

  it('Tile: float32 and int32, random shapes and repetitions, incl. BatchNorm gradient shape', async () => {
    const rng = createRng(5);
    const cases: Array<{ shape: number[]; reps: number[] }> = [{ shape: [1, 1, 1, 16], reps: [32, 62, 62, 1] }];
    for (let i = 0; i < 30; i++) {
      const rank = 1 + (i % 5);
      cases.push({
        shape: Array.from({ length: rank }, () => 1 + rng.int(5)),
        reps: Array.from({ length: rank }, () => 1 + rng.int(3)),
      });
    }
    for (const [i, { shape, reps }] of cases.entries()) {
      const size = shape.reduce((a, b) => a * b, 1);
      const dtype = i % 2 === 0 ? 'float32' : 'int32';
      const values =
        dtype === 'float32'
          ? Float32Array.from({ length: size }, () => rng.next())
          : Int32Array.from({ length: size }, () => rng.int(1000));
      const inputs: Record<string, HostTensor> = { x: { values, shape, dtype } };
      const ref = await runCpuStock('Tile', inputs, { reps });
      for (const backend of ['wasm', 'cpu'] as const) {
        const out = await runRegistered(backend, 'Tile', inputs, { reps });
        expect(out.shape).toEqual(ref.shape);
        // Tiling copies values, so the results must be identical, not merely close.
        expect(relativeError(out, ref), `${backend} ${shape} × ${reps}`).toBe(0);
      }
    }
  });

  it('MaxPool: 2×2 stride-2 pools equal the stock cpu kernel exactly, −∞ and NaN included; other pools fall back', async () => {
    const rng = createRng(17);
    for (let i = 0; i < 30; i++) {
      // Mostly the SIMD case (channels in fours, 2×2, stride 2, valid); every fifth case one the stock kernel takes.
      const simdCase = i % 5 !== 4;
      const xShape = [1 + rng.int(8), 2 + rng.int(9), 2 + rng.int(9), simdCase ? 4 * (1 + rng.int(4)) : 3] as [
        number,
        number,
        number,
        number,
      ];
      const special = [Number.NEGATIVE_INFINITY, Number.NaN, Number.POSITIVE_INFINITY];
      const x = Float32Array.from({ length: xShape.reduce((a, b) => a * b, 1) }, () =>
        // (NaN only where ours runs: XNNPACK's stock pooling lets NaN win, the cpu kernel does not.)
        simdCase && rng.next() < 0.05 ? special[rng.int(3)] : Math.round(rng.next() * 8) / 4 - 1,
      );
      const inputs: Record<string, HostTensor> = { x: { values: x, shape: xShape } };
      const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
      const ref = await runCpuStock('MaxPool', inputs, attrs);
      const out = await runRegistered('wasm', 'MaxPool', inputs, attrs);
      expect(out.shape).toEqual(ref.shape);
      const same = Array.from(out.values).every((v, k) => Object.is(v, ref.values[k]));
      expect(same, `case ${i} ${xShape}`).toBe(true);
    }
  });

  it('MaxPoolGrad: random pools with tied maxima, same/valid, stride 1/2', async () => {
    const rng = createRng(9);
    for (let i = 0; i < 40; i++) {
      const filter = 1 + rng.int(3);
      const stride = 1 + (i % 2);
      const pad = Math.floor(i / 2) % 2 === 0 ? 'same' : 'valid';
      const xShape = [1 + rng.int(4), filter + rng.int(9), filter + rng.int(9), 1 + rng.int(8)] as [
        number,
        number,
        number,
        number,
      ];
      // Values in {0, 0.5, 1} after rectification: many windows tie, several are all zero.
      const x = Float32Array.from({ length: xShape.reduce((a, b) => a * b, 1) }, () => Math.max(0, rng.int(5) - 2) / 2);
      const info = backend_util.computePool2DInfo(xShape, filter, stride, 1, pad);
      const output = tf.tidy(() => tf.maxPool(tf.tensor4d(x, xShape), filter, stride, pad).dataSync() as Float32Array);
      const dySize = info.outShape.reduce((a, b) => a * b, 1);
      const dy = Float32Array.from({ length: dySize }, () => rng.next() * 2 - 1);
      const inputs: Record<string, HostTensor> = {
        dy: { values: dy, shape: info.outShape },
        input: { values: x, shape: xShape },
        output: { values: output, shape: info.outShape },
      };
      const attrs = { filterSize: filter, strides: stride, pad };
      const ref = await runCpuStock('MaxPoolGrad', inputs, attrs);
      for (const backend of ['wasm', 'cpu'] as const) {
        const out = await runRegistered(backend, 'MaxPoolGrad', inputs, attrs);
        expect(relativeError(out, ref), `${backend} case ${i} ${xShape} f${filter} s${stride} ${pad}`).toBeLessThan(
          TOLERANCE,
        );
      }
    }
  });
});
