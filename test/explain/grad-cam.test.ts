/**
 * Grad-CAM on tiny networks where every number can be checked independently: the class weights α_k against central
 * finite differences of the class logit with respect to the explained activations (through a max-pool and a tanh
 * layer, so the gradient is not trivially the dense kernel), the CAM identity for GlobalAveragePooling → Dense, the
 * upsampling against tfjs' own resize, the layer chosen, the errors, and tensor memory.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageSet } from '../../src/lab/data/image-set';
import { createGradCam, ExplainInputError } from '../../src/lab/explain/grad-cam';
import { explainImages } from '../../src/lab/explain/explain-set';
import { explainableModel } from '../../src/lab/explain/explainable-model';
import { heatInside, maskShare, peakOf, toHeatMap, upsampleBilinear } from '../../src/lab/explain/heat-map';
import { findGradCamTarget, NoConvolutionError } from '../../src/lab/explain/target-layer';
import { BackboneNotLoadedError } from '../../src/lab/transfer/backbone-not-loaded';
import { buildTransferHead } from '../../src/lab/models/transfer-head';
import { forgetBackboneWeights } from '../../src/lab/transfer/transfer-context';
import { useCpuBackend } from '../helpers/tf-cpu';

const SIZE = 10;

/**
 * conv → conv (the target) → max-pool → global average → Dense(3, tanh) → Dense(2) logits, seeded. The target is
 * softplus, not ReLU: ReLU zeros tie inside a max-pool window, where a finite difference is one-sided.
 */
function tinyNet(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const input = tf.input({ shape: [SIZE, SIZE, 1] });
  let x = tf.layers
    .conv2d({
      name: 'conv1',
      filters: 3,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(1),
      biasInitializer: 'zeros',
    })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ name: 'conv2', filters: 4, kernelSize: 3, activation: 'softplus', kernelInitializer: init(2) })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: 'pool', poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .dense({ name: 'hidden', units: 3, activation: 'tanh', kernelInitializer: init(3) })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({
    name: 'tiny',
    inputs: input,
    outputs: tf.layers.dense({ name: 'logits', units: 2, kernelInitializer: init(4) }).apply(x) as tf.SymbolicTensor,
  });
}

/** `count` seeded random grey images as an ImageSet. */
function randomSet(count: number, size = SIZE, channels: 1 | 3 = 1): ImageSet {
  const pixels = new Uint8Array(count * size * size * channels);
  let s = 7;
  for (let i = 0; i < pixels.length; i++) pixels[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return {
    size,
    channels,
    classNames: ['A', 'B'],
    pixels,
    labels: Int32Array.from({ length: count }, (_, i) => i % 2),
    files: Array.from({ length: count }, (_, i) => `img${i}.png`),
    count,
  };
}

beforeAll(useCpuBackend);

describe('Grad-CAM on a tiny network', () => {
  it('explains the last convolution, looking through the max-pool to its finer map', () => {
    const model = tinyNet();
    const target = findGradCamTarget(model);
    expect(target).toMatchObject({ layerName: 'conv2', layerClass: 'Conv2D', height: 8, width: 8, channels: 4 });
    // conv1 pads 'same'; conv2's valid 3×3 centres its cell j on image pixel j + 1.
    expect(target.geometry).toEqual({ y: { scale: 1, offset: 1 }, x: { scale: 1, offset: 1 } });
    model.dispose();
  });

  it('weighs each channel by the finite-difference gradient of the class logit, for either class', async () => {
    const model = tinyNet();
    const set = randomSet(2);
    const images = tf.tidy(() => tf.div(tf.tensor4d(set.pixels, [2, SIZE, SIZE, 1], 'float32'), 255) as tf.Tensor4D);
    const cam = createGradCam(model);
    const activations = tf
      .model({ inputs: model.inputs, outputs: model.getLayer('conv2').output as tf.SymbolicTensor })
      .predict(images) as tf.Tensor4D;
    const a = activations.arraySync();
    // The part above conv2, written out in double-precision JS: an independent reading of the network, and exact enough
    // for central differences with a step far below any gap between values a max-pool compares.
    const [hk, hb, lk, lb] = [...model.getLayer('hidden').getWeights(), ...model.getLayer('logits').getWeights()].map(
      (w) => Array.from(w.dataSync()),
    );
    const logit = (maps: number[][][], c: number): number => {
      const pooled = [0, 1, 2, 3].map((k) => {
        let sum = 0;
        for (let i = 0; i < 8; i += 2)
          for (let j = 0; j < 8; j += 2) {
            sum += Math.max(maps[i][j][k], maps[i + 1][j][k], maps[i][j + 1][k], maps[i + 1][j + 1][k]);
          }
        return sum / 16;
      });
      const hidden = [0, 1, 2].map((h) => Math.tanh(pooled.reduce((s, v, k) => s + v * hk[k * 3 + h], hb[h])));
      return hidden.reduce((s, v, h) => s + v * lk[h * 2 + c], lb[c]);
    };
    for (const c of [0, 1]) {
      const result = await cam.run(images, Int32Array.from([c, c]));
      expect(Array.from(result.classes)).toEqual([c, c]);
      for (let n = 0; n < 2; n++) {
        const alpha = [0, 0, 0, 0];
        const eps = 1e-6;
        for (let i = 0; i < 8; i++)
          for (let j = 0; j < 8; j++)
            for (let k = 0; k < 4; k++) {
              const at = (delta: number) => {
                const maps = a[n].map((row) => row.map((px) => px.slice()));
                maps[i][j][k] += delta;
                return logit(maps, c);
              };
              alpha[k] += (at(eps) - at(-eps)) / (2 * eps) / 64;
            }
        expect(alpha.some((v) => Math.abs(v) > 1e-3)).toBe(true);
        const expected = a[n].flatMap((row) =>
          row.map((px) =>
            Math.max(
              0,
              px.reduce((s, v, k) => s + v * alpha[k], 0),
            ),
          ),
        );
        const got = Array.from(result.maps.subarray(n * 64, (n + 1) * 64));
        const scale = Math.max(...expected);
        expect(scale).toBeGreaterThan(0);
        for (let p = 0; p < 64; p++)
          expect(Math.abs(got[p] - expected[p]), `class ${c} image ${n} cell ${p}`).toBeLessThan(1e-4 * scale);
      }
    }
    tf.dispose([images, activations]);
    model.dispose();
  });

  it('reduces to CAM for GlobalAveragePooling → Dense: α_k is the class weight over the map area', async () => {
    const input = tf.input({ shape: [6, 6, 1] });
    const conv = tf.layers
      .conv2d({
        filters: 3,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }),
        biasInitializer: 'ones',
      })
      .apply(input) as tf.SymbolicTensor;
    const dense = tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) });
    const model = tf.model({
      inputs: input,
      outputs: dense.apply(tf.layers.globalAveragePooling2d({}).apply(conv)) as tf.SymbolicTensor,
    });
    const images = tf.randomUniform([1, 6, 6, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const maps = (tf.model({ inputs: input, outputs: conv }).predict(images) as tf.Tensor).dataSync();
    const kernel = dense.getWeights()[0].dataSync();
    const result = await createGradCam(model).run(images, Int32Array.from([1]));
    for (let p = 0; p < 36; p++) {
      const cam = Math.max(
        0,
        [0, 1, 2].reduce((s, k) => s + (maps[p * 3 + k] * kernel[k * 2 + 1]) / 36, 0),
      );
      expect(result.maps[p]).toBeCloseTo(cam, 6);
    }
    images.dispose();
    model.dispose();
  });
});

describe('heat maps', () => {
  it('upsample like tf.image.resizeBilinear with half-pixel centres', () => {
    const coarse = Float32Array.from([0, 1, 2, 3, 4, 5], (v) => v * v);
    const ours = upsampleBilinear(coarse, 2, 3, 7);
    const theirs = tf.tidy(() =>
      tf.image.resizeBilinear(tf.tensor4d(coarse, [1, 2, 3, 1]), [7, 7], false, true).dataSync(),
    );
    ours.forEach((v, i) => expect(v).toBeCloseTo(theirs[i], 5));
  });

  it('are scaled to a maximum of 1, with their peak, and an all-zero map stays zero with no peak', () => {
    const map = toHeatMap(Float32Array.from([0, 2, 0, 4]), 2, 2, 4, 1);
    expect(map).toMatchObject({
      classIndex: 1,
      size: 4,
      peak: { x: 3, y: 3 },
      coarse: { height: 2, width: 2, max: 4 },
    });
    expect(Math.max(...map.values)).toBe(1);
    const cold = toHeatMap(new Float32Array(4), 2, 2, 4, 0);
    expect(cold.peak).toBeNull();
    expect(cold.values.every((v) => v === 0)).toBe(true);
    expect(peakOf(Float32Array.from([0, 3, 3]), 3)).toEqual({ x: 1, y: 0 });
  });

  it("measure the heat inside a mask against the mask's share of the image", () => {
    expect(heatInside(Float32Array.from([1, 1, 2, 0]), Uint8Array.from([0, 0, 1, 1]))).toBeCloseTo(0.5);
    expect(maskShare(Uint8Array.from([0, 0, 1, 1]))).toBe(0.5);
    expect(heatInside(new Float32Array(4), Uint8Array.from([1, 0, 0, 0]))).toBeNull();
    expect(() => heatInside(new Float32Array(4), new Uint8Array(3))).toThrow(/mask has 3 pixels, the heat map 4/);
  });
});

describe('explainImages', () => {
  it('gives one image-sized map per image and class, scores that sum to 1, and frees every tensor', async () => {
    const model = tinyNet();
    const set = randomSet(5);
    const start = tf.memory().numTensors;
    const predicted = await explainImages(model, set, { batchSize: 2 });
    const all = await explainImages(model, set, { classes: 'all', indices: [4, 1] });
    const truth = await explainImages(model, set, { classes: 'true', batchSize: 3 });
    expect(tf.memory().numTensors).toBe(start);
    expect(predicted.map((e) => e.index)).toEqual([0, 1, 2, 3, 4]);
    for (const e of predicted) {
      expect(e.probabilities[0] + e.probabilities[1]).toBeCloseTo(1, 5);
      expect(e.maps).toHaveLength(1);
      expect(e.maps[0].classIndex).toBe(e.predicted);
      expect(e.maps[0].values).toHaveLength(SIZE * SIZE);
    }
    expect(all.map((e) => [e.index, e.file, e.maps.map((m) => m.classIndex)])).toEqual([
      [4, 'img4.png', [0, 1]],
      [1, 'img1.png', [0, 1]],
    ]);
    // The same image and class give the same map whichever batch it came in.
    const same = all[0].maps[predicted[4].predicted].values;
    same.forEach((v, i) => expect(v).toBeCloseTo(predicted[4].maps[0].values[i], 5));
    expect(truth.map((e) => e.maps[0].classIndex)).toEqual([0, 1, 0, 1, 0]);
    model.dispose();
  });

  it('stops between batches when cancelled', async () => {
    const model = tinyNet();
    const controller = new AbortController();
    const done: number[] = [];
    await expect(
      explainImages(model, randomSet(6), {
        batchSize: 2,
        signal: controller.signal,
        onProgress: (n) => {
          done.push(n);
          controller.abort();
        },
      }),
    ).rejects.toThrow(/Grad-CAM cancelled/);
    expect(done).toEqual([2]);
    model.dispose();
  });

  it('refuses images of another size or channel count, naming the file and both shapes', async () => {
    const model = tinyNet();
    const start = tf.memory().numTensors;
    await expect(explainImages(model, randomSet(2, 12))).rejects.toThrow(ExplainInputError);
    await expect(explainImages(model, randomSet(2, 12))).rejects.toThrow(
      /img0\.png: the images are 12×12×1, the model takes 10×10×1/,
    );
    await expect(explainImages(model, randomSet(2, SIZE, 3))).rejects.toThrow(
      /the images are 10×10×3, the model takes 10×10×1/,
    );
    const images = tf.zeros([1, 12, 12, 1]) as tf.Tensor4D;
    await expect(createGradCam(model).run(images, 'predicted')).rejects.toThrow(
      /tiny takes 10×10×1 images, got 12×12×1/,
    );
    images.dispose();
    await expect(explainImages(model, randomSet(2), { classes: 2 })).rejects.toThrow(/class index 2 is outside 0\.\.1/);
    expect(tf.memory().numTensors).toBe(start);
    model.dispose();
  });
});

describe('models Grad-CAM cannot explain', () => {
  it('refuses a model without a convolution, whether it flattens the image or only pools it', () => {
    const dense = tf.sequential({
      name: 'flat',
      layers: [tf.layers.flatten({ inputShape: [8, 8, 1] }), tf.layers.dense({ units: 2 })],
    });
    expect(() => createGradCam(dense)).toThrow(NoConvolutionError);
    expect(() => createGradCam(dense)).toThrow(/flat: no convolutional layer to explain/);
    const pooled = tf.sequential({
      name: 'pooled',
      layers: [
        tf.layers.maxPooling2d({ inputShape: [8, 8, 1], poolSize: 2 }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 2 }),
      ],
    });
    expect(() => createGradCam(pooled)).toThrow(/pooled: no convolutional layer to explain/);
    dense.dispose();
    pooled.dispose();
  });

  it("refuses a transfer head on feature vectors, and asks for its backbone's weights when it names one", () => {
    forgetBackboneWeights();
    const head = buildTransferHead({ features: 2048, seed: 1 });
    expect(() => createGradCam(head)).toThrow(
      /no convolutional layer to explain — it takes \[null, 2048\] inputs.*transfer head/,
    );
    // No backbone named: passed through unchanged, and Grad-CAM says what is missing.
    const plain = explainableModel(head);
    expect(plain.model).toBe(head);
    expect(() => explainableModel(head, { backboneId: 'inception-v3' })).toThrow(BackboneNotLoadedError);
    expect(() => explainableModel(head, { backboneId: 'inception-v3' })).toThrow(
      /inception-v3: backbone not loaded — its head takes InceptionV3 features.*needs ImageNet weights/,
    );
    head.dispose();
  });
});
