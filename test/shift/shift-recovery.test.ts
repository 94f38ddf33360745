/**
 * The proof, on a trained network: LightLayers k=4 trained on phantom X-rays (wasm with the lab's kernels, 32 px,
 * seeded), then scored on held-out phantom patients under systematic shifts, with and without the remedies.
 * Tolerances are stated in each test; everything is seeded, so a run repeats itself.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/lab/backend/select-backend';
import type { ImageSet } from '../../src/lab/data/image-set';
import { generatePhantomImages } from '../../src/lab/data/phantom';
import { findModel } from '../../src/lab/registry';
import { evaluateUnderShift, type ShiftEvaluation } from '../../src/lab/shift/evaluate-under-shift';
import { describeShift, shiftImageSet, type ImageShift } from '../../src/lab/shift/image-shifts';
import { resampleToPrevalence } from '../../src/lab/shift/resample-prior';
import { trainModel } from '../../src/lab/train/trainer';

const SIZE = 32;
const phantom = (seed: number, perClass: number, exposure?: Parameters<typeof generatePhantomImages>[0]['exposure']) =>
  generatePhantomImages({ perClass, size: SIZE, channels: 1, seed, exposure });
const test = phantom(200, 64);
let model: tf.LayersModel;
let unshifted: ShiftEvaluation;

const evaluate = (set: ImageSet, options: { adaptBn?: boolean; priorCorrection?: boolean } = {}) =>
  evaluateUnderShift(model, set, { positiveClass: 1, batchSize: 32, trainingPriors: [0.5, 0.5], ...options });
const accuracy = (r: ShiftEvaluation, which: 'before' | 'after') => r[which].binary.accuracy!;

beforeAll(async () => {
  expect((await selectBackend('wasm')).name).toBe('wasm');
  model = findModel('light-k4').build({ size: SIZE, channels: 1, seed: 1 });
  await trainModel(model, phantom(101, 192), null, {
    epochs: 8,
    batchSize: 16,
    learningRate: 3e-3,
    seed: 1,
    batchNormRecalibrationBatches: 20,
  });
  unshifted = await evaluate(test);
  // A model worth testing: well above chance on unshifted held-out patients.
  expect(accuracy(unshifted, 'before')).toBeGreaterThan(0.8);
}, 240_000);

afterAll(() => model?.dispose());

describe('test-time BatchNorm adaptation on a trained LightLayers network', () => {
  it('does no harm without shift: accuracy within ±0.03 (4 of 128 images), AUC within ±0.02', async () => {
    const r = await evaluate(test, { adaptBn: true });
    expect(r.adaptation!.status).toBe('adapted');
    expect(Math.abs(accuracy(r, 'after') - accuracy(r, 'before'))).toBeLessThanOrEqual(0.03);
    expect(Math.abs(r.after.auc! - r.before.auc!)).toBeLessThanOrEqual(0.02);
  });

  const shifts: Array<[string, () => ImageSet]> = [
    ...(
      [
        { kind: 'gamma', gamma: 2 },
        { kind: 'gamma', gamma: 0.5 },
        { kind: 'brightness', offset: 0.15 },
        { kind: 'blur', sigma: 1 },
      ] as ImageShift[]
    ).map((s): [string, () => ImageSet] => [describeShift(s), () => shiftImageSet(test, s)]),
    ['phantom exposure gamma ×1.8', () => phantom(200, 64, { gamma: 1.8 })],
  ];
  for (const [name, make] of shifts) {
    it(`recovers at least half the accuracy lost under ${name}`, async () => {
      const start = tf.memory().numTensors;
      const r = await evaluate(make(), { adaptBn: true });
      const reference = accuracy(unshifted, 'before');
      const lost = reference - accuracy(r, 'before');
      // The shift must really hurt (≥ 0.05) for the test to mean anything.
      expect(lost).toBeGreaterThanOrEqual(0.05);
      expect(accuracy(r, 'after') - accuracy(r, 'before')).toBeGreaterThanOrEqual(lost / 2);
      expect(tf.memory().numTensors).toBe(start);
    });
  }
});

describe('prior correction on a trained LightLayers network', () => {
  it('does no harm without shift: a balanced set is estimated balanced (±0.08), accuracy within ±0.03', async () => {
    const r = await evaluate(test, { priorCorrection: true });
    expect(Math.abs(r.prior!.estimatedPrevalence - 0.5)).toBeLessThanOrEqual(0.08);
    expect(Math.abs(accuracy(r, 'after') - accuracy(r, 'before'))).toBeLessThanOrEqual(0.03);
  });

  it('does no harm without shift together with adaptation (accuracy within ±0.03)', async () => {
    const r = await evaluate(test, { adaptBn: true, priorCorrection: true });
    expect(r.applied).toEqual(['bn-test', 'prior']);
    expect(Math.abs(accuracy(r, 'after') - accuracy(r, 'before'))).toBeLessThanOrEqual(0.03);
  });

  it('tracks the prevalence of resampled sets (±0.08) and does not lower accuracy; gains on average', async () => {
    let gain = 0;
    for (const prevalence of [0.15, 0.85]) {
      const set = resampleToPrevalence(test, { positiveClass: 1, prevalence, seed: 1 });
      const r = await evaluate(set, { priorCorrection: true });
      expect(Math.abs(r.prior!.estimatedPrevalence - prevalence)).toBeLessThanOrEqual(0.08);
      expect(accuracy(r, 'after')).toBeGreaterThanOrEqual(accuracy(r, 'before'));
      gain += accuracy(r, 'after') - accuracy(r, 'before');
    }
    expect(gain / 2).toBeGreaterThan(0.02);
  });
});
