/**
 * Optional fine-tuning of InceptionV3's mixed9/mixed10: it must train (top kernels move) without crashing on the
 * scale=false BatchNorms (tfjs issue 2868), leave BatchNorm statistics and everything below mixed8 untouched, and
 * report the extra trainable parameters. 75 px keeps mixed8 at 1×1 and the test quick.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunConfig } from '../../src/lab/experiment/run-config';
import { testRunConfig } from '../helpers/run-config';
import { runModel } from '../../src/lab/experiment/run-model';
import { buildInceptionV3Backbone } from '../../src/lab/models/inception-v3';
import { prepareBackboneWeights, type BackboneWeights } from '../../src/lab/transfer/backbone-weights';
import { fineTuneCut, supportsFineTuning } from '../../src/lab/transfer/fine-tune';
import { MemoryFeatureCache } from '../../src/lab/transfer/feature-cache';
import { makeToyImageSet } from '../helpers/toy-images';
import { sourceFromModel } from '../helpers/source-from-model';
import { selectBackend } from '../../src/lab/backend/select-backend';

const settings: RunConfig = testRunConfig({
  size: 75,
  channels: 3,
  epochs: 2,
  batchSize: 8,
  learningRate: 1e-2,
  bootstrapIterations: 0,
  fineTuneEpochs: 2,
});
const data = {
  train: makeToyImageSet(16, 75, 3, 1),
  val: makeToyImageSet(8, 75, 3, 2),
  test: makeToyImageSet(8, 75, 3, 3),
};

let weights: BackboneWeights;
let topKernelParams = 0;
beforeAll(async () => {
  // wasm with the lab's fast convolution gradients: the cpu backend's filter gradient is ~100× slower.
  await selectBackend('wasm');
  const seeded = buildInceptionV3Backbone({ size: 75, seed: 3 });
  weights = prepareBackboneWeights('inception-v3', sourceFromModel(seeded));
  // mixed9 and mixed10 hold conv2d_77 … conv2d_94.
  for (let n = 77; n <= 94; n++) topKernelParams += seeded.getLayer(`conv2d_${n}`).countParams();
  seeded.dispose();
});

const valuesOf = (model: tf.LayersModel, layer: string, weight = 0) =>
  model.getLayer(layer).getWeights()[weight].dataSync().slice();

describe('fine-tuning mixed9 and mixed10', () => {
  it('trains the top kernels and the head, keeping BatchNorm statistics and the lower blocks as loaded', async () => {
    const before = tf.memory().numTensors;
    const epochs: number[] = [];
    const run = await runModel(
      'inception-v3',
      data,
      settings,
      {
        onEpochEnd: (log) => {
          epochs.push(log.epoch);
        },
      },
      undefined,
      {
        weights,
        featureCache: new MemoryFeatureCache(),
      },
    );
    expect(run.record.status, run.record.error).toBe('ok');
    expect(epochs).toEqual([1, 2, 3, 4]);
    expect(run.record).toMatchObject({
      epochsRun: 4,
      epochsPlanned: 4,
      params: 21_806_882,
      trainableParams: 4_098 + topKernelParams,
    });
    for (const h of run.record.history!) expect(Number.isFinite(h.loss)).toBe(true);

    const model = run.model!;
    const loaded = (name: string, w = 0) => Float32Array.from(weights.layers.find((l) => l.name === name)!.values[w]);
    expect(valuesOf(model, 'conv2d_94')).not.toEqual(loaded('conv2d_94'));
    expect(valuesOf(model, 'conv2d_1')).toEqual(loaded('conv2d_1'));
    expect(valuesOf(model, 'conv2d_76')).toEqual(loaded('conv2d_76'));
    // beta, moving mean and moving variance of a top BatchNorm are untouched (inference mode, frozen).
    for (const w of [0, 1, 2])
      expect(valuesOf(model, 'batch_normalization_94', w)).toEqual(loaded('batch_normalization_94', w));
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is offered for inception-v3 only; a shared queue setting leaves other backbones to train their head', () => {
    expect(supportsFineTuning('inception-v3')).toBe(true);
    expect(supportsFineTuning('mobilenet-v2')).toBe(false);
    expect(() => fineTuneCut('mobilenet-v2')).toThrow('fine-tuning is offered for inception-v3 only, not mobilenet-v2');
  });
});
