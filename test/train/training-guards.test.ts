/**
 * The trainer's guards: a NaN loss stops the model with a message naming where it happened (nothing left
 * allocated), and WebGPU's buffer limit is checked against the largest activation before the first step.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchOverLimitReason, largestActivationBytesPerImage } from '../../src/lab/backend/buffer-limits';
import { findModel } from '../../src/lab/registry';
import { featureSource } from '../../src/lab/train/batch-source';
import { trainOnBatches } from '../../src/lab/train/train-loop';
import { NonFiniteLossError } from '../../src/lab/train/training-errors';
import { useCpuBackend } from '../helpers/tf-cpu';

beforeAll(useCpuBackend);

function head(): tf.LayersModel {
  const input = tf.input({ shape: [4] });
  return tf.model({
    inputs: input,
    outputs: tf.layers.dense({ units: 2, kernelInitializer: 'ones' }).apply(input) as tf.SymbolicTensor,
  });
}

describe('a non-finite loss', () => {
  it('stops training with a message naming epoch, batch and backend, and frees every tensor', async () => {
    const features = Float32Array.from({ length: 8 * 4 }, (_, i) => (i === 21 ? Number.NaN : i / 32));
    const source = featureSource({
      features,
      dim: 4,
      count: 8,
      labels: Int32Array.from([0, 1, 0, 1, 0, 1, 0, 1]),
      classNames: ['a', 'b'],
    });
    const model = head();
    const before = tf.memory().numTensors;
    const run = trainOnBatches(model, source, null, { epochs: 2, batchSize: 4, seed: 1 });
    await expect(run).rejects.toThrow(NonFiniteLossError);
    await expect(run).rejects.toThrow(/the loss became NaN at epoch 1, batch \d \(backend cpu\)/);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('buffer limits', () => {
  it('finds the largest activation of a model (cnn at 128 px: its first 126×126×8 convolution)', () => {
    const model = findModel('cnn').build({ size: 128, channels: 3, seed: 1 });
    expect(largestActivationBytesPerImage(model)).toBe(126 * 126 * 8 * 4);
    model.dispose();
  });

  it('refuses a batch over the limit and says what fits', () => {
    const perImage = 126 * 126 * 8 * 4;
    expect(batchOverLimitReason(perImage, 32, 128 * 2 ** 20)).toBeNull();
    const reason = batchOverLimitReason(perImage, 300, 128 * 2 ** 20)!;
    expect(reason).toMatch(
      /a batch of 300 needs a 145 MiB buffer .* 128 MiB limit per buffer \(WebGPU\): use a batch of at most 264/,
    );
    expect(batchOverLimitReason(perImage, 1, 1000)).toMatch(/use a smaller image size/);
  });
});
