/**
 * The project store on fake-indexeddb (an in-memory IndexedDB for Node): a saved project comes back whole; damaged
 * entries are left out and named, never silently; an older store version is cleared with a notice and a newer one
 * refused untouched; a quota error mid-save says so and keeps what was saved before; checkpoint bytes that were cut
 * short or altered are refused.
 */
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultExperiment } from '../../src/lab/experiment/schema';
import { decodeCheckpoint, encodeCheckpoint, CorruptCheckpointError } from '../../src/lab/persist/checkpoint-codec';
import { ProjectStore, STORE_DB, STORE_VERSION, StorageError } from '../../src/lab/persist/project-store';
import type { InterruptedRun, SavedContext, SavedRun } from '../../src/lab/persist/saved-project';
import type { ResultRecord } from '../../src/lab/report/result-record';
import type { TrainCheckpoint } from '../../src/lab/train/checkpoint';
import { withDiskFullAtPut } from '../helpers/disk-full';

const context: SavedContext = {
  experiment: { ...defaultExperiment(), models: ['light-k1'], seeds: [1] },
  data: null,
  testImages: { files: ['a.png', 'b.png'], labels: [0, 1] },
  environment: null,
  savedAt: '2026-12-02T00:00:00Z',
};

function run(modelId: string, seed = 1): SavedRun {
  return {
    modelId,
    seed,
    record: { modelId, seed, label: modelId, status: 'ok' } as unknown as ResultRecord,
    probabilities: new Float32Array([0.9, 0.1, 0.2, 0.8]),
    labels: new Int32Array([0, 1]),
    classNames: ['NORMAL', 'PNEUMONIA'],
    positiveClass: 1,
    roc: [
      { threshold: Infinity, fpr: 0, tpr: 0 },
      { threshold: 0.5, fpr: 0, tpr: 1 },
    ],
    files: { modelJson: '{"format":"layers-model"}', weights: new Uint8Array([1, 2, 3, 4]) },
  };
}

function checkpoint(epoch: number): TrainCheckpoint {
  const weights = [
    { shape: [2, 2], values: new Float32Array([1, 2, 3, epoch]) },
    { shape: [2], values: new Float32Array([5, 6]) },
  ];
  return {
    version: 1,
    epoch,
    epochsPlanned: 5,
    seed: 1,
    batchSize: 8,
    learningRate: 0.001,
    trainCount: 3,
    backend: 'wasm',
    weights,
    optimizer: {
      iterations: epoch * 2,
      m: [new Float32Array(4), new Float32Array(2)],
      v: [new Float32Array(4), new Float32Array([7, 8])],
    },
    rngState: 12345,
    order: new Int32Array([2, 0, 1]),
    sourcePosition: 6,
    history: Array.from({ length: epoch }, (_, i) => ({
      epoch: i + 1,
      loss: 0.5,
      accuracy: 0.5,
      valLoss: 0.6,
      valAccuracy: 0.5,
      imagesPerSec: 10,
      ms: 100,
    })),
    best: { score: 0.6, epoch, weights },
    epochsWithoutImprovement: 0,
    stoppedEarly: false,
    elapsedMs: 200,
    trainMs: 150,
    imagesTrained: 6,
  };
}

const info = (epoch: number, modelId = 'light-k4'): InterruptedRun => ({
  modelId,
  seed: 1,
  label: 'LightLayers k=4',
  epoch,
  epochs: 5,
  fingerprint: 'abc',
  source: 'chest_xray',
  backend: 'wasm',
  bytes: 0,
  savedAt: '',
});

let store: ProjectStore | null = null;
afterEach(async () => {
  store?.close();
  store = null;
  await new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(STORE_DB);
    req.onsuccess = req.onerror = req.onblocked = resolve;
  });
});

describe('ProjectStore', () => {
  it("gives back the experiment, finished runs and the interrupted run's checkpoint", async () => {
    store = await ProjectStore.open();
    expect(await store.load()).toBeNull();
    await store.putContext(context);
    await store.putCheckpoint(info(1), encodeCheckpoint(checkpoint(1)));
    await store.putRun(run('light-k1'));
    await store.putCheckpoint(info(3), encodeCheckpoint(checkpoint(3)));
    store.close();

    store = await ProjectStore.open();
    const saved = (await store.load())!;
    expect(saved.problems).toEqual([]);
    expect(saved.context!.experiment.models).toEqual(['light-k1']);
    expect(saved.runs.map((r) => r.modelId)).toEqual(['light-k1']);
    expect(saved.runs[0].probabilities).toEqual(new Float32Array([0.9, 0.1, 0.2, 0.8]));
    expect(saved.runs[0].files!.weights).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(saved.runs[0].roc[0].threshold).toBe(Infinity);
    expect(saved.interrupted.map((i) => [i.modelId, i.epoch])).toEqual([['light-k4', 3]]);
    const cp = (await store.getCheckpoint({ modelId: 'light-k4', seed: 1 }))!.checkpoint;
    expect(cp.epoch).toBe(3);
    expect(Array.from(cp.weights[0].values)).toEqual([1, 2, 3, 3]);
    expect(cp.best!.weights).toBe(cp.weights); // stored once
    expect(Array.from(cp.order)).toEqual([2, 0, 1]);
    expect(await store.bytes()).toBeGreaterThan(0);

    // A finished run replaces its checkpoint.
    await store.putRun(run('light-k4'));
    expect((await store.load())!.interrupted).toEqual([]);
    await store.clear();
    expect(await store.load()).toBeNull();
  });

  it('leaves out damaged entries and names each one', async () => {
    store = await ProjectStore.open();
    await store.putContext(context);
    await store.putRun(run('light-k1'));
    const raw = await openDB(STORE_DB, STORE_VERSION);
    await raw.put('runs', { ...run('light-k2'), probabilities: 'garbage' }, 'light-k2@1');
    await raw.put(
      'runs',
      { ...run('light-k3'), files: { modelJson: '{broken', weights: new Uint8Array(2) } },
      'light-k3@1',
    );
    const bytes = encodeCheckpoint(checkpoint(2));
    await raw.put('checkpoints', { info: info(2), bytes: bytes.slice(0, bytes.length - 9) }, 'light-k4@1');
    await raw.put('checkpoints', { nonsense: true }, 'light-k5@1');
    raw.close();

    const saved = (await store.load())!;
    expect(saved.runs.map((r) => r.modelId)).toEqual(['light-k1']);
    expect(saved.problems).toEqual([
      'The saved result light-k2@1 could not be read (its test probabilities are missing) and is not shown.',
      'The saved result light-k3@1 could not be read (its model.json is not JSON) and is not shown.',
      'The saved checkpoint light-k5@1 could not be read and cannot be resumed.',
    ]);
    // The cut checkpoint is listed, and refused when it is read for a resume.
    expect(saved.interrupted.map((i) => i.modelId)).toEqual(['light-k4']);
    await expect(store.getCheckpoint({ modelId: 'light-k4', seed: 1 })).rejects.toThrow(CorruptCheckpointError);
  });

  it('clears a store of an older version with a notice, and refuses a newer one untouched', async () => {
    store = await ProjectStore.open(STORE_VERSION);
    await store.putContext(context);
    await store.putRun(run('light-k1'));
    store.close();

    store = await ProjectStore.open(STORE_VERSION + 1);
    const saved = (await store.load())!;
    expect(saved.problems).toEqual([
      `Saved work from an older version of X-Ray Lab (store version ${STORE_VERSION}) could not be read and was cleared.`,
    ]);
    expect(saved.runs).toEqual([]);
    expect(saved.context).toBeNull();
    await store.putContext(context);
    await store.putRun(run('light-k2'));
    store.close();
    store = null;

    const older = ProjectStore.open(STORE_VERSION);
    await expect(older).rejects.toThrow(StorageError);
    await expect(older).rejects.toThrow(/newer version of X-Ray Lab and is left untouched/);
    store = await ProjectStore.open(STORE_VERSION + 1);
    expect((await store.load())!.runs.map((r) => r.modelId)).toEqual(['light-k2']);
  });

  it('a quota error mid-save says so and keeps the checkpoint saved before', async () => {
    store = await ProjectStore.open();
    await store.putCheckpoint(info(1), encodeCheckpoint(checkpoint(1)));
    await withDiskFullAtPut(1, async () => {
      const failed = store!.putCheckpoint(info(2), encodeCheckpoint(checkpoint(2)));
      await expect(failed).rejects.toThrow(
        /Browser storage is full: the checkpoint of light-k4@1 after epoch 2 was not saved \(what was saved before is kept\)/,
      );
      await expect(failed).rejects.toMatchObject({ reason: 'quota' });
    });
    expect((await store.getCheckpoint({ modelId: 'light-k4', seed: 1 }))!.checkpoint.epoch).toBe(1);
  });

  it('an opened project replaces the saved one whole, or — on a quota error mid-write — not at all', async () => {
    store = await ProjectStore.open();
    await store.putContext(context);
    await store.putRun(run('light-k1'));
    await store.putCheckpoint(info(1), encodeCheckpoint(checkpoint(1)));
    const opened: SavedContext = { ...context, experiment: { ...context.experiment, models: ['cnn', 'light-k2'] } };
    const entry = { info: info(2, 'light-k3'), bytes: encodeCheckpoint(checkpoint(2)) };

    // The context and the first run go in; the second run finds the disk full.
    await withDiskFullAtPut(3, () =>
      expect(store!.replaceProject(opened, [run('cnn'), run('light-k2')], [entry])).rejects.toMatchObject({
        reason: 'quota',
      }),
    );
    const before = (await store.load())!;
    expect(before.context!.experiment.models).toEqual(['light-k1']);
    expect(before.runs.map((r) => r.modelId)).toEqual(['light-k1']);
    expect(before.interrupted.map((i) => i.modelId)).toEqual(['light-k4']);

    await store.replaceProject(opened, [run('cnn'), run('light-k2')], [entry]);
    const after = (await store.load())!;
    expect(after.context!.experiment.models).toEqual(['cnn', 'light-k2']);
    expect(after.runs.map((r) => r.modelId).sort()).toEqual(['cnn', 'light-k2']);
    expect(after.interrupted.map((i) => [i.modelId, i.epoch])).toEqual([['light-k3', 2]]);
    expect((await store.checkpointEntries()).map((c) => c.bytes)).toEqual([entry.bytes]);
  });
});

describe('checkpoint bytes', () => {
  it('refuse a cut, altered or foreign entry with a message', () => {
    const bytes = encodeCheckpoint(checkpoint(2));
    expect(decodeCheckpoint(bytes).history).toHaveLength(2);
    expect(() => decodeCheckpoint(bytes.slice(0, 6))).toThrow(/damaged \(too short\)/);
    expect(() => decodeCheckpoint(bytes.slice(0, 40))).toThrow(/header cut short/);
    expect(() => decodeCheckpoint(bytes.slice(0, bytes.length - 4))).toThrow(/lies outside the data/);
    expect(() => decodeCheckpoint(new TextEncoder().encode('PK\u0003\u0004 not a checkpoint'))).toThrow(
      /not a checkpoint/,
    );
    const altered = bytes.slice();
    const text = new TextDecoder().decode(altered);
    const at = text.indexOf('"version":1');
    altered[at + 10] = '7'.charCodeAt(0);
    expect(() => decodeCheckpoint(altered, 'light-k4@1')).toThrow(
      /light-k4@1: the saved checkpoint is damaged \(version 7, this lab reads 1\)/,
    );
  });
});
