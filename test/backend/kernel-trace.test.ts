/**
 * traceKernels / missingKernels on the cpu backend: counts dispatches per kernel, separates custom-gradient ops,
 * and reports kernels a backend lacks.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { missingKernels, traceKernels } from '../../src/lab/backend/kernel-trace';

describe('kernel tracing', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('counts each kernel a computation dispatches and disposes its result', async () => {
    const a = tf.tensor1d([1, 2, 3]);
    const before = tf.memory().numTensors;
    const trace = await traceKernels(() => tf.add(tf.mul(a, a), tf.mul(a, 2)));
    expect(tf.memory().numTensors).toBe(before);
    const byName = Object.fromEntries(trace.kernels.map((k) => [k.name, k]));
    expect(trace.backend).toBe('cpu');
    expect(byName.Multiply.calls).toBe(2);
    expect(byName.Add.calls).toBe(1);
    expect(byName.Add.customOp).toBe(false);
    a.dispose();
  });

  it('marks custom-gradient ops and leaves them out of missing kernels', async () => {
    const labels = tf.tensor2d([[1, 0]]);
    const logits = tf.tensor2d([[0.3, -0.2]]);
    const trace = await traceKernels(() => tf.losses.softmaxCrossEntropy(labels, logits));
    const custom = trace.kernels.filter((k) => k.customOp).map((k) => k.name);
    expect(custom).toContain('softmaxCrossEntropy__op');
    expect(missingKernels(['softmaxCrossEntropy__op', 'Add', 'NoSuchKernel'], 'cpu')).toEqual(['NoSuchKernel']);
    tf.dispose([labels, logits]);
  });
});
