/**
 * Transfer models through runModel: the backbone runs once per image, the head trains on cached features, the
 * record counts backbone + head, and the feature cache is reused on a second run and invalidated by a size or
 * weights change. A seeded MobileNetV2 α 0.35 stands in for ImageNet weights (the ../shared copy is tested apart).
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunConfig } from '../../src/lab/experiment/run-config';
import { testRunConfig } from '../helpers/run-config';
import { runModel } from '../../src/lab/experiment/run-model';
import { buildMobileNetV2Backbone } from '../../src/lab/models/mobilenet-v2';
import type { BackboneWeights } from '../../src/lab/transfer/backbone-weights';
import { MemoryFeatureCache } from '../../src/lab/transfer/feature-cache';
import { loadWeightsFromFiles } from '../../src/lab/transfer/load-weights';
import type { FeatureProgress } from '../../src/lab/transfer/split-features';
import { forgetBackboneWeights, provideBackboneWeights } from '../../src/lab/transfer/transfer-context';
import { kerasWeightsH5 } from '../helpers/keras-h5';
import { makeToyImageSet } from '../helpers/toy-images';
import { useCpuBackend } from '../helpers/tf-cpu';

const settings: RunConfig = testRunConfig({
  size: 32,
  channels: 1,
  epochs: 8,
  batchSize: 8,
  learningRate: 1e-2,
  bootstrapIterations: 0,
});
const data = (size = 32) => ({
  train: makeToyImageSet(24, size, 1, 1),
  val: makeToyImageSet(8, size, 1, 2),
  test: makeToyImageSet(16, size, 1, 3),
});

async function seededWeights(seed: number): Promise<BackboneWeights> {
  const model = buildMobileNetV2Backbone({ size: 32, alpha: 0.35, seed });
  const bytes = await kerasWeightsH5(model);
  model.dispose();
  return loadWeightsFromFiles('mobilenet-v2', [{ name: `seed-${seed}.h5`, bytes }]);
}

let weights: BackboneWeights;
beforeAll(async () => {
  await useCpuBackend();
  weights = await seededWeights(21);
});
afterEach(() => forgetBackboneWeights());

function recorder() {
  const features: FeatureProgress[] = [];
  const phases: string[] = [];
  return {
    features,
    phases,
    callbacks: {
      onFeatureProgress: (p: FeatureProgress) => {
        features.push(p);
      },
      onPhase: (p: string) => {
        phases.push(p);
      },
    },
  };
}
const cachedBySplit = (events: FeatureProgress[]) =>
  Object.fromEntries(events.filter((e) => e.done === e.total).map((e) => [e.split, e.cached]));

describe('transfer models through runModel', () => {
  it('fails with "backbone not loaded" until weights are provided', async () => {
    const run = await runModel('mobilenet-v2', data(), settings);
    expect(run.record.status).toBe('failed');
    expect(run.record.error).toMatch(/^mobilenet-v2: backbone not loaded — MobileNetV2 needs ImageNet weights/);
  });

  it('extracts features once, trains the head on them, and reports backbone + head parameters', async () => {
    provideBackboneWeights(weights);
    const cache = new MemoryFeatureCache();
    const before = tf.memory().numTensors;
    const r = recorder();
    const run = await runModel('mobilenet-v2', data(), settings, r.callbacks, undefined, { featureCache: cache });
    expect(run.record.status, run.record.error).toBe('ok');
    expect(r.phases).toEqual(['building', 'training', 'evaluating', 'timing']);
    expect(cachedBySplit(r.features)).toEqual({ train: false, val: false, test: false });
    expect(run.record).toMatchObject({
      params: 410_208 + 2_562,
      trainableParams: 2_562,
      bytes: (410_208 + 2_562) * 4,
      epochsRun: 8,
    });
    expect(run.record.backbone).toEqual({
      network: 'MobileNetV2 α 0.35',
      weightsId: weights.weightsId,
      origin: weights.origin,
      pixelRange: weights.preprocessing.range,
    });
    expect(run.record.test!.count).toBe(16);
    expect(run.record.history![7].loss).toBeLessThan(run.record.history![0].loss!);
    expect(await cache.keys()).toHaveLength(3);
    // The returned model is the whole network, grey image in, logits out.
    expect(run.model!.inputs[0].shape).toEqual([null, 32, 32, 1]);
    expect(run.model!.outputs[0].shape).toEqual([null, 2]);
    run.model!.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reuses cached features on a second run (same results) and recomputes after a size or weights change', async () => {
    provideBackboneWeights(weights);
    const cache = new MemoryFeatureCache();
    const first = await runModel('mobilenet-v2', data(), settings, {}, undefined, { featureCache: cache });
    const again = recorder();
    const second = await runModel('mobilenet-v2', data(), settings, again.callbacks, undefined, {
      featureCache: cache,
    });
    expect(cachedBySplit(again.features)).toEqual({ train: true, val: true, test: true });
    expect(second.record.test).toEqual(first.record.test);
    expect(second.record.history!.map((h) => h.loss)).toEqual(first.record.history!.map((h) => h.loss));

    const resized = recorder();
    const bigger = await runModel('mobilenet-v2', data(36), { ...settings, size: 36 }, resized.callbacks, undefined, {
      featureCache: cache,
    });
    expect(bigger.record.status).toBe('ok');
    expect(cachedBySplit(resized.features)).toEqual({ train: false, val: false, test: false });

    const other = recorder();
    await runModel('mobilenet-v2', data(), settings, other.callbacks, undefined, {
      featureCache: cache,
      weights: await seededWeights(22),
    });
    expect(cachedBySplit(other.features)).toEqual({ train: false, val: false, test: false });
    expect(await cache.keys()).toHaveLength(9);
    for (const run of [first, second, bigger]) run.model!.dispose();
  });

  it('stops during the backbone pass when cancelled, caching nothing partial', async () => {
    provideBackboneWeights(weights);
    const cache = new MemoryFeatureCache();
    const controller = new AbortController();
    const run = await runModel(
      'mobilenet-v2',
      data(),
      { ...settings, batchSize: 4 },
      {
        onFeatureProgress: (p) => {
          if (p.split === 'train' && p.done >= 8) controller.abort();
        },
      },
      controller.signal,
      { featureCache: cache },
    );
    expect(run.record.status).toBe('cancelled');
    expect(run.model).toBeNull();
    expect(run.record.params).toBe(410_208 + 2_562);
    expect(await cache.keys()).toEqual([]);
  });

  it('trains a dropout + LightDense head when asked', async () => {
    provideBackboneWeights(weights);
    const run = await runModel(
      'mobilenet-v2',
      data(),
      { ...settings, headDropout: 0.25, headLightRank: 8 },
      {},
      undefined,
      { featureCache: null },
    );
    expect(run.record.status).toBe('ok');
    expect(run.record.trainableParams).toBe(1280 * 8 + 8 * 2 + 2);
    run.model!.dispose();
  });
});
