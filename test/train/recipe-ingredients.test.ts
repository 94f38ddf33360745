import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  applyAugmentation,
  augmentImage,
  sampleAugmentation,
  STANDARD_AUGMENTATION,
  XRAY_AUGMENTATION,
} from '../../src/lab/data/augment';
import { shiftImageSet } from '../../src/lab/shift/image-shifts';
import { featureSource } from '../../src/lab/train/batch-source';
import { logitsLoss } from '../../src/lab/train/loss';
import { scheduledRate } from '../../src/lab/train/train-loop';
import { trainModel } from '../../src/lab/train/trainer';
import { validateSource } from '../../src/lab/train/validate';
import { findModel } from '../../src/lab/registry';
import { createRng } from '../../src/lab/util/rng';
import { makeToyImageSet } from '../helpers/toy-images';
import { useCpuBackend } from '../helpers/tf-cpu';

beforeAll(useCpuBackend);

describe('the cosine learning-rate schedule', () => {
  const o = { learningRate: 0.01, epochs: 4 };
  const rates = Array.from({ length: 4 * 10 }, (_, step) => scheduledRate(o, step, 10));

  it('warms up linearly over the first epoch, peaks, then only falls, never to a negative rate', () => {
    expect(rates.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => (0.01 * (i + 1)) / 10));
    expect(rates[10]).toBeCloseTo(0.01, 12);
    for (let i = 11; i < rates.length; i++) expect(rates[i]).toBeLessThan(rates[i - 1]);
    expect(rates[rates.length - 1]).toBeGreaterThan(0);
    // Half-way through the decay the rate is half the peak (cos 90°).
    expect(rates[10 + 15]).toBeCloseTo(0.005, 12);
  });

  it('skips the warm-up of a one-epoch run', () => {
    expect(scheduledRate({ learningRate: 0.01, epochs: 1 }, 0, 10)).toBeCloseTo(0.01, 12);
  });
});

describe('label smoothing', () => {
  it('is the cross-entropy against (1 − ε)·one-hot + ε / classes', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [1] })] });
    const logits = tf.tensor2d([
      [2, -1],
      [0.5, 0.25],
      [-3, 1],
    ]);
    const labels = tf.tensor1d([0, 1, 1], 'int32');
    const eps = 0.2;
    const got = logitsLoss(model, logits, labels, undefined, eps).dataSync()[0];
    const rows = logits.arraySync();
    let expected = 0;
    rows.forEach((row, i) => {
      const logSum = Math.log(Math.exp(row[0]) + Math.exp(row[1]));
      row.forEach((z, c) => {
        const target = (c === [0, 1, 1][i] ? 1 - eps : 0) + eps / 2;
        expected -= (target * (z - logSum)) / rows.length;
      });
    });
    expect(got).toBeCloseTo(expected, 5);
    expect(logitsLoss(model, logits, labels).dataSync()[0]).not.toBeCloseTo(expected, 3);
    tf.dispose([logits, labels]);
    model.dispose();
  });
});

describe('the class-balanced validation loss', () => {
  it("averages the classes' mean cross-entropies, whatever the class mix", async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [2] })] });
    tf.tidy(() =>
      model.setWeights([
        tf.tensor2d([
          [1, -1],
          [0.5, 2],
        ]),
        tf.tensor1d([0.1, -0.2]),
      ]),
    );
    // Seven images of class 0, one of class 1.
    const features = new Float32Array([1, 0, 0.5, 0, 0.2, 0.1, 1, 1, 0, 1, 0.3, 0.3, 0.9, 0.1, 0, 0.4]);
    const labels = new Int32Array([0, 0, 0, 0, 0, 0, 0, 1]);
    const source = featureSource({ features, labels, dim: 2, count: 8, classNames: ['a', 'b'] });
    const figures = await validateSource(model, source, 3);
    const inputs = tf.tensor2d(features, [8, 2]);
    const logits = model.predict(inputs) as tf.Tensor2D;
    const rows = await logits.array();
    inputs.dispose();
    const ce = rows.map((row, i) => Math.log(Math.exp(row[0]) + Math.exp(row[1])) - row[labels[i]]);
    const plain = ce.reduce((a, b) => a + b, 0) / 8;
    const balanced = (ce.slice(0, 7).reduce((a, b) => a + b, 0) / 7 + ce[7]) / 2;
    expect(figures.loss).toBeCloseTo(plain, 5);
    expect(figures.balancedLoss).toBeCloseTo(balanced, 5);
    expect(Math.abs(plain - balanced)).toBeGreaterThan(0.01);
    logits.dispose();
    model.dispose();
  });
});

describe('site augmentation', () => {
  it('keeps the standard draws and adds gamma, blur and noise after them', () => {
    const a = sampleAugmentation(STANDARD_AUGMENTATION, 32, createRng(9));
    const b = sampleAugmentation(XRAY_AUGMENTATION, 32, createRng(9));
    expect({
      ...b,
      contrast: a.contrast,
      gamma: undefined,
      blurSigma: undefined,
      noiseSigma: undefined,
      noiseSeed: undefined,
    }).toEqual({ ...a, gamma: undefined, blurSigma: undefined, noiseSigma: undefined, noiseSeed: undefined });
    expect(b.gamma).toBeGreaterThanOrEqual(Math.exp(-0.4));
    expect(b.gamma).toBeLessThanOrEqual(Math.exp(0.4));
  });

  it('applies gamma, blur and noise as drawn, reproducibly', () => {
    const size = 16;
    const image = Uint8Array.from({ length: size * size }, (_, i) => (i % size > 7 ? 200 : 40));
    const still = { flip: false, angle: 0, dx: 0, dy: 0, scale: 1, brightness: 0, contrast: 1 };
    const darker = applyAugmentation(image, size, 1, { ...still, gamma: 2 });
    expect(darker[0]).toBe(Math.round(255 * (40 / 255) ** 2));
    expect(darker[15]).toBe(Math.round(255 * (200 / 255) ** 2));
    const blurred = applyAugmentation(image, size, 1, { ...still, blurSigma: 1 });
    expect(blurred[7]).toBeGreaterThan(40);
    expect(blurred[8]).toBeLessThan(200);
    expect(blurred[0]).toBe(40);
    const noisy = applyAugmentation(image, size, 1, { ...still, noiseSigma: 10, noiseSeed: 5 });
    expect(noisy).toEqual(applyAugmentation(image, size, 1, { ...still, noiseSigma: 10, noiseSeed: 5 }));
    const diffs = Array.from(noisy, (v, i) => v - image[i]);
    const sd = Math.sqrt(diffs.reduce((s, d) => s + d * d, 0) / diffs.length);
    expect(sd).toBeGreaterThan(6);
    expect(sd).toBeLessThan(14);
    expect(augmentImage(image, size, 1, XRAY_AUGMENTATION, 3)).toEqual(
      augmentImage(image, size, 1, XRAY_AUGMENTATION, 3),
    );
  });
});

describe('stand-in shifts', () => {
  it('zooms into the centre and adds the same noise every time', () => {
    const set = makeToyImageSet(4, 16, 1, 1);
    const zoomed = shiftImageSet(set, { kind: 'zoom', factor: 2 });
    const per = 16 * 16;
    // The centre pixel stays where it is; a corner now shows what sat a quarter of the way in.
    const at = (pixels: Uint8Array, y: number, x: number) => pixels[y * 16 + x];
    expect(
      Math.abs(at(zoomed.pixels, 0, 0) - Math.round((at(set.pixels, 3, 3) + at(set.pixels, 4, 4)) / 2)),
    ).toBeLessThanOrEqual(40);
    expect(zoomed.pixels.length).toBe(set.pixels.length);
    expect(zoomed.pixels.subarray(0, per)).not.toEqual(set.pixels.subarray(0, per));
    const noisy = shiftImageSet(set, { kind: 'noise', sigma: 0.05 });
    expect(noisy.pixels).toEqual(shiftImageSet(set, { kind: 'noise', sigma: 0.05 }).pixels);
    expect(noisy.pixels).not.toEqual(set.pixels);
    expect(() => shiftImageSet(set, { kind: 'zoom', factor: 0.5 })).toThrow(/zoom shift: factor must lie in \[1, 4\]/);
  });
});

describe('training with the robust ingredients', () => {
  it('learns, reproduces itself and leaves no tensors behind', async () => {
    const train = makeToyImageSet(32, 8, 1, 1);
    const val = makeToyImageSet(12, 8, 1, 2);
    const before = tf.memory().numTensors;
    const run = async () => {
      const model = findModel('light-k2').build({ size: 8, channels: 1, seed: 3 });
      const summary = await trainModel(model, train, val, {
        epochs: 6,
        batchSize: 8,
        learningRate: 1e-2,
        seed: 3,
        labelSmoothing: 0.1,
        lrSchedule: 'cosine',
        balancedValidation: true,
        classWeights: 'balanced',
        augmentation: XRAY_AUGMENTATION,
      });
      const weights = await Promise.all(model.getWeights().map((w) => w.data()));
      model.dispose();
      return { summary, weights: weights.map((w) => Array.from(w)) };
    };
    const first = await run();
    expect(first.summary.history.at(-1)!.loss).toBeLessThan(first.summary.history[0].loss);
    expect((await run()).weights).toEqual(first.weights);
    expect(tf.memory().numTensors).toBe(before);
  });
});
