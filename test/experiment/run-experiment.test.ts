/**
 * The one run loop: every model × seed, seed by seed, each built → trained → evaluated → saved → disposed; hooks see
 * every run; cancelling a model skips its other seeds; an interrupt fails the run in progress at once; and the same
 * experiment run twice on wasm gives the same metrics, bit for bit.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { modelFromFiles } from '../../src/lab/models/model-files';
import { RunControl, runKeyId } from '../../src/lab/experiment/run-control';
import { runExperiment, type FinishedRun } from '../../src/lab/experiment/run-experiment';
import { defaultExperiment, type Experiment } from '../../src/lab/experiment/schema';
import { makeToyImageSet } from '../helpers/toy-images';

beforeAll(async () => {
  expect((await selectBackend('wasm')).name).toBe('wasm');
});

const data = {
  train: makeToyImageSet(32, 12, 1, 1),
  val: makeToyImageSet(8, 12, 1, 2),
  test: makeToyImageSet(16, 12, 1, 3),
};
const experiment: Experiment = {
  ...defaultExperiment({ recipe: 'study' }),
  models: ['light-k1', 'light-k2'],
  seeds: [1, 2],
  size: 12,
  channels: 1,
  epochs: 2,
  batchSize: 8,
  learningRate: 0.01,
  bootstrap: 20,
  bnRecalibration: 2,
  backend: 'wasm',
};

describe('runExperiment', () => {
  it('runs every model with every seed, seed by seed, saving each model and leaking no tensor', async () => {
    const before = tf.memory().numTensors;
    const started: string[] = [];
    const finished: FinishedRun[] = [];
    const baselines: string[] = [];
    const outcome = await runExperiment(experiment, data, {
      onRunStart: (key) => started.push(runKeyId(key)),
      onBaseline: (key) => void baselines.push(runKeyId(key)),
      onRunEnd: (run) => void finished.push(run),
    });
    expect(started).toEqual(['light-k1@1', 'light-k2@1', 'light-k1@2', 'light-k2@2']);
    expect(baselines).toEqual(started);
    expect(outcome.status).toBe('done');
    expect(outcome.records.map((r) => [r.modelId, r.seed, r.status])).toEqual([
      ['light-k1', 1, 'ok'],
      ['light-k2', 1, 'ok'],
      ['light-k1', 2, 'ok'],
      ['light-k2', 2, 'ok'],
    ]);
    for (const r of outcome.records) {
      expect(r.test!.count).toBe(16);
      expect(r.validation!.count).toBe(8);
      expect(r.validation!.ci).toBeNull();
    }
    expect(outcome.summary.map((m) => [m.modelId, m.seeds, m.okRuns])).toEqual([
      ['light-k1', [1, 2], 2],
      ['light-k2', [1, 2], 2],
    ]);
    expect(outcome.summary[0].accuracy!.n).toBe(2);
    // Seeds differ, so do the initial weights: two runs of one model are not copies.
    const k1 = finished.filter((f) => f.key.modelId === 'light-k1');
    expect(k1[0].files!.weights).not.toEqual(k1[1].files!.weights);
    // The saved model says what it is, and reloads.
    const meta = JSON.parse(k1[1].files!.modelJson).userDefinedMetadata;
    expect(meta).toMatchObject({
      modelId: 'light-k1',
      seed: 2,
      inputSize: 12,
      channels: 1,
      classNames: ['A', 'B'],
      positiveClass: 1,
      outputs: 'logits',
    });
    const reloaded = await modelFromFiles(k1[1].files!.modelJson, k1[1].files!.weights);
    expect(reloaded.countParams()).toBe(outcome.records[2].params);
    reloaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives the same metrics, weights and curves when run again (wasm, same seeds)', async () => {
    const one = { ...experiment, models: ['light-k2'] };
    const files: Uint8Array[][] = [[], []];
    const a = await runExperiment(one, data, { onRunEnd: (r) => void files[0].push(r.files!.weights) });
    const b = await runExperiment(one, data, { onRunEnd: (r) => void files[1].push(r.files!.weights) });
    expect(b.records.map((r) => r.test)).toEqual(a.records.map((r) => r.test));
    expect(b.records.map((r) => r.validation)).toEqual(a.records.map((r) => r.validation));
    expect(b.records.map((r) => r.history!.map((h) => [h.loss, h.valLoss]))).toEqual(
      a.records.map((r) => r.history!.map((h) => [h.loss, h.valLoss])),
    );
    expect(files[1]).toEqual(files[0]);
  });

  it('cancelling a model skips its remaining seeds and goes on with the others', async () => {
    const control = new RunControl();
    const skipped: string[] = [];
    const outcome = await runExperiment(
      experiment,
      data,
      {
        onEpochEnd: (key, log) => {
          if (key.modelId === 'light-k1' && key.seed === 1 && log.epoch === 1) control.cancel('light-k1');
        },
        onSkipped: (key, reason) => void skipped.push(`${runKeyId(key)}: ${reason}`),
      },
      { control },
    );
    expect(outcome.records.map((r) => [runKeyId(r), r.status])).toEqual([
      ['light-k1@1', 'cancelled'],
      ['light-k2@1', 'ok'],
      ['light-k2@2', 'ok'],
    ]);
    expect(skipped).toEqual(['light-k1@2: cancelled before it started']);
    expect(outcome.status).toBe('done');
  });

  it('an interrupt fails the run in progress at once, and shouldStop can end the queue', async () => {
    const control = new RunControl();
    const skipped: string[] = [];
    const outcome = await runExperiment(
      experiment,
      data,
      {
        onBatchEnd: (key) => {
          if (key.seed === 1 && key.modelId === 'light-k2') control.interrupt('WebGL context lost');
        },
        onSkipped: (key) => void skipped.push(runKeyId(key)),
        shouldStop: async (run, interrupted) => (interrupted ? `stopped: ${run.record.error}` : null),
      },
      { control },
    );
    expect(outcome.status).toBe('stopped');
    expect(outcome.message).toBe('stopped: WebGL context lost');
    expect(outcome.records.map((r) => [runKeyId(r), r.status])).toEqual([
      ['light-k1@1', 'ok'],
      ['light-k2@1', 'failed'],
    ]);
    expect(skipped).toEqual(['light-k1@2', 'light-k2@2']);
  });

  it('records an unknown model as failed and refuses a positive class the data lacks', async () => {
    const outcome = await runExperiment({ ...experiment, models: ['resnet'], seeds: [1] }, data);
    expect(outcome.records[0]).toMatchObject({
      modelId: 'resnet',
      status: 'failed',
      error: expect.stringMatching(/unknown model id "resnet"/),
    });
    await expect(runExperiment({ ...experiment, positiveClass: 'PNEUMONIA' }, data)).rejects.toThrow(
      /positive class "PNEUMONIA" is not a class of the data \(classes: A, B\)/,
    );
  });
});
