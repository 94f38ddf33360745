import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LightConv2D } from '../../src/lab/models/layers/light-conv2d';
import { expectGradientsMatchFiniteDifferences, maxAbsDiff, useCpuBackend } from '../helpers/tf-cpu';

beforeAll(useCpuBackend);

describe('LightConv2D', () => {
  for (const [strides, padding, kernel] of [
    [1, 'same', 3],
    [2, 'same', 3],
    [1, 'valid', 3],
    [2, 'valid', 1],
    [1, 'same', 5],
  ] as const) {
    it(`equals conv → +b1 → relu → conv → +b2 (strides ${strides}, ${padding}, ${kernel}×${kernel})`, () => {
      const layer = new LightConv2D({ filters: 4, kernelSize: kernel, rank: 2, strides, padding, seed: 3 });
      const x = tf.randomNormal([2, 11, 11, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
      const y = layer.apply(x) as tf.Tensor4D;
      // Non-zero biases so that their place in the formula is checked too.
      const [w1, b1, w2, b2] = layer.getWeights();
      const nb1 = tf.randomNormal(b1.shape, 0, 1, 'float32', 8);
      const nb2 = tf.randomNormal(b2.shape, 0, 1, 'float32', 9);
      layer.setWeights([w1, nb1, w2, nb2]);
      const y2 = layer.apply(x) as tf.Tensor4D;
      const expected = tf.add(
        tf.conv2d(
          tf.relu(tf.add(tf.conv2d(x, w1 as tf.Tensor4D, strides, padding), nb1)) as tf.Tensor4D,
          w2 as tf.Tensor4D,
          strides,
          padding,
        ),
        nb2,
      );
      expect(y2.shape).toEqual(expected.shape);
      expect(y.shape).toEqual(layer.computeOutputShape(x.shape));
      expect(maxAbsDiff(y2, expected)).toBeLessThan(1e-5);
    });
  }

  it('counts kh·kw·c_in·k + kh·kw·k·filters + k + filters parameters', () => {
    const layer = new LightConv2D({ filters: 8, kernelSize: 3, rank: 2 });
    layer.build([null, 10, 10, 3]);
    expect(layer.countParams()).toBe(9 * 3 * 2 + 9 * 2 * 8 + 2 + 8);
  });

  it('adds an L2 penalty of 1e-4·Σw² per factor', () => {
    const layer = new LightConv2D({ filters: 2, kernelSize: 3, rank: 1, seed: 1 });
    layer.apply(tf.zeros([1, 4, 4, 1]));
    const [w1, , w2] = layer.getWeights();
    const expected = 1e-4 * (tf.sum(tf.square(w1)).dataSync()[0] + tf.sum(tf.square(w2)).dataSync()[0]);
    const total = layer.calculateLosses().reduce((s, l) => s + l.dataSync()[0], 0);
    expect(total).toBeCloseTo(expected, 9);
  });

  it('uses the same seeded factors for the same seed', () => {
    const a = new LightConv2D({ filters: 3, kernelSize: 3, rank: 2, seed: 11 });
    const b = new LightConv2D({ filters: 3, kernelSize: 3, rank: 2, seed: 11 });
    a.build([null, 5, 5, 2]);
    b.build([null, 5, 5, 2]);
    expect(maxAbsDiff(a.getWeights()[0], b.getWeights()[0])).toBe(0);
    expect(maxAbsDiff(a.getWeights()[2], b.getWeights()[2])).toBe(0);
  });

  it('has gradients that match central finite differences', () => {
    const layer = new LightConv2D({ filters: 2, kernelSize: 3, rank: 2, padding: 'same', seed: 4, l2: 0 });
    const x = tf.randomNormal([1, 5, 5, 2], 0, 1, 'float32', 6) as tf.Tensor4D;
    layer.apply(x);
    // Biases away from zero so that finite differences do not straddle the ReLU's kink.
    const [w1, , w2] = layer.getWeights();
    layer.setWeights([w1, tf.fill([2], 0.3), w2, tf.fill([2], -0.2)]);
    const objective = () => tf.tidy(() => tf.sum(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar);
    const variables = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    expectGradientsMatchFiniteDifferences(objective, variables, [
      [0, 0],
      [0, 7],
      [1, 1],
      [2, 5],
      [3, 1],
    ]);
  });

  it('round-trips through its config', () => {
    const layer = new LightConv2D({
      filters: 5,
      kernelSize: [3, 1],
      rank: 3,
      strides: 2,
      padding: 'valid',
      l2: 0.01,
      seed: 9,
    });
    const config = layer.getConfig();
    const [registered] = tf.serialization.SerializationMap.getMap().classNameMap['LightConv2D'];
    expect(registered).toBe(LightConv2D);
    const copy = LightConv2D.fromConfig(LightConv2D, config);
    expect(copy.getConfig()).toEqual(config);
  });

  it('rejects a rank below 1 with a clear message', () => {
    expect(() => new LightConv2D({ filters: 4, kernelSize: 3, rank: 0 })).toThrow(/rank must be an integer ≥ 1/);
  });
});
