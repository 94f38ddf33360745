/**
 * registerFastKernels / unregisterFastKernels: idempotent, silent, and they restore exactly the stock kernels (or
 * their absence), so benchmarks can switch between stock and fast in one process.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_FAST_KERNELS,
  fastKernelsActive,
  registerFastKernels,
  stockKernel,
  unregisterFastKernels,
} from '../../src/lab/backend';
import { selectBackend } from '../../src/lab/backend/select-backend';

describe('fast kernel registration', () => {
  let stockWasmInput: tf.KernelConfig | undefined;
  let stockCpuFilter: tf.KernelConfig | undefined;

  beforeAll(async () => {
    // Capture the stock kernels before anything is patched.
    await import('@tensorflow/tfjs-backend-wasm');
    stockWasmInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
    stockCpuFilter = tf.getKernel('Conv2DBackpropFilter', 'cpu');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    await selectBackend('wasm', { kernels: 'stock' });
  });

  afterEach(() => vi.restoreAllMocks());

  it('registers idempotently and without tfjs "already registered" warnings', () => {
    const warn = vi.spyOn(console, 'warn');
    expect(registerFastKernels('wasm')).toEqual(DEFAULT_FAST_KERNELS.wasm);
    expect(DEFAULT_FAST_KERNELS.wasm.slice(0, 4)).toEqual([
      'Conv2DBackpropFilter',
      'Conv2DBackpropInput',
      'MaxPoolGrad',
      'Tile',
    ]);
    const first = tf.getKernel('Conv2DBackpropInput', 'wasm');
    registerFastKernels('wasm');
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(first);
    expect(first).not.toBe(stockWasmInput);
    expect(warn).not.toHaveBeenCalled();
  });

  it('keeps the stock kernels reachable while patched', () => {
    registerFastKernels('cpu');
    expect(stockKernel('wasm', 'Conv2DBackpropInput')).toBe(stockWasmInput);
    expect(stockKernel('wasm', 'Conv2DBackpropFilter')).toBeUndefined();
    expect(stockKernel('cpu', 'Conv2DBackpropFilter')).toBe(stockCpuFilter);
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).not.toBe(stockCpuFilter);
  });

  it('unregisters back to stock (or to no kernel), idempotently', () => {
    unregisterFastKernels('wasm');
    unregisterFastKernels('wasm');
    unregisterFastKernels('cpu');
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(stockWasmInput);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).toBe(stockCpuFilter);
    expect(fastKernelsActive('wasm')).toEqual([]);
    expect(fastKernelsActive('cpu')).toEqual([]);
  });

  it('can patch a subset, and re-patch after unregistering', () => {
    expect(registerFastKernels('cpu', ['Tile'])).toEqual(['Tile']);
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).toBe(stockCpuFilter);
    expect(registerFastKernels('cpu')).toEqual(DEFAULT_FAST_KERNELS.cpu);
    unregisterFastKernels('cpu');
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).toBe(stockCpuFilter);
    expect(stockKernel('cpu', 'Conv2DBackpropFilter')).toBe(stockCpuFilter);
  });

  it('computes with the kernel that is registered at call time', () => {
    const x = tf.randomNormal([2, 5, 5, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const grad = () => tf.grad((w: tf.Tensor) => tf.conv2d(x, w as tf.Tensor4D, 1, 'same').sum());
    const w = tf.randomNormal([3, 3, 3, 2], 0, 1, 'float32', 2);
    expect(() => grad()(w)).toThrow(/Conv2DBackpropFilter/);
    registerFastKernels('wasm');
    const dw = grad()(w);
    expect(dw.shape).toEqual([3, 3, 3, 2]);
    tf.dispose([x, w, dw]);
  });
});
