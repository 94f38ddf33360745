import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageSet } from '../../src/lab/data/image-set';
import { batchNormLayers } from '../../src/lab/models/batchnorm-statistics';
import { AdaptationCancelledError, adaptBatchNorm, withAdaptedBatchNorm } from '../../src/lab/shift/adapt-batchnorm';
import { createRng } from '../../src/lab/util/rng';
import { useCpuBackend } from '../helpers/tf-cpu';

beforeAll(useCpuBackend);

/** count grey images of side 4 whose pixels are drawn around `level` (0..255), labels alternating unless `label` is given. */
function noiseSet(count: number, level: number, seed: number, label?: number): ImageSet {
  const rng = createRng(seed);
  const pixels = Uint8Array.from({ length: count * 16 }, () =>
    Math.max(0, Math.min(255, Math.round(level + 60 * (rng.next() - 0.5)))),
  );
  const labels = Int32Array.from({ length: count }, (_, i) => label ?? i % 2);
  return {
    size: 4,
    channels: 1,
    classNames: ['A', 'B'],
    pixels,
    labels,
    files: Array.from(labels, (_, i) => `n${i}`),
    count,
  };
}

/** image → [optional Dropout] → BatchNorm → flatten → Dense(2). */
function bnModel(options: { dropout?: number; scale?: boolean } = {}): tf.LayersModel {
  const input = tf.input({ shape: [4, 4, 1] });
  let x = input;
  if (options.dropout) x = tf.layers.dropout({ rate: options.dropout }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn', scale: options.scale ?? true }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  return tf.model({
    inputs: input,
    outputs: tf.layers.dense({ units: 2, kernelInitializer: 'ones' }).apply(x) as tf.SymbolicTensor,
  });
}

function moments(set: ImageSet): { mean: number; variance: number } {
  const v = Array.from(set.pixels.subarray(0, set.count * 16), (p) => p / 255);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean, variance: v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length };
}

/** Every weight of the model, by name. */
async function stats(model: tf.LayersModel): Promise<Record<string, number[]>> {
  const entries = await Promise.all(
    model.weights.map(async (w) => [w.originalName, Array.from(await w.read().data())] as const),
  );
  return Object.fromEntries(entries);
}
const MEAN = 'bn/moving_mean';
const VARIANCE = 'bn/moving_variance';

describe('adaptBatchNorm', () => {
  it('re-estimates the statistics on the set, leaves the trained weights alone, and restores exactly', async () => {
    const model = bnModel();
    const start = tf.memory().numTensors;
    const original = await stats(model);
    const set = noiseSet(40, 180, 1);
    const adapted = await adaptBatchNorm(model, set, { batchSize: 40 });
    expect(adapted.adaptation).toMatchObject({
      status: 'adapted',
      reason: null,
      layers: 1,
      images: 40,
      batches: 1,
      notes: [],
    });
    const during = await stats(model);
    const truth = moments(set);
    // One batch holding every image: exactly the set's mean and (population) variance.
    expect(during[MEAN][0]).toBeCloseTo(truth.mean, 5);
    expect(during[VARIANCE][0]).toBeCloseTo(truth.variance, 5);
    expect(Object.keys(original)).toHaveLength(6); // gamma, beta, moving mean and variance, kernel, bias
    for (const name of Object.keys(original))
      if (name !== MEAN && name !== VARIANCE) expect(during[name]).toEqual(original[name]);
    adapted.restore();
    adapted.restore(); // twice is harmless
    expect(await stats(model)).toEqual(original);
    expect(tf.memory().numTensors).toBe(start);
    model.dispose();
  });

  it('averages over near-equal batches weighted by images: the mean is the set mean', async () => {
    const model = bnModel();
    const set = noiseSet(70, 90, 2);
    const { value, adaptation } = await withAdaptedBatchNorm(
      model,
      set,
      { batchSize: 32 },
      async () => (await stats(model))[MEAN][0],
    );
    expect(adaptation.batches).toBe(3); // 70 images in batches of 24, 23, 23
    expect(value).toBeCloseTo(moments(set).mean, 5);
    model.dispose();
  });

  it('switches Dropout off while gathering statistics', async () => {
    const model = bnModel({ dropout: 0.5 });
    const set = noiseSet(32, 128, 3);
    const { value } = await withAdaptedBatchNorm(
      model,
      set,
      { batchSize: 32 },
      async () => (await stats(model))[VARIANCE],
    );
    expect(value[0]).toBeCloseTo(moments(set).variance, 5); // with dropout on, the zeros would inflate it
    model.dispose();
  });

  it('finds BatchNorm layers inside nested models', () => {
    const inner = tf.sequential({ layers: [tf.layers.batchNormalization({ inputShape: [4, 4, 1] })] });
    const input = tf.input({ shape: [4, 4, 1] });
    const outer = tf.model({
      inputs: input,
      outputs: tf.layers.flatten().apply(inner.apply(input)) as tf.SymbolicTensor,
    });
    expect(batchNormLayers(outer)).toHaveLength(1);
    outer.dispose();
  });

  it('says why when it cannot adapt, and leaves the model as it was', async () => {
    const plain = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 2 })],
    });
    const noBn = await adaptBatchNorm(plain, noiseSet(40, 100, 4));
    expect(noBn.adaptation.status).toBe('skipped');
    expect(noBn.adaptation.reason).toMatch(/no BatchNorm layers/);
    plain.dispose();

    const model = bnModel();
    const original = await stats(model);
    const few = await adaptBatchNorm(model, noiseSet(10, 100, 5), { batchSize: 32 });
    expect(few.adaptation).toMatchObject({ status: 'skipped', images: 0 });
    expect(few.adaptation.reason).toMatch(/^10 image\(s\) are fewer than one batch of 32/);
    expect(await stats(model)).toEqual(original);
    model.dispose();

    const inceptionLike = bnModel({ scale: false });
    const noScale = await adaptBatchNorm(inceptionLike, noiseSet(40, 100, 6));
    expect(noScale.adaptation.reason).toMatch(/bn\) have no scale γ .*tfjs issue 2868/);
    inceptionLike.dispose();
  });

  it('adapts a single-class set (no labels are used) and says what that means', async () => {
    const model = bnModel();
    const { adaptation } = await withAdaptedBatchNorm(model, noiseSet(40, 100, 7, 1), {}, () => null);
    expect(adaptation.status).toBe('adapted');
    expect(adaptation.notes[0]).toMatch(/same class.*uses no labels.*pessimistic/s);
    model.dispose();
  });

  it('restores the statistics when cancelled, and when the work inside throws', async () => {
    const model = bnModel();
    const original = await stats(model);
    const controller = new AbortController();
    await expect(
      adaptBatchNorm(model, noiseSet(96, 200, 8), {
        batchSize: 32,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      }),
    ).rejects.toBeInstanceOf(AdaptationCancelledError);
    expect(await stats(model)).toEqual(original);
    await expect(
      withAdaptedBatchNorm(model, noiseSet(40, 200, 9), {}, () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await stats(model)).toEqual(original);
    await expect(adaptBatchNorm(model, noiseSet(40, 200, 9), { batchSize: 1 })).rejects.toThrow(
      /batchSize must be a whole number ≥ 2/,
    );
    model.dispose();
  });
});
