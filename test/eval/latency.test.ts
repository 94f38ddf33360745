import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { measureInference } from '../../src/lab/eval/latency';
import { median } from '../../src/lab/eval/median';

function tinyModel(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, activation: 'relu' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 2 }),
    ],
  });
}

/** A clock that makes the i-th timed run last durations[i] ms (two reads per run: start and end). */
function scriptedClock(durations: number[]): () => number {
  const reads: number[] = [];
  let t = 1000;
  for (const d of durations) {
    reads.push(t, t + d);
    t += d + 7;
  }
  let i = 0;
  return () => {
    if (i >= reads.length) throw new Error('clock read more often than expected');
    return reads[i++];
  };
}

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
    expect(() => median([])).toThrow();
  });
});

describe('measureInference', () => {
  let model: tf.LayersModel;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    model = tinyModel();
  });

  it('reports the median single-image time and the median batch throughput', async () => {
    // Batch 1 runs take 5, 1, 3 ms (median 3); batch-32 runs take 64, 32, 48 ms (median 48 → 32 / 0.048 s).
    const timing = await measureInference(model, [8, 8, 1], {
      repeats: 3,
      warmup: 2,
      now: scriptedClock([5, 1, 3, 64, 32, 48]),
    });
    expect(timing.msPerImage).toBe(3);
    expect(timing.imagesPerSecond).toBeCloseTo(32 / 0.048, 9);
    expect(timing.batchSize).toBe(32);
    expect(timing.repeats).toBe(3);
  });

  it('measures real time and leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const timing = await measureInference(model, [8, 8, 1], { batchSize: 4, repeats: 2, warmup: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(timing.msPerImage).toBeGreaterThan(0);
    expect(Number.isFinite(timing.imagesPerSecond)).toBe(true);
    expect(timing.imagesPerSecond).toBeGreaterThan(0);
  });

  it('rejects bad options', async () => {
    await expect(measureInference(model, [8, 8, 1], { repeats: 0 })).rejects.toThrow(/repeats/);
    await expect(measureInference(model, [8, 8, 1], { batchSize: 1.5 })).rejects.toThrow(/batchSize/);
  });
});
