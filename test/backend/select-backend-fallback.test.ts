/**
 * selectBackend when wasm cannot start (its binaries are not where it is told to look): it must fall back to cpu
 * and say why, rather than throw or hang. Separate file, so this process has no wasm backend yet.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FAST_KERNELS, fastKernelsActive } from '../../src/lab/backend';
import { selectBackend } from '../../src/lab/backend/select-backend';

const BAD_PATHS = { wasmPaths: '/nonexistent-wasm-dir/', initTimeoutMs: 20_000 };

describe('selectBackend with unusable wasm binaries', () => {
  it('falls back to cpu with a reason, leaving cpu stock when asked to', async () => {
    const selected = await selectBackend('auto', { ...BAD_PATHS, kernels: 'stock' });
    expect(selected.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(selected.fallbacks).toHaveLength(1);
    expect(selected.fallbacks[0].name).toBe('wasm');
    expect(selected.fallbacks[0].reason).toMatch(/initialisation failed.*wasmPaths/);
    expect(selected.fastKernels).toEqual([]);
    expect(fastKernelsActive('cpu')).toEqual([]);
  });

  it('lists every fallback in order when a named preference fails too', async () => {
    const selected = await selectBackend('webgl', BAD_PATHS);
    expect(selected.name).toBe('cpu');
    expect(selected.fallbacks.map((f) => f.name)).toEqual(['webgl', 'wasm']);
    expect(selected.fastKernels).toEqual(DEFAULT_FAST_KERNELS.cpu);
    // The cpu fast kernels are live: a conv filter gradient runs through them and is correct in shape.
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    const dw = tf.grad((w: tf.Tensor) => tf.conv2d(x, w as tf.Tensor4D, 1, 'valid').sum())(tf.ones([3, 3, 1, 1]));
    expect(Array.from(dw.dataSync())).toEqual(new Array(9).fill(4));
    tf.dispose([x, dw]);
  });
});
