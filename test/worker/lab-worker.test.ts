/**
 * The worker's request handling, in Node: the real lab.worker module behind a stand-in for the worker global, driven
 * by the same call messages the page posts. Checks the replies, the events of an experiment with two seeds, and the
 * requests it must refuse while keeping what it holds.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultExperiment, type Experiment } from '../../src/lab/experiment/schema';
import type { CallMessage, LabArgs, LabEvent, LabMethod, LabResult, WorkerMessage } from '../../src/worker/protocol';

const posted: WorkerMessage[] = [];
const scope = {
  // As a real worker does: what is transferred is detached on this side.
  postMessage: (message: WorkerMessage, transfer: Transferable[] = []) =>
    void posted.push(structuredClone(message, { transfer })),
  addEventListener: () => undefined,
  onmessage: null as null | ((e: { data: CallMessage }) => Promise<void>),
};
let nextId = 1;
const saved = (globalThis as { self?: unknown }).self;

/** Sends a call as the page does and waits for its reply. */
async function call<M extends LabMethod>(method: M, args: LabArgs<M>): Promise<LabResult<M>> {
  const id = nextId++;
  await scope.onmessage!({ data: { kind: 'call', id, method, args } as CallMessage });
  const reply = posted.find((m) => m.kind === 'reply' && m.id === id);
  if (!reply || reply.kind !== 'reply') throw new Error(`no reply to ${method}`);
  if (!reply.ok) throw Object.assign(new Error(reply.error.message), { name: reply.error.name });
  return reply.value as LabResult<M>;
}
const events = (): LabEvent[] => posted.flatMap((m) => (m.kind === 'event' ? [m.event] : []));

beforeAll(async () => {
  (globalThis as { self?: unknown }).self = scope;
  await import('../../src/worker/lab.worker');
});
afterAll(() => {
  (globalThis as { self?: unknown }).self = saved;
});

const experiment: Experiment = {
  ...defaultExperiment({ recipe: 'study' }),
  models: ['light-k1'],
  seeds: [1, 2],
  size: 16,
  channels: 1,
  epochs: 1,
  batchSize: 16,
  bootstrap: 0,
  bnRecalibration: 1,
  backend: 'cpu',
};

describe('the lab worker', () => {
  it('starts on the requested backend and lists the registry with its groups', async () => {
    const init = await call('init', { backend: 'cpu' });
    expect(init.backend?.name).toBe('cpu');
    expect(init.models.map((m) => m.id)).toContain('light-k1');
    expect(init.models.find((m) => m.id === 'light-k3')).toMatchObject({
      group: 'lightlayers',
      rank: 3,
      backbone: null,
    });
    expect(init.models.find((m) => m.id === 'mobilenet-v2')).toMatchObject({
      group: 'transfer',
      backbone: 'mobilenet-v2',
      rank: null,
    });
    expect(init.groups.map((g) => g.id)).toEqual(['cnn', 'lightlayers', 'transfer']);
  });

  it('refuses to train before a dataset is loaded', async () => {
    await expect(call('train', { experiment })).rejects.toThrow(/no dataset loaded yet/);
  });

  it('loads the demo set and describes it with its identity', async () => {
    const info = await call('loadDemo', {
      size: 16,
      channels: 1,
      valFraction: 0.1,
      testFraction: 0.2,
      seed: 1,
      keepOfficialVal: false,
      perClass: 12,
    });
    expect(info.summary.images).toBe(24);
    expect(info.identity).toMatchObject({ files: 24, filesPerClass: { NORMAL: 12, PNEUMONIA: 12 } });
  });

  it("runs an experiment: every seed of every model, with the run's data first and a result per run", async () => {
    posted.length = 0;
    const outcome = await call('train', { experiment });
    expect(outcome).toEqual({ status: 'done', message: null, failed: [] });
    const seen = events();
    const runData = seen.find((e) => e.type === 'run-data');
    expect(runData).toMatchObject({ data: { kind: 'demo', identity: { files: 24 } }, environment: { backend: 'cpu' } });
    const results = seen.flatMap((e) => (e.type === 'model-result' ? [e.result] : []));
    expect(results.map((r) => [r.modelId, r.seed, r.record.status])).toEqual([
      ['light-k1', 1, 'ok'],
      ['light-k1', 2, 'ok'],
    ]);
    expect(results[0].probabilities.length).toBe(results[0].record.test!.count * 2);
    expect(seen.findIndex((e) => e.type === 'run-data')).toBeLessThan(seen.findIndex((e) => e.type === 'model-result'));
    const done = seen
      .filter((e) => e.type === 'model-phase' && e.phase === 'done')
      .map((e) => (e as { seed: number }).seed);
    expect(done).toEqual([1, 2]);
    expect(seen.filter((e) => e.type === 'baseline')).toHaveLength(2);
  }, 120_000);

  it("adds the model's seed ensemble after its last seed, from the runs it posted", async () => {
    posted.length = 0;
    const outcome = await call('train', { experiment: { ...experiment, ensemble: true } });
    expect(outcome.status).toBe('done');
    const results = events().flatMap((e) => (e.type === 'model-result' ? [e.result] : []));
    expect(results.map((r) => [r.modelId, r.seed, r.record.ensembleOf ?? null])).toEqual([
      ['light-k1', 1, null],
      ['light-k1', 2, null],
      ['light-k1', -1, [1, 2]],
    ]);
    // Its probabilities are the mean of the posted runs' (the runs' own arrays outlived their transfer).
    const [one, two, ensemble] = results;
    expect(ensemble.probabilities).toHaveLength(one.probabilities.length);
    for (const [i, p] of ensemble.probabilities.entries())
      expect(p).toBeCloseTo((one.probabilities[i] + two.probabilities[i]) / 2, 5);
  }, 120_000);

  it("explains a finished run's test images by name, with their pixels and progress, and frees every tensor", async () => {
    const seen = events();
    const runData = seen.find((e) => e.type === 'run-data');
    const finished = seen.find((e) => e.type === 'model-result' && e.result.seed === 1);
    if (runData?.type !== 'run-data' || finished?.type !== 'model-result' || !finished.files)
      throw new Error('the run sent no data or model files');
    const { modelJson, weights } = finished.files;
    await call('loadModel', { ref: 'run-1', modelJson, weights: weights.slice().buffer as ArrayBuffer });
    const files = runData.testImages.files.slice(0, 3).reverse();
    const labels = runData.testImages.labels.slice(0, 3).reverse();
    const start = tf.memory().numTensors;
    posted.length = 0;
    const explained = await call('explainTestImages', { ref: 'run-1', files, labels, classes: 1 });
    expect(tf.memory().numTensors).toBe(start);
    expect(explained.map((e) => [e.index, e.file, e.label])).toEqual(files.map((f, i) => [i, f, labels[i]]));
    // The same scores the run's evaluation kept for these images, and the images as the model saw them.
    const kept = finished.result.probabilities;
    explained.forEach((e, i) => {
      const at = runData.testImages.files.indexOf(files[i]);
      expect(e.probabilities[1]).toBeCloseTo(kept[at * 2 + 1], 4);
      expect(e.maps.map((m) => [m.classIndex, m.size, m.values.length])).toEqual([[1, 16, 256]]);
      expect(e.image?.size).toBe(16);
      expect(e.image?.rgb.length).toBe(16 * 16 * 3);
    });
    const progress = events().filter((e) => e.type === 'explain-progress');
    expect(progress.at(-1)).toEqual({ type: 'explain-progress', ref: 'run-1', done: 3, total: 3 });
    await expect(
      call('explainTestImages', { ref: 'run-1', files: ['NORMAL/elsewhere.png'], labels: [0] }),
    ).rejects.toThrow(
      /NORMAL\/elsewhere.png: not in the loaded dataset — load the dataset these results were trained on/,
    );
    await expect(
      call('explainTestImages', { ref: 'run-1', files: [files[0]], labels: [1 - labels[0]] }),
    ).rejects.toThrow(/is \w+ in the loaded dataset, not \w+/);
    expect(tf.memory().numTensors).toBe(start);
  }, 60_000);

  it('reports a model it does not know as a failed run and goes on', async () => {
    posted.length = 0;
    const outcome = await call('train', { experiment: { ...experiment, models: ['resnet', 'light-k1'], seeds: [1] } });
    expect(outcome.status).toBe('done');
    expect(outcome.failed).toEqual([
      { modelId: 'resnet', seed: 1, label: 'resnet', error: expect.stringMatching(/unknown model id "resnet"/) },
    ]);
    const results = events().flatMap((e) => (e.type === 'model-result' ? [e.result.record.status] : []));
    expect(results).toEqual(['failed', 'ok']);
  }, 120_000);

  it('cancels the whole queue and says so', async () => {
    posted.length = 0;
    const running = call('train', { experiment: { ...experiment, epochs: 50 } });
    await call('cancel', { modelId: null });
    const outcome = await running;
    expect(outcome.status).toBe('cancelled');
  }, 120_000);
});
