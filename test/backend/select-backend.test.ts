/**
 * selectBackend in Node: the auto order, named preferences that Node cannot satisfy (with their reasons), threaded
 * wasm on every core, and which fast kernels each backend gets.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FAST_KERNELS, fastKernelsActive } from '../../src/lab/backend';
import { candidateOrder, selectBackend } from '../../src/lab/backend/select-backend';

describe('candidateOrder', () => {
  it('tries GPUs first in pages and workers, and only wasm → cpu in Node', () => {
    expect(candidateOrder('auto', 'browser')).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(candidateOrder('auto', 'worker')).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(candidateOrder('auto', 'node')).toEqual(['wasm', 'cpu']);
  });

  it('puts a named preference first and keeps the rest of the auto order', () => {
    expect(candidateOrder('wasm', 'browser')).toEqual(['wasm', 'webgpu', 'webgl', 'cpu']);
    expect(candidateOrder('webgpu', 'node')).toEqual(['webgpu', 'wasm', 'cpu']);
    expect(candidateOrder('cpu', 'node')).toEqual(['cpu', 'wasm']);
  });
});

describe('selectBackend in Node', () => {
  it('auto picks wasm with XNNPACK on every core (at most 8) and the fast kernels', async () => {
    const selected = await selectBackend('auto');
    const cores = Math.min(availableParallelism(), 8);
    expect(selected).toEqual({
      name: 'wasm',
      fallbacks: [],
      fastKernels: [...DEFAULT_FAST_KERNELS.wasm],
      kernels: 'lab',
      kernelsNote: null,
      runtime: 'node',
      wasmThreads: { threads: cores, limitedBy: cores > 1 ? null : 'one logical core' },
    });
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(cores > 1);
    expect(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')).toBe(true);
  });

  it('explains why webgpu and webgl are unavailable, then falls back to wasm', async () => {
    const gpu = await selectBackend('webgpu');
    expect(gpu.name).toBe('wasm');
    expect(gpu.fallbacks).toEqual([{ name: 'webgpu', reason: 'navigator.gpu is not available' }]);
    const gl = await selectBackend('webgl');
    expect(gl.name).toBe('wasm');
    expect(gl.fallbacks.map((f) => f.name)).toEqual(['webgl']);
    expect(gl.fallbacks[0].reason).toMatch(/canvas/);
  });

  it('cpu on request, with the kernels that beat cpu stock', async () => {
    const selected = await selectBackend('cpu');
    expect(selected.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(selected.fastKernels).toEqual(DEFAULT_FAST_KERNELS.cpu);
    expect(fastKernelsActive('cpu')).toEqual(selected.fastKernels);
    // Switching back keeps working (the wasm instance is reused).
    expect((await selectBackend('wasm')).name).toBe('wasm');
  });
});
