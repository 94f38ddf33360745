import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageSet } from '../../src/lab/data/image-set';
import { evaluateModel } from '../../src/lab/eval/evaluate';
import { TRANSFER_ADAPTATION_REASON } from '../../src/lab/shift/adapt-batchnorm';
import { evaluateUnderShift } from '../../src/lab/shift/evaluate-under-shift';
import { createRng } from '../../src/lab/util/rng';
import { useCpuBackend } from '../helpers/tf-cpu';

beforeAll(useCpuBackend);

/** Grey 2×2 images: class 1 brighter on average, with overlap; `offset` shifts every pixel (a brighter scanner). */
function brightnessSet(count: number, seed: number, offset = 0, positives = count / 2): ImageSet {
  const rng = createRng(seed);
  const labels = Int32Array.from({ length: count }, (_, i) => (i < positives ? 1 : 0));
  const pixels = new Uint8Array(count * 4);
  labels.forEach((y, i) => {
    const level = (y === 1 ? 140 : 100) + 50 * (rng.next() - 0.5) + offset;
    for (let p = 0; p < 4; p++)
      pixels[i * 4 + p] = Math.max(0, Math.min(255, Math.round(level + 10 * (rng.next() - 0.5))));
  });
  return {
    size: 2,
    channels: 1,
    classNames: ['NORMAL', 'PNEUMONIA'],
    pixels,
    labels,
    files: Array.from(labels, (_, i) => `b${i}`),
    count,
  };
}

/** image → BatchNorm (statistics of the unshifted images) → mean → logits [0, 8·x̂]: "brighter = positive". */
function brightnessModel(): tf.LayersModel {
  const input = tf.input({ shape: [2, 2, 1] });
  const bn = tf.layers.batchNormalization({ name: 'bn' });
  let x = bn.apply(input) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ units: 2, name: 'logits' });
  const model = tf.model({ inputs: input, outputs: dense.apply(x) as tf.SymbolicTensor });
  // Training statistics: pixel mean 120/255, spread ≈ 27/255 (both classes mixed).
  bn.setWeights([tf.ones([1]), tf.zeros([1]), tf.tensor1d([120 / 255]), tf.tensor1d([(27 / 255) ** 2])]);
  dense.setWeights([tf.tensor2d([[0, 4]]), tf.zeros([2])]);
  return model;
}

describe('evaluateUnderShift', () => {
  it('reports exactly evaluateModel\'s figures as "before", and the same again when nothing is applied', async () => {
    const model = brightnessModel();
    const set = brightnessSet(64, 1);
    const start = tf.memory().numTensors;
    const plain = await evaluateModel(model, set, { positiveClass: 1, batchSize: 16 });
    const r = await evaluateUnderShift(model, set, { positiveClass: 1, batchSize: 16 });
    expect(r.before).toEqual(plain);
    expect(r.after).toEqual(plain);
    expect(r.applied).toEqual([]);
    expect(r.adaptation).toBeNull();
    expect(r.prior).toBeNull();
    expect(r.temperature).toBe(1);
    expect(r.calibration.before.bins).toHaveLength(10);
    expect(tf.memory().numTensors).toBe(start);
    model.dispose();
  });

  it('adapts BatchNorm to a brighter set, recovers its accuracy, and leaves the model as it was', async () => {
    const model = brightnessModel();
    const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
    const start = tf.memory().numTensors;
    const shifted = brightnessSet(128, 2, 60);
    const r = await evaluateUnderShift(model, shifted, { positiveClass: 1, adaptBn: true, batchSize: 32 });
    expect(r.applied).toEqual(['bn-test']);
    expect(r.adaptation).toMatchObject({ status: 'adapted', layers: 1, images: 128, batches: 4 });
    // Everything looks positive before; adapted, the threshold sits between the classes again.
    expect(r.before.binary.specificity).toBeLessThan(0.1);
    expect(r.after.binary.accuracy!).toBeGreaterThan(r.before.binary.accuracy! + 0.3);
    expect(r.after.auc!).toBeCloseTo(r.before.auc!, 1);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(weights);
    expect(tf.memory().numTensors).toBe(start);
    model.dispose();
  });

  it('keeps the unadapted figures and says why when adaptation is skipped', async () => {
    const model = brightnessModel();
    const r = await evaluateUnderShift(model, brightnessSet(12, 3), { positiveClass: 1, adaptBn: true });
    expect(r.adaptation!.status).toBe('skipped');
    expect(r.adaptation!.reason).toMatch(/12 image\(s\) are fewer than one batch of 32/);
    expect(r.applied).toEqual([]);
    expect(r.after).toEqual(r.before);
    const transfer = await evaluateUnderShift(model, brightnessSet(64, 3, 60), {
      positiveClass: 1,
      adaptBn: true,
      skipAdaptation: TRANSFER_ADAPTATION_REASON,
    });
    expect(transfer.adaptation).toMatchObject({ status: 'skipped', reason: TRANSFER_ADAPTATION_REASON, layers: 0 });
    expect(transfer.after).toEqual(transfer.before);
    model.dispose();
  });

  it('estimates the prevalence, corrects to it, and reports the equivalent threshold', async () => {
    const model = brightnessModel();
    const set = brightnessSet(200, 4, 0, 20); // 10% positives; the model assumes 50%
    const r = await evaluateUnderShift(model, set, {
      positiveClass: 1,
      priorCorrection: true,
      trainingPriors: [0.5, 0.5],
    });
    expect(r.applied).toEqual(['prior']);
    expect(r.prior!.trainingPrevalence).toBe(0.5);
    expect(r.prior!.estimatedPrevalence).toBeLessThan(0.3);
    expect(r.prior!.converged).toBe(true);
    expect(r.prior!.threshold!).toBeGreaterThan(0.5);
    expect(r.after.binary.accuracy!).toBeGreaterThan(r.before.binary.accuracy!);
    // The reported threshold applied to the raw posteriors makes the same calls as 0.5 on the corrected ones.
    const raw = r.before.probabilities;
    let agree = 0;
    for (let i = 0; i < set.count; i++)
      if (raw[2 * i + 1] >= r.prior!.threshold! === r.after.probabilities[2 * i + 1] >= 0.5) agree++;
    expect(agree).toBe(set.count);
    await expect(evaluateUnderShift(model, set, { positiveClass: 1, priorCorrection: true })).rejects.toThrow(
      /priorCorrection needs trainingPriors/,
    );
    model.dispose();
  });

  it('applies a temperature: same ranking, other probabilities and calibration', async () => {
    const model = brightnessModel();
    const set = brightnessSet(64, 5);
    const r = await evaluateUnderShift(model, set, { positiveClass: 1, temperature: 3, trainingPriors: [0.5, 0.5] });
    expect(r.applied).toEqual(['temperature']);
    expect(r.after.auc).toBeCloseTo(r.before.auc!, 6);
    expect(r.after.probabilities[1]).not.toBeCloseTo(r.before.probabilities[1], 3);
    expect(Math.abs(r.after.probabilities[1] - 0.5)).toBeLessThan(Math.abs(r.before.probabilities[1] - 0.5));
    expect(r.calibration.after.ece).not.toBe(r.calibration.before.ece);
    expect(r.prior!.threshold).toBeNull(); // reported only with priorCorrection
    await expect(evaluateUnderShift(model, set, { positiveClass: 1, temperature: 0 })).rejects.toThrow(
      /temperature must be/,
    );
    model.dispose();
  });
});
