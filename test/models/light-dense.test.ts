import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LightDense } from '../../src/lab/models/layers/light-dense';
import { expectGradientsMatchFiniteDifferences, maxAbsDiff, useCpuBackend } from '../helpers/tf-cpu';

beforeAll(useCpuBackend);

describe('LightDense', () => {
  for (const scaleFactors of [true, false]) {
    it(`computes x·(c·W1)·(c·W2) + b with c = ${scaleFactors ? 'sqrt(2/units)' : '1'}`, () => {
      const layer = new LightDense({ units: 3, rank: 2, seed: 5, scaleFactors });
      const x = tf.randomNormal([4, 6], 0, 1, 'float32', 2) as tf.Tensor2D;
      layer.apply(x);
      const [w1, w2] = layer.getWeights();
      const bias = tf.tensor1d([0.5, -1, 2]);
      layer.setWeights([w1, w2, bias]);
      const c = scaleFactors ? Math.sqrt(2 / 3) : 1;
      const expected = tf.add(
        tf.matMul(tf.matMul(x, tf.mul(w1, c) as tf.Tensor2D), tf.mul(w2, c) as tf.Tensor2D),
        bias,
      );
      expect(maxAbsDiff(layer.apply(x) as tf.Tensor, expected)).toBeLessThan(1e-5);
    });
  }

  it('has in·k + k·units + units parameters', () => {
    const layer = new LightDense({ units: 2, rank: 8 });
    layer.build([null, 2048]);
    expect(layer.countParams()).toBe(2048 * 8 + 8 * 2 + 2);
  });

  it('works on the last axis of a rank-3 input', () => {
    const layer = new LightDense({ units: 4, rank: 2, seed: 1 });
    const y = layer.apply(tf.ones([2, 3, 5])) as tf.Tensor;
    expect(y.shape).toEqual([2, 3, 4]);
    expect(layer.computeOutputShape([2, 3, 5])).toEqual([2, 3, 4]);
  });

  it('has gradients that match central finite differences', () => {
    const layer = new LightDense({ units: 2, rank: 3, seed: 3 });
    const x = tf.randomNormal([3, 4], 0, 1, 'float32', 4);
    layer.apply(x);
    const objective = () => tf.tidy(() => tf.sum(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar);
    const variables = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    expectGradientsMatchFiniteDifferences(objective, variables, [
      [0, 0],
      [0, 5],
      [1, 2],
      [2, 1],
    ]);
  });

  it('penalises both factors with L2', () => {
    const layer = new LightDense({ units: 2, rank: 2, seed: 2, l2: 0.5 });
    layer.apply(tf.ones([1, 3]));
    const [w1, w2] = layer.getWeights();
    const expected = 0.5 * (tf.sum(tf.square(w1)).dataSync()[0] + tf.sum(tf.square(w2)).dataSync()[0]);
    expect(layer.calculateLosses().reduce((s, l) => s + l.dataSync()[0], 0)).toBeCloseTo(expected, 6);
  });

  it('is registered for deserialisation and rebuilds from its config', () => {
    const layer = new LightDense({ units: 2, rank: 4, scaleFactors: false, seed: 8 });
    const [registered] = tf.serialization.SerializationMap.getMap().classNameMap['LightDense'];
    expect(registered).toBe(LightDense);
    expect(LightDense.fromConfig(LightDense, layer.getConfig()).getConfig()).toEqual(layer.getConfig());
  });
});
