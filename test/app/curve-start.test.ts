import { describe, expect, it } from 'vitest';
import { INITIAL_STATE, labReducer } from '../../src/app/state/lab-state';
import { makeExperimentCard } from '../../src/lab/experiment/card';
import { defaultExperiment } from '../../src/lab/experiment/schema';
import { makeResultRecord, type ResultRecord } from '../../src/lab/report/result-record';
import type { CardData } from '../../src/worker/protocol';
import { evaluationFrom, summary } from '../report/fixtures';

const data: CardData = {
  source: 'demo',
  kind: 'demo',
  classNames: ['NORMAL', 'PNEUMONIA'],
  identity: { files: 4, filesPerClass: { NORMAL: 2, PNEUMONIA: 2 }, fingerprint: 'aaaaaaaaaaaaaaaa', root: '' },
  test: null,
  testSet: 'a patient-level 20%',
  split: { train: [], val: [], test: ['x', 'y'], hash: 'h' },
};
const history = [{ epoch: 1, loss: 0.5, accuracy: 0.8, valLoss: 0.15, valAccuracy: 0.9, imagesPerSec: 10 }];

function opened(record: ResultRecord) {
  const card = makeExperimentCard({
    settings: { ...defaultExperiment(), models: ['cnn'], seeds: [1] },
    data,
    environment: { labVersion: '0', tfjsVersion: '4', backend: 'wasm', adapter: '', runtime: 'browser', agent: 'test' },
    results: [record],
    testImages: { files: ['x', 'y'], labels: [0, 1] },
    predictions: [{ modelId: 'cnn', seed: 1, probabilities: [0.9, 0.1, 0.3, 0.7] }],
  });
  return labReducer(INITIAL_STATE, { type: 'open-card', card, name: 'experiment.json' }).runs['cnn@1'];
}

describe('a restored or opened run', () => {
  const base = makeResultRecord(
    summary({ modelId: 'cnn', seed: 1, history }),
    evaluationFrom(
      [
        [1, 0],
        [0, 1],
      ],
      1,
      0.1,
    ),
  );

  it('starts its curves at epoch 0 as the live page drew them', () => {
    const run = opened({ ...base, curveStart: { loss: 0.69, accuracy: 0.5, valLoss: 0.7, valAccuracy: 0.45 } });
    expect(run.start).toEqual({ loss: 0.69, accuracy: 0.5 });
    expect(run.startVal).toEqual({ loss: 0.7, accuracy: 0.45 });
    expect(run.history.map((h) => h.valLoss)).toEqual([0.15]);
  });

  it('leaves epoch 0 empty when the record never had it (a CLI run)', () => {
    const run = opened(base);
    expect(run.start).toBeNull();
    expect(run.startVal).toBeNull();
  });
});
