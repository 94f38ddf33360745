/**
 * The page's state hooks without React: each hook's action object over the real client and a fake worker, with the
 * lab reducer applying what they dispatch, as the page's one state does.
 */
import { describe, expect, it } from 'vitest';
import { LabClient } from '../../src/app/lab-client';
import { storeModelFiles } from '../../src/app/state/artefacts';
import { INITIAL_STATE, labReducer, type LabAction, type LabState } from '../../src/app/state/lab-state';
import type { LabStore } from '../../src/app/state/lab-store';
import { DEFAULT_SETTINGS, type Settings } from '../../src/app/state/settings';
import { datasetActions } from '../../src/app/state/use-dataset';
import { exportActions } from '../../src/app/state/use-exports';
import { inferenceActions, type ExplainProgress } from '../../src/app/state/use-inference';
import { hasUnsavedModels, resultsActions } from '../../src/app/state/use-results';
import { resumeActions } from '../../src/app/state/use-resume';
import { trainingActions } from '../../src/app/state/use-training';
import type { InterruptedRun } from '../../src/lab/persist/saved-project';
import type { CallMessage, DatasetInfo, ModelResult, QueueOutcome } from '../../src/worker/protocol';
import { defaultExperiment } from '../../src/lab/experiment/schema';
import { FakeWorker, settle } from './fake-worker';

const dataset = (fingerprint: string) => ({ identity: { fingerprint } }) as DatasetInfo;

/** A store as useLabStore makes it, over a fake worker; `states` records the state after each dispatch. */
function storeOver(settings: Settings = DEFAULT_SETTINGS, initial: LabState = INITIAL_STATE) {
  const worker = new FakeWorker();
  let state = initial;
  const dispatched: LabAction[] = [];
  const store: LabStore = {
    client: new LabClient(worker),
    dispatch: (action) => {
      dispatched.push(action);
      state = labReducer(state, action);
    },
    state: () => state,
    settings: () => settings,
  };
  return { worker, store, dispatched, state: () => state };
}

describe('dataset actions', () => {
  it('loads the demo with the settings of the moment and shows the dataset once it is decoded', async () => {
    const settings = { ...DEFAULT_SETTINGS, size: 64, channels: 1 as const, demoPerClass: 12, seeds: [7] };
    const { worker, store, state } = storeOver(settings);
    worker.respond = () => dataset('demo-1');
    const loading = datasetActions(store).loadDemo();
    expect(state().loadingData).toBe(true);
    await loading;
    expect(worker.calls('loadDemo')[0].args).toMatchObject({ size: 64, channels: 1, perClass: 12, seed: 7 });
    expect(state().loadingData).toBe(false);
    expect(state().dataset?.identity.fingerprint).toBe('demo-1');
  });

  it('keeps the dataset loaded before when a load is cancelled or fails, and says where the image limit is', async () => {
    const { worker, store, state } = storeOver(DEFAULT_SETTINGS, { ...INITIAL_STATE, dataset: dataset('before') });
    const actions = datasetActions(store);
    worker.respond = () => null; // cancelled: the worker kept its dataset
    await actions.loadPicked({ kind: 'files', name: 'chest_xray', files: [] });
    expect(state()).toMatchObject({ loadingData: false, error: null });
    worker.respond = () => {
      throw new Error('12,000 images at 299 px are too large for memory');
    };
    await actions.loadPicked({ kind: 'files', name: 'chest_xray', files: [] });
    expect(state().loadingData).toBe(false);
    expect(state().dataset?.identity.fingerprint).toBe('before');
    expect(state().error).toMatch(/too large for memory\nTo load a subset, set "Load at most … images"/);
  });
});

describe('training actions', () => {
  const outcome = (o: Partial<QueueOutcome>): QueueOutcome => ({ status: 'done', message: null, failed: [], ...o });

  it('trains a frozen copy of the settings with the given models, then deals the data again and ends the run', async () => {
    const settings = { ...DEFAULT_SETTINGS, seeds: [1, 2], epochs: 3 };
    const { worker, store, state } = storeOver(settings, { ...INITIAL_STATE, dataset: dataset('d') });
    const during: boolean[] = [];
    worker.respond = (call: CallMessage) => {
      during.push(state().running);
      if (call.method === 'train')
        return outcome({ failed: [{ modelId: 'cnn', seed: 2, label: 'Conv2D CNN', error: 'NaN loss' }] });
      return dataset('d2');
    };
    await trainingActions(store).train(['cnn', 'light-k2']);
    const [train] = worker.calls('train');
    expect(train.args.experiment).toMatchObject({ models: ['cnn', 'light-k2'], seeds: [1, 2], epochs: 3 });
    expect(train.args.resume).toBeUndefined();
    expect(worker.calls('splitDataset')[0].args).toMatchObject({ seed: 1 });
    expect(during).toEqual([true, true]);
    expect(state().running).toBe(false);
    expect(state().dataset?.identity.fingerprint).toBe('d2');
    // One run of four failed: the others are said to have finished.
    expect(state().error).toBe(
      'Conv2D CNN (seed 2) failed: NaN loss\nThe other models finished; their results are below. ' +
        'Deselect the failed model or change the setting its message names, then train again.',
    );
  });

  it('ends the run and says why when the worker crashes mid-queue', async () => {
    const { worker, store, state } = storeOver();
    const training = trainingActions(store).train(['cnn']);
    expect(state().running).toBe(true);
    worker.crash('out of memory');
    await training;
    expect(state().running).toBe(false);
    expect(state().error).toMatch(/The training worker stopped \(out of memory\)/);
  });

  it("shows a failed cancel's reason", async () => {
    const { worker, store, state } = storeOver();
    worker.respond = () => {
      throw new Error('no queue is running');
    };
    trainingActions(store).cancel('cnn');
    await settle();
    expect(worker.calls('cancel')[0].args).toEqual({ modelId: 'cnn' });
    expect(state().error).toBe('no queue is running');
  });
});

describe('resume actions', () => {
  const run: InterruptedRun = {
    modelId: 'cnn',
    seed: 1,
    label: 'Conv2D CNN',
    epoch: 2,
    epochs: 5,
    fingerprint: 'f1',
    source: 'chest_xray/train',
    backend: 'wasm',
    bytes: 1000,
    savedAt: '2026-01-01T00:00:00Z',
  };

  it('asks for what is missing instead of training: an idle lab, the experiment, then the same data', async () => {
    const { worker, store, state } = storeOver(DEFAULT_SETTINGS, { ...INITIAL_STATE, running: true });
    await resumeActions(store).resume(run);
    expect(state().error).toMatch(/^Wait for the training run to end/);
    const idle = storeOver();
    await resumeActions(idle.store).resume(run);
    expect(idle.state().error).toMatch(/experiment of this run was not saved/);
    expect([...worker.posted, ...idle.worker.posted]).toEqual([]);
  });

  it('continues the run alone from its checkpoint when the data it trained on is loaded', async () => {
    const context = {
      experiment: { ...defaultExperiment(), models: ['cnn', 'light-k2'], seeds: [1] },
      data: null,
      testImages: null,
      environment: null,
      origin: { kind: 'trained' as const },
    };
    const other = storeOver(DEFAULT_SETTINGS, {
      ...INITIAL_STATE,
      context,
      dataset: dataset('f2'),
      interrupted: [run],
    });
    await resumeActions(other.store).resume(run);
    expect(other.state().error).toBe('To resume Conv2D CNN, load the data it trained on first (chest_xray/train).');
    const { worker, store, state } = storeOver(DEFAULT_SETTINGS, {
      ...INITIAL_STATE,
      context,
      dataset: dataset('f1'),
      interrupted: [run],
    });
    worker.respond = (call) =>
      call.method === 'train' ? { status: 'done', message: null, failed: [] } : dataset('f1');
    await resumeActions(store).resume(run);
    expect(worker.calls('train')[0].args).toEqual({
      experiment: context.experiment,
      resume: [{ modelId: 'cnn', seed: 1 }],
    });
    expect(state()).toMatchObject({ running: false, error: null, interrupted: [] });
    expect(state().queue).toEqual([{ modelId: 'cnn', seed: 1 }]);
  });

  it('forgets a discarded run once the worker has dropped its checkpoint', async () => {
    const other = { ...run, modelId: 'light-k2' };
    const { worker, store, state } = storeOver(DEFAULT_SETTINGS, { ...INITIAL_STATE, interrupted: [run, other] });
    worker.respond = () => null;
    await resumeActions(store).discard(run);
    expect(worker.calls('discardCheckpoint')[0].args).toEqual({ modelId: 'cnn', seed: 1 });
    expect(state().interrupted).toEqual([other]);
  });
});

describe('results actions', () => {
  it('refuses to open an experiment while a dataset loads, and marks downloads', async () => {
    const { store, state } = storeOver(DEFAULT_SETTINGS, { ...INITIAL_STATE, loadingData: true });
    const actions = resultsActions(store);
    await actions.openExperiment(new File(['{}'], 'experiment.json'));
    expect(state().error).toMatch(/before opening an experiment/);
    actions.markDownloaded(['cnn@1']);
    expect(state().downloaded).toEqual({ 'cnn@1': true });
  });

  it('says why a file is no experiment card, and changes nothing else', async () => {
    const { store, state } = storeOver();
    await resultsActions(store).openExperiment(new File(['not json'], 'notes.json'));
    expect(state().error).toMatch(/notes\.json/);
    expect(state().context).toBeNull();
  });
});

describe('unsaved models', () => {
  const result = (modelId: string, seed: number, status: 'ok' | 'failed' = 'ok') =>
    ({ modelId, seed, record: { modelId, seed, status } }) as unknown as ModelResult;
  const trainedHere = {
    ...INITIAL_STATE,
    context: {
      experiment: defaultExperiment(),
      data: null,
      testImages: null,
      environment: null,
      origin: { kind: 'trained' as const },
    },
    results: [result('cnn', 1), result('light-k2', 1, 'failed'), result('cnn', -1)],
  };

  it('counts trained models never downloaded, not failed runs or seed ensembles', () => {
    expect(hasUnsavedModels(trainedHere)).toBe(true);
    expect(hasUnsavedModels({ ...trainedHere, downloaded: { 'cnn@1': true } })).toBe(false);
  });

  it('counts none for results opened from a file', () => {
    const opened = { ...trainedHere.context, origin: { kind: 'file' as const, name: 'a.json', createdAt: '' } };
    expect(hasUnsavedModels({ ...trainedHere, context: opened })).toBe(false);
  });
});

describe('export actions', () => {
  it("sends the worker a copy of a model's weights, moved, and keeps the page's own", async () => {
    const worker = new FakeWorker();
    const exports = exportActions(new LabClient(worker));
    const saved = { modelJson: '{"m":1}', weights: Uint8Array.of(1, 2, 3, 4) };
    worker.respond = (call) => ({
      [`${call.method === 'exportModel' ? call.args.format : ''}.file`]: Uint8Array.of(9),
    });
    const files = await exports.standardFormats(saved);
    expect(Object.keys(files)).toEqual(['stock.file', 'h5.file', 'onnx.file']);
    for (const { message, transfer } of worker.posted) {
      const args = (message as Extract<CallMessage, { method: 'exportModel' }>).args;
      expect(args.modelJson).toBe('{"m":1}');
      expect(transfer).toEqual([args.weights]);
      expect(args.weights).not.toBe(saved.weights.buffer);
      expect([...new Uint8Array(args.weights)]).toEqual([1, 2, 3, 4]);
    }
    expect([...saved.weights]).toEqual([1, 2, 3, 4]);
  });
});

describe('inference actions', () => {
  it('loads a trained run once per set of files, and says when the page has none', async () => {
    const worker = new FakeWorker();
    const inference = inferenceActions(new LabClient(worker));
    worker.respond = (call) => (call.method === 'loadModel' ? { ref: call.args.ref, classNames: ['a', 'b'] } : null);
    storeModelFiles('test-actions@1', { modelJson: '{}', weights: Uint8Array.of(1) });
    const first = await inference.loadTrainedModel('test-actions@1');
    await inference.loadTrainedModel('test-actions@1');
    expect(first.ref).toBe('trained:test-actions@1');
    expect(worker.calls('loadModel')).toHaveLength(1);
    await expect(inference.loadTrainedModel('nothing@1')).rejects.toThrow(/no model files in this page/);
  });

  it("passes on explanations' progress only, until unsubscribed", () => {
    const worker = new FakeWorker();
    const inference = inferenceActions(new LabClient(worker));
    const seen: ExplainProgress[] = [];
    const off = inference.onExplainProgress((p) => seen.push(p));
    worker.emit({ type: 'problem', message: 'not progress' });
    worker.emit({ type: 'explain-progress', ref: 'trained:cnn@1', done: 8, total: 16 });
    off();
    worker.emit({ type: 'explain-progress', ref: 'trained:cnn@1', done: 16, total: 16 });
    expect(seen).toEqual([{ ref: 'trained:cnn@1', done: 8, total: 16 }]);
  });
});
