import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageSet } from '../../src/lab/data/image-set';
import { evaluateModel, metricsAtThreshold } from '../../src/lab/eval/evaluate';

/**
 * One-pixel grey "images" and a Dense layer whose weights make the logits known by hand:
 * input x = v/255, kernel row `kernel`, so logit_c = kernel[c]·x + bias[c].
 */
function oneDenseModel(kernel: number[], bias: number[]): tf.LayersModel {
  const model = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [1, 1, 1] }), tf.layers.dense({ units: kernel.length })],
  });
  model.setWeights([tf.tensor2d([kernel]), tf.tensor1d(bias)]);
  return model;
}

function pixelSet(values: number[], labels: number[], classNames: string[]): ImageSet {
  return {
    size: 1,
    channels: 1,
    classNames,
    pixels: Uint8Array.from(values),
    labels: Int32Array.from(labels),
    files: values.map((v, i) => `img${i}-${v}`),
    count: values.length,
  };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

// Logits [0, v − 128]: the pixel values below give z = −28, −2, 2 (NORMAL) and 1, 4, −8 (PNEUMONIA).
const values = [100, 126, 130, 129, 132, 120];
const labels = [0, 0, 0, 1, 1, 1];
const z = values.map((v) => v - 128);
const classNames = ['NORMAL', 'PNEUMONIA'];

describe('evaluateModel', () => {
  let model: tf.LayersModel;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    model = oneDenseModel([0, 255], [0, -128]);
  });

  it('computes confusion, threshold metrics, AUC and loss from the logits', async () => {
    const before = tf.memory().numTensors;
    // Batch size 4 makes a full batch and a partial one.
    const result = await evaluateModel(model, pixelSet(values, labels, classNames), { positiveClass: 1, batchSize: 4 });
    expect(tf.memory().numTensors).toBe(before);

    expect(result.count).toBe(6);
    expect(result.classNames).toEqual(classNames);
    // Argmax is class 1 where z > 0: images 2 (NORMAL, wrong), 3, 4; image 5 (PNEUMONIA, z = −8) is missed.
    expect(result.confusion).toEqual([
      [2, 1],
      [1, 2],
    ]);
    const b = result.binary;
    expect([b.tp, b.fp, b.tn, b.fn]).toEqual([2, 1, 2, 1]);
    expect(b.accuracy).toBeCloseTo(4 / 6, 6);
    expect(b.sensitivity).toBeCloseTo(2 / 3, 6);
    expect(b.specificity).toBeCloseTo(2 / 3, 6);
    // Positives {1, 4, −8} vs negatives {−28, −2, 2}: 2 + 3 + 1 = 6 of 9 pairs ranked right.
    expect(result.auc).toBeCloseTo(6 / 9, 6);
    expect(result.roc).toHaveLength(7);
    expect(result.roc[6]).toMatchObject({ fpr: 1, tpr: 1 });
    // Cross-entropy by hand: log(1+e^z) for NORMAL, log(1+e^−z) for PNEUMONIA:
    // (≈0 + 0.126928 + 2.126928 + 0.313262 + 0.018150 + 8.000335) / 6 = 1.764267.
    expect(result.loss).toBeCloseTo(1.764267, 4);
    expect(result.ci).toBeNull();

    expect(result.probabilities).toHaveLength(12);
    z.forEach((zi, i) => {
      expect(result.probabilities[2 * i + 1]).toBeCloseTo(sigmoid(zi), 5);
      expect(result.probabilities[2 * i]).toBeCloseTo(1 - sigmoid(zi), 5);
    });
    expect(Array.from(result.labels)).toEqual(labels);
  });

  it('recomputes threshold metrics from the stored probabilities', async () => {
    const result = await evaluateModel(model, pixelSet(values, labels, classNames), { positiveClass: 1 });
    // At 0.9 only σ(4) = 0.982 is positive; σ(2) = 0.881 falls below.
    const high = metricsAtThreshold(result, 0.9);
    expect([high.tp, high.fp, high.tn, high.fn]).toEqual([1, 0, 3, 2]);
    expect(high.threshold).toBe(0.9);
    expect(high.precision).toBe(1);
    // At 0.0001 everything but σ(−28) ≈ 7e−13 is positive: σ(−8) = 3.4e−4 and σ(−2) = 0.12 count.
    const low = metricsAtThreshold(result, 0.0001);
    expect([low.tp, low.fp, low.tn, low.fn]).toEqual([3, 2, 1, 0]);
    // The stored result at its own threshold is unchanged.
    expect(metricsAtThreshold(result, 0.5)).toEqual(result.binary);
  });

  it('treats the other class as positive when asked', async () => {
    const result = await evaluateModel(model, pixelSet(values, labels, classNames), { positiveClass: 0 });
    // NORMAL predicted where z <= 0: images 0, 1 (right) and 5 (PNEUMONIA, wrong); image 2 is a missed NORMAL.
    expect([result.binary.tp, result.binary.fp, result.binary.tn, result.binary.fn]).toEqual([2, 1, 2, 1]);
    // Scored by P(NORMAL), NORMAL {28, 2, −2} (as −z) vs PNEUMONIA {−1, −4, 8}: 3 + 2 + 1 = 6 of 9 again.
    expect(result.auc).toBeCloseTo(6 / 9, 6);
    expect(result.confusion).toEqual([
      [2, 1],
      [1, 2],
    ]);
  });

  it('feeds pixels in the requested range', async () => {
    // In [−1, 1], x = 2v/255 − 1 and logit 1 = 2v − 383 < 0 for every v here: all predicted NORMAL.
    const result = await evaluateModel(model, pixelSet(values, labels, classNames), {
      positiveClass: 1,
      range: '-1,1',
    });
    expect(result.confusion).toEqual([
      [3, 0],
      [3, 0],
    ]);
  });

  it('adds seeded bootstrap intervals on request', async () => {
    const set = pixelSet(values, labels, classNames);
    const a = await evaluateModel(model, set, { positiveClass: 1, bootstrap: { iterations: 200, seed: 4 } });
    const b = await evaluateModel(model, set, { positiveClass: 1, bootstrap: { iterations: 200, seed: 4 } });
    expect(a.ci).not.toBeNull();
    expect(a.ci).toEqual(b.ci);
    expect(a.ci!.accuracy.low).toBeLessThanOrEqual(a.binary.accuracy!);
    expect(a.ci!.accuracy.high).toBeGreaterThanOrEqual(a.binary.accuracy!);
  });

  it('handles three classes, positive class against the rest', async () => {
    await tf.setBackend('cpu');
    // Logits [0, v − 100, 2v − 300]: v = 50 → class 0, 120 → 1, 220 → 2, 160 → 1.
    const three = oneDenseModel([0, 255, 510], [0, -100, -300]);
    const before = tf.memory().numTensors;
    const set = pixelSet([50, 120, 220, 160], [0, 1, 2, 2], ['a', 'b', 'c']);
    const result = await evaluateModel(three, set, { positiveClass: 2, batchSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.confusion).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 1, 1],
    ]);
    expect([result.binary.tp, result.binary.fp, result.binary.tn, result.binary.fn]).toEqual([1, 0, 2, 1]);
    // P(c) is ≈1 and e^−40 for the two c images, e^−80 and e^−200 for the others: still ranked perfectly.
    expect(result.auc).toBe(1);
    three.dispose();
  });

  it('rejects mismatched models, bad classes and empty sets, leaking nothing', async () => {
    const before = tf.memory().numTensors;
    const threeClassSet = pixelSet([1, 2], [0, 2], ['a', 'b', 'c']);
    await expect(evaluateModel(model, threeClassSet, { positiveClass: 1 })).rejects.toThrow(/\[n, 3\]/);
    expect(tf.memory().numTensors).toBe(before);
    await expect(evaluateModel(model, pixelSet(values, labels, classNames), { positiveClass: 2 })).rejects.toThrow(
      /positiveClass/,
    );
    await expect(evaluateModel(model, pixelSet([1], [5], classNames), { positiveClass: 1 })).rejects.toThrow(/label 5/);
    await expect(evaluateModel(model, pixelSet([], [], classNames), { positiveClass: 1 })).rejects.toThrow(/empty/);
  });

  it('reports progress after each batch', async () => {
    const seen: Array<[number, number]> = [];
    await evaluateModel(model, pixelSet(values, labels, classNames), {
      positiveClass: 1,
      batchSize: 4,
      onProgress: (done, total) => {
        seen.push([done, total]);
      },
    });
    expect(seen).toEqual([
      [4, 6],
      [6, 6],
    ]);
  });
});
