import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunConfig } from '../../src/lab/experiment/run-config';
import { testRunConfig } from '../helpers/run-config';
import { runModel } from '../../src/lab/experiment/run-model';
import { makeToyImageSet } from '../helpers/toy-images';
import { useCpuBackend } from '../helpers/tf-cpu';

beforeAll(useCpuBackend);

const data = {
  train: makeToyImageSet(32, 12, 1, 1),
  val: makeToyImageSet(8, 12, 1, 2),
  test: makeToyImageSet(16, 12, 1, 3),
};
const settings: RunConfig = testRunConfig({
  size: 12,
  channels: 1,
  epochs: 3,
  batchSize: 8,
  learningRate: 1e-2,
  bootstrapIterations: 50,
  batchNormRecalibrationBatches: 2,
});

describe('runModel', () => {
  it('builds, trains, evaluates and times a model into one record, leaking no tensor', async () => {
    const before = tf.memory().numTensors;
    const phases: string[] = [];
    const run = await runModel('light-k2', data, settings, { onPhase: (p) => phases.push(p) });
    expect(phases).toEqual(['building', 'training', 'evaluating', 'timing']);
    expect(run.record).toMatchObject({
      modelId: 'light-k2',
      status: 'ok',
      epochsRun: 3,
      inputSize: 12,
      channels: 1,
      backend: 'cpu',
    });
    expect(run.record.params).toBe(run.model!.countParams());
    expect(run.record.test!.count).toBe(16);
    expect(run.record.test!.ci).not.toBeNull();
    expect(run.record.inference!.msPerImage).toBeGreaterThan(0);
    expect(run.record.history).toHaveLength(3);
    run.model!.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('records a failure instead of throwing, so a queue goes on', async () => {
    const before = tf.memory().numTensors;
    const run = await runModel('cnn', data, settings);
    expect(run.model).toBeNull();
    expect(run.record.status).toBe('failed');
    expect(run.record.error).toMatch(/cnn needs an input of at least 50×50 \(got 12×12\)/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('evaluates a cancelled run with the weights it kept', async () => {
    const controller = new AbortController();
    const run = await runModel(
      'light-k1',
      data,
      { ...settings, epochs: 5 },
      {
        onEpochEnd: (log) => {
          if (log.epoch === 2) controller.abort();
        },
      },
      controller.signal,
    );
    expect(run.record.status).toBe('cancelled');
    expect(run.record.epochsRun).toBe(2);
    expect(run.record.test!.count).toBe(16);
    run.model!.dispose();
  });
});
