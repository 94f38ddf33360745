/**
 * End to end: the small conv net (Conv2D valid + ReLU, BatchNormalization, MaxPooling2D, GlobalAveragePooling2D,
 * Dense; Adam via optimizer.minimize; softmax cross-entropy) trains on wasm with the fast kernels, dispatches them,
 * and leaves no tensors (nor backend buffers) behind once everything is disposed.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_FAST_KERNELS,
  fastKernelsActive,
  registerFastKernels,
  unregisterFastKernels,
} from '../../src/lab/backend';
import { BATCH_NORM_GRAD_SUMS } from '../../src/lab/backend/fast-training/kernels/channel-reduce';
import { traceKernels } from '../../src/lab/backend/kernel-trace';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { buildSmallCnn, makeBlobData, trainStep } from './small-cnn';

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('training a small conv net on wasm', () => {
  beforeAll(async () => {
    const selected = await selectBackend('wasm');
    expect(selected.name).toBe('wasm');
  });

  it('lowers the loss and frees every tensor and backend buffer', () => {
    const startTensors = tf.memory().numTensors;
    const startBuffers = tf.backend().numDataIds();
    const model = buildSmallCnn(16, 8, 7, 2);
    const optimizer = tf.train.adam(0.01);
    const { xs, ys } = makeBlobData(16, 16);
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) losses.push(trainStep(model, optimizer, xs, ys));
    // Two classes: chance level is ln 2 ≈ 0.69; the blobs are easy, so the loss must clearly fall.
    expect(mean(losses.slice(-3))).toBeLessThan(0.6 * mean(losses.slice(0, 3)));
    for (const loss of losses) expect(Number.isFinite(loss)).toBe(true);
    tf.dispose([xs, ys]);
    model.dispose();
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(startTensors);
    expect(tf.backend().numDataIds()).toBe(startBuffers);
  });

  it('dispatches the fast gradient kernels during a step', async () => {
    const model = buildSmallCnn(12, 4, 3, 2);
    const optimizer = tf.train.adam(0.01);
    const { xs, ys } = makeBlobData(4, 12);
    const trace = await traceKernels(() => {
      trainStep(model, optimizer, xs, ys);
      return [];
    });
    const names = trace.kernels.map((k) => k.name);
    expect(trace.backend).toBe('wasm');
    // BatchNormalization's gradient now runs as two per-channel sums (no Tile of the scale any more).
    for (const kernel of [
      'Conv2D',
      'Conv2DBackpropFilter',
      'Conv2DBackpropInput',
      'MaxPoolGrad',
      BATCH_NORM_GRAD_SUMS,
    ]) {
      expect(names).toContain(kernel);
    }
    expect(fastKernelsActive('wasm')).toEqual(DEFAULT_FAST_KERNELS.wasm);
    tf.dispose([xs, ys]);
    model.dispose();
    optimizer.dispose();
  });

  it('cannot train a convolution on stock wasm (why the kernels exist)', () => {
    const model = buildSmallCnn(8, 2);
    const optimizer = tf.train.adam(0.01);
    const { xs, ys } = makeBlobData(2, 8);
    unregisterFastKernels('wasm');
    try {
      expect(() => trainStep(model, optimizer, xs, ys)).toThrow(/Conv2DBackpropFilter/);
    } finally {
      registerFastKernels('wasm');
      tf.dispose([xs, ys]);
      model.dispose();
      optimizer.dispose();
    }
  });
});
