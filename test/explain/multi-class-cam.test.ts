/**
 * Grad-CAM with three classes explains each image's predicted class (the argmax), as the error gallery, Classify and
 * `xray-lab explain` ask for. The network is set by hand so that the predicted class follows the image's brightness
 * and each map can be worked out: a 1×1 convolution passes the image through (weight 1, ReLU), global average pooling
 * gives its mean brightness m in [0, 1], and the logits are z0 = 4m − 2.5, z1 = 0, z2 = 1.5 − 4m. Bright images are
 * class 0, mid-grey class 1, dark class 2. Grad-CAM's channel weight for class c is ∂z_c/∂A averaged over the map,
 * i.e. the class's dense weight over the map's area: positive for class 0 (the map is the image), 0 for class 1 and
 * negative for class 2 (ReLU leaves nothing: no pixel speaks for a dark image being dark).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageSet } from '../../src/lab/data/image-set';
import { explainImages } from '../../src/lab/explain/explain-set';
import { useCpuBackend } from '../helpers/tf-cpu';

const SIZE = 8;

function brightnessNet(): tf.LayersModel {
  const input = tf.input({ shape: [SIZE, SIZE, 1] });
  const conv = tf.layers.conv2d({ name: 'pass', filters: 1, kernelSize: 1, activation: 'relu' });
  const dense = tf.layers.dense({ name: 'logits', units: 3 });
  const x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(conv.apply(input)) as tf.SymbolicTensor;
  const model = tf.model({ name: 'brightness', inputs: input, outputs: dense.apply(x) as tf.SymbolicTensor });
  tf.tidy(() => {
    conv.setWeights([tf.ones([1, 1, 1, 1]), tf.zeros([1])]);
    dense.setWeights([tf.tensor2d([[4, 0, -4]]), tf.tensor1d([-2.5, 0, 1.5])]);
  });
  return model;
}

/** One image per [left half, right half] pair of grey values. */
function set(halves: [number, number][]): ImageSet {
  const pixels = new Uint8Array(halves.length * SIZE * SIZE);
  halves.forEach(([left, right], i) => {
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) pixels[i * SIZE * SIZE + y * SIZE + x] = x < SIZE / 2 ? left : right;
    }
  });
  return {
    size: SIZE,
    channels: 1,
    classNames: ['BACTERIA', 'NORMAL', 'VIRUS'],
    pixels,
    labels: Int32Array.from(halves, () => 0),
    files: halves.map((_, i) => `img${i}.png`),
    count: halves.length,
  };
}

beforeAll(useCpuBackend);

describe('Grad-CAM with three classes', () => {
  it("explains each image's most probable class, and frees every tensor", async () => {
    const model = brightnessNet();
    // m = (255 + 200) / 510 ≈ 0.89 → z = (1.07, 0, −2.07): class 0;
    // m = 128/255 ≈ 0.502 → (−0.49, 0, −0.51): class 1; m = 20/255 ≈ 0.08 → (−2.19, 0, 1.19): class 2.
    const images = set([
      [255, 200],
      [128, 128],
      [20, 20],
    ]);
    const start = tf.memory().numTensors;
    const explained = await explainImages(model, images, {});
    const all = await explainImages(model, images, { classes: 'all' });
    expect(tf.memory().numTensors).toBe(start);
    expect(explained.map((e) => e.predicted)).toEqual([0, 1, 2]);
    explained.forEach((e, i) => {
      const best = e.probabilities.indexOf(Math.max(...e.probabilities));
      expect(e.maps).toHaveLength(1);
      expect(e.maps[0].classIndex).toBe(best);
      // The same map as the one 'all' gives for that class.
      all[i].maps[best].values.forEach((v, j) => expect(v).toBeCloseTo(e.maps[0].values[j], 6));
    });
    // Class 0's map is the image itself, scaled to a maximum of 1: the left half 1, the right half 200/255.
    const map = explained[0].maps[0].values;
    expect(map[0]).toBeCloseTo(1, 5);
    expect(map[SIZE - 1]).toBeCloseTo(200 / 255, 5);
    // Class 1's dense weight is 0 and class 2's negative: no pixel speaks for them.
    expect(Math.max(...explained[1].maps[0].values)).toBe(0);
    expect(Math.max(...explained[2].maps[0].values)).toBe(0);
    model.dispose();
  });
});
