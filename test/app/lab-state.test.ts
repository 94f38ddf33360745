import { describe, expect, it } from 'vitest';
import { INITIAL_STATE, labReducer, type LabAction, type LabState } from '../../src/app/state/lab-state';
import { currentRun, modelPhase } from '../../src/app/lib/model-progress';
import { autosaveShare } from '../../src/app/components/ProgressRow';
import { makeExperimentCard } from '../../src/lab/experiment/card';
import { defaultExperiment, type Experiment } from '../../src/lab/experiment/schema';
import type { CardData, DatasetInfo, ModelResult } from '../../src/worker/protocol';
import { evaluationFrom, summary } from '../report/fixtures';
import { makeResultRecord } from '../../src/lab/report/result-record';

const experiment: Experiment = { ...defaultExperiment(), models: ['cnn', 'light-k2'], seeds: [1, 2] };
const data: CardData = {
  source: 'demo',
  kind: 'demo',
  classNames: ['NORMAL', 'PNEUMONIA'],
  identity: { files: 4, filesPerClass: { NORMAL: 2, PNEUMONIA: 2 }, fingerprint: 'aaaaaaaaaaaaaaaa', root: '' },
  test: null,
  testSet: 'a patient-level 20%',
  split: { train: [], val: [], test: ['x', 'y'], hash: 'h' },
};
const dataset = { identity: data.identity } as DatasetInfo;
const result = (modelId: string, seed: number): ModelResult => ({
  modelId,
  seed,
  record: makeResultRecord(
    summary({ modelId, seed }),
    evaluationFrom(
      [
        [1, 0],
        [0, 1],
      ],
      1,
      0.1,
    ),
  ),
  classNames: ['NORMAL', 'PNEUMONIA'],
  positiveClass: 1,
  probabilities: Float32Array.of(0.9, 0.1, 0.2, 0.8),
  labels: Int32Array.of(0, 1),
  roc: [],
});
const apply = (state: LabState, ...actions: LabAction[]) => actions.reduce(labReducer, state);
const event = (e: Extract<LabAction, { type: 'event' }>['event']): LabAction => ({ type: 'event', event: e });

/** A finished run of `experiment` on the data above. */
function trained(state: LabState, exp: Experiment): LabState {
  const keys = exp.seeds.flatMap((seed) => exp.models.map((modelId) => ({ modelId, seed })));
  return apply(
    state,
    { type: 'run-start', experiment: exp },
    event({
      type: 'run-data',
      data,
      testImages: { files: ['x', 'y'], labels: [0, 1] },
      environment: {
        labVersion: '0',
        tfjsVersion: '4',
        backend: 'wasm',
        adapter: '',
        runtime: 'browser',
        agent: 'test',
      },
    }),
    ...keys.map((k) => event({ type: 'model-result', result: result(k.modelId, k.seed), files: null })),
    ...keys.map((k) => event({ type: 'model-phase', ...k, phase: 'done', message: null })),
    { type: 'run-end' },
  );
}

describe('lab state', () => {
  const base = apply(INITIAL_STATE, { type: 'dataset', dataset });

  it('plans every model × seed, seed by seed, and tracks each run on its own', () => {
    const s = apply(
      base,
      { type: 'run-start', experiment },
      event({
        type: 'epoch-end',
        modelId: 'cnn',
        seed: 2,
        log: { epoch: 1, loss: 0.5, accuracy: 0.8, valLoss: 0.6, valAccuracy: 0.7, imagesPerSec: 10, ms: 5 },
      }),
      event({ type: 'baseline', modelId: 'cnn', seed: 1, valLoss: 0.69, valAccuracy: 0.5 }),
    );
    expect(s.queue.map((k) => `${k.modelId}@${k.seed}`)).toEqual(['cnn@1', 'light-k2@1', 'cnn@2', 'light-k2@2']);
    expect(s.runs['cnn@2'].history).toHaveLength(1);
    expect(s.runs['cnn@1'].history).toHaveLength(0);
    expect(s.runs['cnn@1'].startVal).toEqual({ loss: 0.69, accuracy: 0.5 });
    expect(s.running).toBe(true);
    expect(s.context).toMatchObject({ experiment, data: null, origin: { kind: 'trained' } });
  });

  it("keeps the run's data with its results, so a dataset loaded later cannot relabel them", () => {
    const s = trained(base, experiment);
    expect(s.results).toHaveLength(4);
    expect(s.context!.data).toEqual(data);
    const other = apply(s, {
      type: 'dataset',
      dataset: { identity: { ...data.identity, fingerprint: 'bbbbbbbbbbbbbbbb' } } as DatasetInfo,
    });
    expect(other.context!.data).toEqual(data);
    expect(other.results).toHaveLength(4);
  });

  it("adds another model's runs to the table when settings and data are the same, and starts afresh otherwise", () => {
    const s = trained(base, experiment);
    const more = trained(s, { ...experiment, models: ['light-k1'] });
    expect(more.results.map((r) => `${r.modelId}@${r.seed}`).sort()).toEqual([
      'cnn@1',
      'cnn@2',
      'light-k1@1',
      'light-k1@2',
      'light-k2@1',
      'light-k2@2',
    ]);
    expect(more.context!.experiment.models).toEqual(['cnn', 'light-k2', 'light-k1']);
    const retrained = trained(s, { ...experiment, models: ['cnn'] });
    expect(retrained.results.filter((r) => r.modelId === 'cnn')).toHaveLength(2);
    const changed = trained(s, { ...experiment, models: ['light-k1'], epochs: 9 });
    expect(changed.results.map((r) => r.modelId)).toEqual(['light-k1', 'light-k1']);
    expect(changed.context!.experiment.epochs).toBe(9);
  });

  it("keeps what each epoch's checkpoint cost, merging the hold-up with the write that follows it", () => {
    const cost = (epoch: number, ms: number, epochMs: number, writeMs: number | null): LabAction =>
      event({ type: 'autosave-cost', modelId: 'cnn', seed: 1, epoch, ms, epochMs, bytes: ms > 0 ? 4000 : 0, writeMs });
    const s = apply(
      base,
      { type: 'run-start', experiment },
      cost(1, 12, 1000, null),
      cost(1, 0, 1000, 30),
      cost(2, 8, 1000, null),
      cost(3, 10, 2000, null),
      cost(2, 0, 1000, 25),
    );
    expect(s.runs['cnn@1'].autosave).toEqual([
      { epoch: 1, ms: 12, epochMs: 1000, bytes: 4000, writeMs: 30 },
      { epoch: 2, ms: 8, epochMs: 1000, bytes: 4000, writeMs: 25 },
      { epoch: 3, ms: 10, epochMs: 2000, bytes: 4000, writeMs: null },
    ]);
    // The row shows the median hold-up against the median epoch.
    expect(autosaveShare(s.runs['cnn@1'])).toEqual({ ms: 10, share: 0.01, bytes: 4000 });
    expect(autosaveShare(s.runs['light-k2@1'])).toBeNull();
  });

  it('reports autosave figures of the backend a run moved to after a fallback, not the failed one', () => {
    const cost = (epoch: number, ms: number, epochMs: number): LabAction =>
      event({ type: 'autosave-cost', modelId: 'cnn', seed: 1, epoch, ms, epochMs, bytes: 4000, writeMs: null });
    const fallback: LabAction = event({
      type: 'resumed',
      modelId: 'cnn',
      seed: 1,
      epoch: 2,
      backend: 'wasm',
      kind: 'fallback',
      message: 'webgl lost; wasm from epoch 2',
    });
    const s = apply(
      base,
      { type: 'run-start', experiment },
      cost(1, 40, 100),
      cost(2, 40, 100),
      fallback,
      cost(3, 5, 1000),
    );
    expect(s.runs['cnn@1'].autosave.map((a) => a.epoch)).toEqual([3]);
    expect(autosaveShare(s.runs['cnn@1'])).toEqual({ ms: 5, share: 0.005, bytes: 4000 });
    expect(s.recovery).toBe('webgl lost; wasm from epoch 2');
  });

  it('drops a checkpoint write that finishes after a new experiment started', () => {
    const cost = (epoch: number, ms: number, writeMs: number | null): LabAction =>
      event({
        type: 'autosave-cost',
        modelId: 'cnn',
        seed: 1,
        epoch,
        ms,
        epochMs: 1000,
        bytes: ms > 0 ? 4000 : 0,
        writeMs,
      });
    // Epoch 3's checkpoint of the first experiment is still being written when the second one starts.
    const s = apply(
      base,
      { type: 'run-start', experiment },
      cost(3, 12, null),
      { type: 'run-start', experiment: { ...experiment, epochs: 9 } },
      cost(3, 0, 40),
      cost(1, 9, null),
    );
    expect(s.runs['cnn@1'].autosave).toEqual([{ epoch: 1, ms: 9, epochMs: 1000, bytes: 4000, writeMs: null }]);
  });

  it('leaves no run looking busy when the run ends early', () => {
    const s = apply(
      base,
      { type: 'run-start', experiment },
      event({ type: 'model-phase', modelId: 'cnn', seed: 1, phase: 'training', message: null }),
      { type: 'run-end' },
    );
    expect(Object.values(s.runs).map((r) => r.phase)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
  });

  it('opens an experiment card in place of the results on the page', () => {
    const s = trained(base, experiment);
    const card = makeExperimentCard({
      settings: { ...experiment, models: ['light-k1'], seeds: [7] },
      data,
      environment: s.context!.environment!,
      results: [result('light-k1', 7).record],
      testImages: { files: ['x', 'y'], labels: [0, 1] },
      predictions: [{ modelId: 'light-k1', seed: 7, probabilities: [0.9, 0.1, 0.3, 0.7] }],
    });
    const opened = apply(s, { type: 'open-card', card, name: 'experiment.json' });
    expect(opened.results.map((r) => [r.modelId, r.seed, Array.from(r.probabilities)])).toEqual([
      ['light-k1', 7, [0.9, 0.1, 0.3, 0.7].map(Math.fround)],
    ]);
    expect(opened.results[0].roc.length).toBeGreaterThan(0);
    expect(opened.context!.origin).toEqual({
      kind: 'file',
      name: 'experiment.json',
      createdAt: card.createdAt,
      stored: false,
    });
    expect(opened.runs['light-k1@7'].phase).toBe('done');
    expect(opened.dataset).toBe(s.dataset);
    // An opened card is not the worker's saved project: a run after it starts a table of its own.
    const after = apply(opened, {
      type: 'run-start',
      experiment: card.settings,
      only: [{ modelId: 'light-k2', seed: 7 }],
    });
    expect(after.results).toEqual([]);
  });

  it("adds a resumed run to an opened project's table, as to results trained here", () => {
    const settings = { ...experiment, models: ['light-k1', 'light-k2'], seeds: [7] };
    const card = makeExperimentCard({
      settings,
      data,
      environment: {
        labVersion: '0',
        tfjsVersion: '4',
        backend: 'wasm',
        adapter: '',
        runtime: 'browser',
        agent: 'test',
      },
      results: [result('light-k1', 7).record],
      testImages: { files: ['x', 'y'], labels: [0, 1] },
      predictions: [{ modelId: 'light-k1', seed: 7, probabilities: [0.9, 0.1, 0.3, 0.7] }],
    });
    const opened = apply(base, { type: 'open-card', card, name: 'xray-lab-project.zip', stored: true });
    const resumed = apply(opened, {
      type: 'run-start',
      experiment: settings,
      only: [{ modelId: 'light-k2', seed: 7 }],
    });
    expect(resumed.results.map((r) => `${r.modelId}@${r.seed}`)).toEqual(['light-k1@7']);
    expect(resumed.queue.map((k) => `${k.modelId}@${k.seed}`)).toEqual(['light-k1@7', 'light-k2@7']);
    expect(resumed.context!.data).toEqual(data);
  });
});

describe('one progress row per model', () => {
  const run = (seed: number, phase: LabState['runs'][string]['phase']) => ({
    ...INITIAL_STATE.runs[''],
    modelId: 'cnn',
    seed,
    phase,
    message: null,
    progress: null,
    history: [],
    start: null,
    startVal: null,
    features: null,
    cachedSplits: [],
  });
  it('shows the active seed, queued between seeds, done only when every seed is', () => {
    expect(modelPhase([run(1, 'done'), run(2, 'training')])).toBe('training');
    expect(currentRun([run(1, 'done'), run(2, 'training')]).seed).toBe(2);
    expect(modelPhase([run(1, 'done'), run(2, 'queued')])).toBe('queued');
    expect(modelPhase([run(1, 'done'), run(2, 'done')])).toBe('done');
    expect(modelPhase([run(1, 'done'), run(2, 'failed')])).toBe('failed');
    expect(currentRun([run(1, 'queued'), run(2, 'queued')]).seed).toBe(1);
  });
});
