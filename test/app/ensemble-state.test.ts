/**
 * The page's state with seed ensembles: an ensemble is a result, not a run of the queue; training a model again drops
 * its old ensemble (the loop scores a new one) and keeps the other models'; an opened card keeps it out of the queue.
 */
import { describe, expect, it } from 'vitest';
import { INITIAL_STATE, labReducer, type LabAction, type LabState } from '../../src/app/state/lab-state';
import { makeExperimentCard } from '../../src/lab/experiment/card';
import { defaultExperiment, type Experiment } from '../../src/lab/experiment/schema';
import { ENSEMBLE_SEED } from '../../src/lab/report/ensemble-record';
import { makeResultRecord } from '../../src/lab/report/result-record';
import type { CardData, DatasetInfo, ModelResult } from '../../src/worker/protocol';
import { evaluationFrom, summary } from '../report/fixtures';

const experiment: Experiment = { ...defaultExperiment(), models: ['cnn', 'light-k2'], seeds: [1, 2], ensemble: true };
const data: CardData = {
  source: 'demo',
  kind: 'demo',
  classNames: ['NORMAL', 'PNEUMONIA'],
  identity: { files: 4, filesPerClass: { NORMAL: 2, PNEUMONIA: 2 }, fingerprint: 'aaaaaaaaaaaaaaaa', root: '' },
  test: null,
  testSet: 'a patient-level 20%',
  split: { train: [], val: [], test: ['x', 'y'], hash: 'h' },
};
const environment = {
  labVersion: '0',
  tfjsVersion: '4',
  backend: 'wasm',
  adapter: '',
  runtime: 'browser' as const,
  agent: 'test',
};

const result = (modelId: string, seed: number): ModelResult => {
  const record = makeResultRecord(
    summary({ modelId, seed }),
    evaluationFrom(
      [
        [1, 0],
        [0, 1],
      ],
      1,
      0.1,
    ),
  );
  return {
    modelId,
    seed,
    record: seed === ENSEMBLE_SEED ? { ...record, ensembleOf: [1, 2] } : record,
    classNames: ['NORMAL', 'PNEUMONIA'],
    positiveClass: 1,
    probabilities: Float32Array.of(0.9, 0.1, 0.2, 0.8),
    labels: Int32Array.of(0, 1),
    roc: [],
  };
};
const apply = (state: LabState, ...actions: LabAction[]) => actions.reduce(labReducer, state);
const event = (e: Extract<LabAction, { type: 'event' }>['event']): LabAction => ({ type: 'event', event: e });

/** A finished run of `exp`, each model's ensemble posted after its last seed as the worker does. */
function trained(state: LabState, exp: Experiment): LabState {
  const keys = [
    ...exp.seeds.flatMap((seed) => exp.models.map((modelId) => ({ modelId, seed }))),
    ...exp.models.map((modelId) => ({ modelId, seed: ENSEMBLE_SEED })),
  ];
  return apply(
    state,
    { type: 'run-start', experiment: exp },
    event({ type: 'run-data', data, testImages: { files: ['x', 'y'], labels: [0, 1] }, environment }),
    ...keys.map((k) => event({ type: 'model-result', result: result(k.modelId, k.seed), files: null })),
    { type: 'run-end' },
  );
}

describe('lab state with seed ensembles', () => {
  const base = apply(INITIAL_STATE, { type: 'dataset', dataset: { identity: data.identity } as DatasetInfo });
  const ids = (s: LabState) => s.results.map((r) => `${r.modelId}@${r.seed}`).sort();

  it('keeps each ensemble as a result, not a run of the queue', () => {
    const s = trained(base, experiment);
    expect(ids(s)).toEqual(['cnn@-1', 'cnn@1', 'cnn@2', 'light-k2@-1', 'light-k2@1', 'light-k2@2']);
    expect(s.queue.map((k) => `${k.modelId}@${k.seed}`)).toEqual(['cnn@1', 'light-k2@1', 'cnn@2', 'light-k2@2']);
  });

  it("drops a model's old ensemble when that model trains again, and keeps the others'", () => {
    const again: Experiment = { ...experiment, models: ['cnn'], seeds: [1] };
    const s = apply(trained(base, experiment), { type: 'run-start', experiment: again });
    expect(ids(s)).toEqual(['cnn@2', 'light-k2@-1', 'light-k2@1', 'light-k2@2']);
  });

  it('opens a card with ensembles: results shown, queue of trained runs only', () => {
    const s = trained(base, experiment);
    const card = makeExperimentCard({
      settings: experiment,
      data,
      environment,
      results: s.results.map((r) => r.record),
      testImages: { files: ['x', 'y'], labels: [0, 1] },
      predictions: s.results.map((r) => ({ modelId: r.modelId, seed: r.seed, probabilities: r.probabilities })),
    });
    const opened = apply(INITIAL_STATE, { type: 'open-card', card, name: 'experiment.json' });
    expect(ids(opened)).toEqual(ids(s));
    expect(opened.queue.every((k) => k.seed !== ENSEMBLE_SEED)).toBe(true);
    expect(opened.queue).toHaveLength(4);
  });
});
