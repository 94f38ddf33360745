import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { STANDARD_AUGMENTATION } from '../../src/lab/data/augment';
import { findModel } from '../../src/lab/registry';
import { resolveClassWeights } from '../../src/lab/train/class-weights';
import { resolveTrainOptions } from '../../src/lab/train/train-options';
import { trainModel } from '../../src/lab/train/trainer';
import { validate } from '../../src/lab/train/validate';
import { makeToyImageSet } from '../helpers/toy-images';
import { useCpuBackend } from '../helpers/tf-cpu';

beforeAll(useCpuBackend);

const train = makeToyImageSet(48, 12, 1, 1);
const val = makeToyImageSet(16, 12, 1, 2);
/**
 * Three batches of 8: enough for tests that compare runs or count tensors rather than check learning (the reference
 * cpu backend's convolution gradients are the slow part of this file, and they cost per image).
 */
const few = makeToyImageSet(24, 12, 1, 1);

async function weightsOf(model: tf.LayersModel): Promise<number[][]> {
  return Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())));
}

describe('trainModel', () => {
  it('learns a separable task and reports per-batch and per-epoch logs', async () => {
    const model = findModel('light-k2').build({ size: 12, channels: 1, seed: 3 });
    const batches: number[] = [];
    const epochs: number[] = [];
    const summary = await trainModel(
      model,
      train,
      val,
      { epochs: 6, batchSize: 8, learningRate: 1e-2, seed: 3 },
      {
        onBatchEnd: (log) => {
          batches.push(log.batch);
          expect(log.imagesPerSec).toBeGreaterThan(0);
        },
        onEpochEnd: (log) => {
          epochs.push(log.epoch);
        },
      },
    );
    expect(batches.length).toBe(6 * 6);
    expect(epochs).toEqual([1, 2, 3, 4, 5, 6]);
    expect(summary.epochsRun).toBe(6);
    expect(summary.history[5].loss).toBeLessThan(summary.history[0].loss);
    expect(summary.history[5].accuracy).toBeGreaterThan(0.8);
    expect(summary.imagesPerSec).toBeGreaterThan(0);
    model.dispose();
  });

  it('reproduces a seeded run exactly', async () => {
    const run = async () => {
      const model = findModel('light-k2').build({ size: 16, channels: 1, seed: 9 });
      const set = makeToyImageSet(24, 16, 1, 4);
      const summary = await trainModel(model, set, null, { epochs: 2, batchSize: 8, seed: 9 });
      const weights = await weightsOf(model);
      model.dispose();
      return { losses: summary.history.map((h) => h.loss), weights };
    };
    const a = await run();
    const b = await run();
    expect(b.losses).toEqual(a.losses);
    expect(b.weights).toEqual(a.weights);
  });

  it('differs when only the shuffle seed changes', async () => {
    const run = async (seed: number) => {
      const model = findModel('light-k1').build({ size: 12, channels: 1, seed: 1 });
      const summary = await trainModel(model, few, null, { epochs: 1, batchSize: 8, seed });
      model.dispose();
      return summary.history[0].loss;
    };
    expect(await run(1)).not.toBe(await run(2));
  });

  it('restores the weights of the best validation epoch', async () => {
    const model = findModel('light-k2').build({ size: 12, channels: 1, seed: 5 });
    // A learning rate this high makes later epochs worse than some earlier one on validation.
    const summary = await trainModel(model, train, val, { epochs: 6, batchSize: 8, learningRate: 0.3, seed: 5 });
    const bestLog = summary.history.reduce((a, b) => (b.valLoss! < a.valLoss! ? b : a));
    expect(summary.bestEpoch).toBe(bestLog.epoch);
    const now = await validate(model, val, 8, '0,1');
    expect(now.loss).toBeCloseTo(bestLog.valLoss!, 5);
    model.dispose();
  });

  it('stops early after `patience` epochs without improvement', async () => {
    const model = findModel('light-k1').build({ size: 12, channels: 1, seed: 6 });
    const summary = await trainModel(model, train, val, {
      epochs: 30,
      batchSize: 16,
      learningRate: 0.5,
      seed: 6,
      earlyStoppingPatience: 2,
    });
    expect(summary.stoppedEarly).toBe(true);
    expect(summary.epochsRun).toBeLessThan(30);
    expect(summary.epochsRun - summary.bestEpoch!).toBe(2);
    model.dispose();
  });

  it('cancels between batches and leaves a usable model', async () => {
    const model = findModel('light-k1').build({ size: 12, channels: 1, seed: 7 });
    const controller = new AbortController();
    const summary = await trainModel(
      model,
      train,
      val,
      { epochs: 5, batchSize: 8, seed: 7 },
      {
        onBatchEnd: (log) => {
          if (log.epoch === 2 && log.batch === 2) controller.abort();
        },
      },
      controller.signal,
    );
    expect(summary.cancelled).toBe(true);
    expect(summary.epochsRun).toBe(1);
    expect(summary.bestEpoch).toBe(1);
    const out = model.predict(tf.zeros([2, 12, 12, 1])) as tf.Tensor;
    expect(out.shape).toEqual([2, 2]);
    expect(Array.from(out.dataSync()).every(Number.isFinite)).toBe(true);
    model.dispose();
  });

  it('returns tf.memory().numTensors to its start', async () => {
    const model = findModel('light-k2').build({ size: 12, channels: 1, seed: 8 });
    const before = tf.memory().numTensors;
    await trainModel(model, few, val, {
      epochs: 2,
      batchSize: 8,
      classWeights: 'balanced',
      batchNormRecalibrationBatches: 2,
    });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('re-estimates BatchNorm statistics when asked, changing validation loss', async () => {
    const run = async (batches: number) => {
      const model = findModel('light-k2').build({ size: 12, channels: 1, seed: 2 });
      const s = await trainModel(model, few, val, {
        epochs: 1,
        batchSize: 8,
        seed: 2,
        batchNormRecalibrationBatches: batches,
      });
      model.dispose();
      return s.history[0];
    };
    const plain = await run(0);
    const recalibrated = await run(3);
    expect(recalibrated.loss).toBe(plain.loss); // same training steps
    expect(recalibrated.valLoss).not.toBe(plain.valLoss); // different BatchNorm statistics at validation
  });
});

describe('augmentation', () => {
  it('changes what the network sees, reproducibly for a seed, without touching the stored images', async () => {
    const stored = few.pixels.slice();
    const run = async (augmentation: typeof STANDARD_AUGMENTATION | null) => {
      const model = findModel('light-k1').build({ size: 12, channels: 1, seed: 3 });
      const summary = await trainModel(model, few, null, { epochs: 1, batchSize: 8, seed: 3, augmentation });
      model.dispose();
      return summary.history[0].loss;
    };
    const plain = await run(null);
    const augmented = await run(STANDARD_AUGMENTATION);
    expect(augmented).not.toBe(plain);
    expect(await run(STANDARD_AUGMENTATION)).toBe(augmented);
    expect(few.pixels).toEqual(stored);
  });
});

describe('class weights and options', () => {
  it('balances as n / (classes · n_c)', () => {
    const set = { labels: Int32Array.from([0, 1, 1, 1]), classNames: ['N', 'P'] };
    expect(Array.from(resolveClassWeights(set, 'balanced')!)).toEqual([2, 4 / 6].map(Math.fround));
    expect(resolveClassWeights(set, null)).toBeNull();
    expect(() => resolveClassWeights(set, [1])).toThrow(/one weight per class/);
  });

  it('rejects nonsense options by name', () => {
    expect(() => resolveTrainOptions({ epochs: 0 })).toThrow(/epochs must be a whole number ≥ 1/);
    expect(() => resolveTrainOptions({ batchSize: 2.5 })).toThrow(/batchSize/);
    expect(() => resolveTrainOptions({ learningRate: -1 })).toThrow(/learningRate/);
    expect(resolveTrainOptions({}).epochs).toBe(20);
  });
});
