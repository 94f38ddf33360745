/**
 * Checkpoints and resume: a run stopped after any epoch and continued from its checkpoint (written to bytes and read
 * back, as IndexedDB and the project zip hold it) ends with exactly the weights, Adam state and epoch losses of the
 * run that was never interrupted — on wasm and cpu, with BatchNorm, validation, augmentation and BatchNorm
 * recalibration all drawing on the saved state. Checkpoints of other settings are refused; no tensors leak.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { STANDARD_AUGMENTATION } from '../../src/lab/data/augment';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/lab/persist/checkpoint-codec';
import { findModel } from '../../src/lab/registry';
import { CheckpointMismatchError, type TrainCheckpoint } from '../../src/lab/train/checkpoint';
import { trainModel } from '../../src/lab/train/trainer';
import type { TrainOptions } from '../../src/lab/train/train-options';
import { makeToyImageSet } from '../helpers/toy-images';

const SIZE = 16;
const train = makeToyImageSet(40, SIZE, 1, 3);
const val = makeToyImageSet(12, SIZE, 1, 4);
const OPTIONS: Partial<TrainOptions> = {
  epochs: 4,
  batchSize: 8,
  seed: 11,
  learningRate: 0.01,
  batchNormRecalibrationBatches: 2,
  augmentation: STANDARD_AUGMENTATION,
};

const build = () => findModel('light-k1').build({ size: SIZE, channels: 1, seed: 5 });

async function weightsOf(model: tf.LayersModel): Promise<number[][]> {
  return Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())));
}

/** Epoch logs without their timings (those differ between any two runs). */
const losses = (h: { epoch: number; loss: number; accuracy: number; valLoss: number | null }[]) =>
  h.map(({ epoch, loss, accuracy, valLoss }) => ({ epoch, loss, accuracy, valLoss }));

describe.each(['wasm', 'cpu'] as const)('checkpoint and resume on %s', (backend) => {
  it('a run resumed after epoch 1, 2 or 3 ends bit-identical to the uninterrupted run', async () => {
    await selectBackend(backend);
    const start = tf.memory().numTensors;
    const checkpoints: Uint8Array[] = [];
    const whole = build();
    const costs: [number, number][] = [];
    const full = await trainModel(whole, train, val, OPTIONS, {
      onCheckpoint: (cp) => void checkpoints.push(encodeCheckpoint(cp)),
      onCheckpointCost: (epoch, ms) => void costs.push([epoch, ms]),
    });
    const expected = await weightsOf(whole);
    whole.dispose();
    expect(checkpoints.length).toBe(4);
    // Each checkpoint's hold-up is reported once, after it was handed over.
    expect(costs.map(([epoch]) => epoch)).toEqual([1, 2, 3, 4]);
    expect(costs.every(([, ms]) => ms >= 0 && Number.isFinite(ms))).toBe(true);

    // Asking for checkpoints does not change the run.
    const plain = build();
    await trainModel(plain, train, val, OPTIONS);
    expect(await weightsOf(plain)).toEqual(expected);
    plain.dispose();

    for (const at of [0, 1, 2]) {
      const cp = decodeCheckpoint(checkpoints[at]);
      expect(cp.epoch).toBe(at + 1);
      const resumed = build(); // fresh initial weights, overwritten by the checkpoint's
      const summary = await trainModel(resumed, train, val, OPTIONS, { resumeFrom: cp });
      expect(await weightsOf(resumed), `resumed after epoch ${at + 1}`).toEqual(expected);
      expect(losses(summary.history)).toEqual(losses(full.history));
      expect(summary.bestEpoch).toBe(full.bestEpoch);
      resumed.dispose();
    }
    expect(tf.memory().numTensors).toBe(start);
  });

  it("the checkpoint holds the epoch logs, Adam's step count and the best epoch", async () => {
    await selectBackend(backend);
    let last: TrainCheckpoint | null = null;
    const model = build();
    await trainModel(model, train, val, { ...OPTIONS, epochs: 2 }, { onCheckpoint: (cp) => void (last = cp) });
    model.dispose();
    const cp = decodeCheckpoint(encodeCheckpoint(last!));
    expect(cp.epoch).toBe(2);
    expect(cp.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(cp.optimizer.iterations).toBe(2 * Math.ceil(train.count / 8));
    expect(cp.best?.epoch).toBeGreaterThanOrEqual(1);
    expect(cp.order.length).toBe(train.count);
    expect(cp.sourcePosition).toBeGreaterThan(0);
  });

  it('refuses a checkpoint of other settings or another model with a message', async () => {
    await selectBackend(backend);
    let first: TrainCheckpoint | null = null;
    const model = build();
    await trainModel(model, train, val, { ...OPTIONS, epochs: 1 }, { onCheckpoint: (cp) => void (first = cp) });
    const start = tf.memory().numTensors;
    await expect(
      trainModel(model, train, val, { ...OPTIONS, epochs: 1, seed: 12 }, { resumeFrom: first }),
    ).rejects.toThrow(/seed 11, this run has 12/);
    await expect(
      trainModel(model, makeToyImageSet(30, SIZE, 1, 3), val, { ...OPTIONS, epochs: 1 }, { resumeFrom: first }),
    ).rejects.toThrow(CheckpointMismatchError);
    const other = findModel('light-k2').build({ size: SIZE, channels: 1, seed: 5 });
    await expect(trainModel(other, train, val, { ...OPTIONS, epochs: 1 }, { resumeFrom: first })).rejects.toThrow(
      CheckpointMismatchError,
    );
    expect(tf.memory().numTensors).toBe(start + other.getWeights().length);
    model.dispose();
    other.dispose();
  });
});
