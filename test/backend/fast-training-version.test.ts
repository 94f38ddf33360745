/**
 * installFastTraining on a tfjs other than the pinned release (the version is injected, the package is left alone):
 * the fast path stays off — stock kernels, stock gradients, tfjs's own layer code, wasm started as tfjs starts it —
 * and says so once. Its own file, so that wasm first starts here with the faked version.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_FAST_KERNELS, fastKernelsActive } from '../../src/lab/backend';
import {
  fastTrainingActive,
  installedTfjsVersions,
  installFastTraining,
  PINNED_TFJS_VERSION,
} from '../../src/lab/backend/fast-training';
import { selectBackend } from '../../src/lab/backend/select-backend';

const FAKED = { ...installedTfjsVersions(), 'tfjs-core': '4.23.0' };

describe('the fast path on another tfjs version', () => {
  it('is written for the tfjs installed here', () => {
    expect(Object.values(installedTfjsVersions())).toEqual(Array(4).fill(PINNED_TFJS_VERSION));
  });

  it('leaves wasm stock (tfjs start, one thread, only the missing filter gradient) and warns once', async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    const stockInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
    const warn = vi.fn();
    const wasm = await selectBackend('wasm', { tfjsVersions: FAKED, warn });
    expect(wasm.name).toBe('wasm');
    expect(wasm.kernels).toBe('stock');
    expect(wasm.kernelsNote).toMatch(/written for tfjs 4\.22\.0 and this is tfjs-core 4\.23\.0/);
    expect(wasm.wasmThreads).toEqual({ threads: 1, limitedBy: expect.stringMatching(/off on this tfjs version/) });
    expect(wasm.fastKernels).toEqual(['Conv2DBackpropFilter']);
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(stockInput);
    expect(fastTrainingActive()).toBe(false);
    // The filter gradient wasm lacks, built from its own kernels, agrees with cpu's stock one.
    const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 5], 0, 1, 'float32', 2) as tf.Tensor4D;
    const loss = (f: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, f as tf.Tensor4D, 1, 'valid')));
    const filterGrad = () => tf.tidy(() => tf.grad(loss)(w));
    const dw = filterGrad();
    await selectBackend('cpu', { tfjsVersions: FAKED, warn });
    const reference = filterGrad();
    const [gap, scale] = tf.tidy(() =>
      [tf.max(tf.abs(tf.sub(dw, reference))), tf.max(tf.abs(reference))].map((t) => t.dataSync()[0]),
    );
    expect(gap / scale).toBeLessThan(1e-5);
    tf.dispose([x, w, dw, reference]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/tfjs-core 4\.23\.0: training with stock tfjs kernels instead/);
  });

  it('keeps cpu, its gradients and the training layers stock, and installs on the pinned version', () => {
    const stockFilter = tf.getKernel('Conv2DBackpropFilter', 'cpu');
    const stockBatchNormGrad = tf.getGradient('FusedBatchNorm');
    const warn = vi.fn();
    const off = installFastTraining('cpu', { versions: FAKED, warn });
    expect(off).toEqual({ kernels: 'stock', registered: [], note: expect.stringMatching(/tfjs-core 4\.23\.0/) });
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).toBe(stockFilter);
    expect(fastKernelsActive('cpu')).toEqual([]);
    expect(warn).not.toHaveBeenCalled(); // said once per process, and the test before said it

    const on = installFastTraining('cpu', { warn });
    expect(on).toEqual({ kernels: 'lab', registered: [...DEFAULT_FAST_KERNELS.cpu], note: null });
    expect(fastTrainingActive()).toBe(true);
    expect(tf.getGradient('FusedBatchNorm')).not.toBe(stockBatchNormGrad);

    // Off again: exactly tfjs's kernels and gradients come back.
    installFastTraining('cpu', { versions: FAKED, warn });
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).toBe(stockFilter);
    expect(tf.getGradient('FusedBatchNorm')).toBe(stockBatchNormGrad);
    expect(fastTrainingActive()).toBe(false);
    expect(warn).not.toHaveBeenCalled();
  });
});
