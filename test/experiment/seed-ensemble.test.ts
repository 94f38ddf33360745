/**
 * The seed ensemble row: with `ensemble`, the loop adds after each model's last seed one record scoring the mean of
 * its seeds' test probabilities. Its figures are recomputed here by hand from the runs' own probabilities; summaries
 * over seeds leave it out; paired tests compare it with the other model's ensemble; the card, results.json and
 * predictions.csv carry it; the bundle gives it no model folder.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { rocAuc } from '../../src/lab/eval/roc';
import {
  makeExperimentCard,
  parseExperimentCard,
  parseExperimentOrResults,
  renderExperimentCard,
} from '../../src/lab/experiment/card';
import { resultsBundle } from '../../src/lab/experiment/results-bundle';
import { runExperiment, type FinishedRun } from '../../src/lab/experiment/run-experiment';
import { defaultExperiment, type Experiment } from '../../src/lab/experiment/schema';
import { ENSEMBLE_SEED } from '../../src/lab/report/ensemble-record';
import { renderSeedSummaryTable } from '../../src/lab/report/seed-summary-table';
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
  ...defaultExperiment(),
  models: ['light-k1', 'light-k2'],
  seeds: [1, 2],
  size: 12,
  channels: 1,
  epochs: 1,
  batchSize: 8,
  learningRate: 0.01,
  bootstrap: 20,
  bnRecalibration: 2,
  backend: 'wasm',
  ensemble: true,
};

/** Accuracy at `threshold` and AUC of P(positive = class 1) from two-class probabilities, computed here. */
function byHand(probabilities: ArrayLike<number>, labels: ArrayLike<number>, threshold: number) {
  const scores = Float32Array.from({ length: labels.length }, (_, i) => probabilities[i * 2 + 1]);
  const positive = Array.from(labels, (l) => (l === 1 ? 1 : 0));
  let right = 0;
  for (let i = 0; i < labels.length; i++) if ((scores[i] >= threshold ? 1 : 0) === positive[i]) right++;
  return { accuracy: right / labels.length, auc: rocAuc(positive, scores) };
}

describe('runExperiment with ensemble', () => {
  let outcome: Awaited<ReturnType<typeof runExperiment>>;
  const finished: FinishedRun[] = [];
  let tensorsBefore = 0;
  let tensorsAfter = 0;

  beforeAll(async () => {
    tensorsBefore = tf.memory().numTensors;
    outcome = await runExperiment(experiment, data, { onRunEnd: (run) => void finished.push(run) });
    tensorsAfter = tf.memory().numTensors;
  }, 300_000);

  it("adds one ensemble record after each model's last seed, without files and leaking no tensor", () => {
    expect(outcome.records.map((r) => [r.modelId, r.seed, r.ensembleOf ?? null])).toEqual([
      ['light-k1', 1, null],
      ['light-k2', 1, null],
      ['light-k1', 2, null],
      ['light-k1', ENSEMBLE_SEED, [1, 2]],
      ['light-k2', 2, null],
      ['light-k2', ENSEMBLE_SEED, [1, 2]],
    ]);
    const ensembles = finished.filter((f) => f.record.ensembleOf);
    expect(ensembles.map((f) => f.key)).toEqual([
      { modelId: 'light-k1', seed: ENSEMBLE_SEED },
      { modelId: 'light-k2', seed: ENSEMBLE_SEED },
    ]);
    for (const f of ensembles) {
      expect(f.files).toBeNull();
      expect(f.record.history).toBeUndefined();
      expect(f.record.status).toBe('ok');
    }
    expect(tensorsAfter).toBe(tensorsBefore);
  });

  it("scores the mean of its seeds' stored probabilities: accuracy, AUC and params as computed by hand", () => {
    for (const modelId of experiment.models) {
      const seeds = finished.filter((f) => f.key.modelId === modelId && !f.record.ensembleOf);
      const ensemble = finished.find((f) => f.key.modelId === modelId && f.record.ensembleOf)!;
      // Every seed scored the same images in the same order.
      expect(Array.from(seeds[1].evaluation!.labels)).toEqual(Array.from(seeds[0].evaluation!.labels));
      const p0 = seeds[0].evaluation!.probabilities;
      const p1 = seeds[1].evaluation!.probabilities;
      const mean = Array.from(p0, (p, i) => (p + p1[i]) / 2);
      const expected = byHand(mean, seeds[0].evaluation!.labels, experiment.threshold);
      expect(ensemble.record.test!.accuracy).toBeCloseTo(expected.accuracy, 10);
      expect(ensemble.record.test!.auc).toBeCloseTo(expected.auc!, 10);
      expect(Array.from(ensemble.evaluation!.probabilities)).toEqual(Array.from(Float32Array.from(mean)));
      // The same intervals as any run: the experiment's resamples.
      expect(ensemble.record.test!.ci!.iterations).toBe(experiment.bootstrap);
      expect(ensemble.record.params).toBe(seeds[0].record.params + seeds[1].record.params);
    }
  });

  it('keeps the ensemble out of the mean ± sd over seeds, and gives it a row of its own', () => {
    expect(outcome.summary.map((m) => [m.modelId, m.seeds, m.okRuns])).toEqual([
      ['light-k1', [1, 2], 2],
      ['light-k2', [1, 2], 2],
    ]);
    const k1 = outcome.records.filter((r) => r.modelId === 'light-k1' && !r.ensembleOf).map((r) => r.test!.accuracy!);
    expect(outcome.summary[0].accuracy!.mean).toBeCloseTo((k1[0] + k1[1]) / 2, 12);
    const table = renderSeedSummaryTable(outcome.records);
    expect(table).toMatch(/^LightLayers k=1 — ensemble of seeds 1, 2\s+1,2\s+ensemble\s+\d\.\d{3}\s/m);
    expect(table).not.toContain('seed -1');
  });

  it('carries it through the card, its paired tests, results.json and predictions.csv, with no model folder', () => {
    const card = makeExperimentCard({
      settings: experiment,
      data: {
        source: 'toy',
        kind: 'demo',
        classNames: ['A', 'B'],
        identity: { filesPerClass: {}, files: 0, fingerprint: '0123456789abcdef', root: '' },
        test: null,
        testSet: 'toy test',
        split: { train: [], val: [], test: [], hash: '' },
      },
      environment: { labVersion: 'x', tfjsVersion: 'x', backend: 'wasm', adapter: '', runtime: 'node', agent: 'test' },
      results: outcome.records,
      testImages: {
        files: Array.from({ length: 16 }, (_, i) => `img-${i}.png`),
        labels: data.test.labels.subarray(0, 16),
      },
      predictions: finished
        .filter((f) => f.evaluation)
        .map((f) => ({ modelId: f.key.modelId, seed: f.key.seed, probabilities: f.evaluation!.probabilities })),
    });
    // The ensembles are compared with each other, and not counted as one more seed in the spread over seeds.
    const ensemblePairs = card.comparisons.filter((c) => c.seed === ENSEMBLE_SEED);
    expect(ensemblePairs.map((c) => [c.a, c.b, c.labelA])).toEqual([
      ['light-k1', 'light-k2', 'LightLayers k=1 — ensemble of seeds 1, 2'],
    ]);
    expect(ensemblePairs[0].auc!.a).toBeCloseTo(outcome.records[3].test!.auc!, 5);
    const reread = parseExperimentCard(renderExperimentCard(card));
    expect(reread.results.filter((r) => r.ensembleOf).map((r) => r.ensembleOf)).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(reread.comparisons).toEqual(card.comparisons);
    expect(reread.summary).toEqual(card.summary);

    const runs = finished.map((f) => ({
      key: f.key,
      record: f.record,
      files: f.files ? { 'model.json': f.files.modelJson } : null,
    }));
    const bundle = resultsBundle(card, runs, []);
    expect([...bundle.keys()].filter((p) => p.startsWith('models/')).sort()).toEqual([
      ...['light-k1', 'light-k2'].flatMap((id) =>
        [1, 2].flatMap((seed) => [`models/${id}/seed-${seed}/model-card.md`, `models/${id}/seed-${seed}/model.json`]),
      ),
    ]);
    const results = parseExperimentOrResults(bundle.get('results.json') as string, 'results.json');
    expect(results.results.filter((r) => r.ensembleOf)).toHaveLength(2);
    expect(results.summary.map((m) => m.seeds)).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(bundle.get('report.md')).toContain('| LightLayers k=1 — ensemble of seeds 1, 2 | 1, 2 | ensemble |');

    const csv = (bundle.get('predictions.csv') as string).trim().split('\n');
    expect(csv[0]).toBe('file,true_class,score_A,score_B,predicted_class,model,seed,ensemble_of');
    const ensembleRows = csv.filter((line) => line.endsWith(',1 2'));
    expect(ensembleRows).toHaveLength(2 * 16);
    expect(ensembleRows[0]).toMatch(/^img-0\.png,[AB],[\d.]+,[\d.]+,[AB],light-k1,,1 2$/);
    expect(csv.filter((line) => /,light-k1,1,$/.test(line))).toHaveLength(16);
  });

  it('with adapt-bn averages the adapted probabilities, and the unadapted ones for its unadapted figures', async () => {
    const runs: FinishedRun[] = [];
    const adapting = { ...experiment, models: ['light-k1'], adaptBn: true };
    await runExperiment(adapting, data, { onRunEnd: (r) => void runs.push(r) });
    const [a, b, ensemble] = runs;
    expect(ensemble.record.ensembleOf).toEqual([1, 2]);
    expect(a.record.adaptation).toBe('bn-test');
    const mean = (x: ArrayLike<number>, y: ArrayLike<number>) => Array.from(x, (p, i) => (p + y[i]) / 2);
    const adapted = mean(a.evaluation!.probabilities, b.evaluation!.probabilities);
    const trained = mean(a.evaluationBeforeAdaptation!.probabilities, b.evaluationBeforeAdaptation!.probabilities);
    expect(adapted).not.toEqual(trained);
    const labels = a.evaluation!.labels;
    expect(ensemble.record.test!.accuracy).toBeCloseTo(byHand(adapted, labels, experiment.threshold).accuracy, 10);
    const unadapted = byHand(trained, labels, experiment.threshold);
    expect(ensemble.record.testBeforeAdaptation!.auc).toBeCloseTo(unadapted.auc!, 10);
    expect(ensemble.record.adaptation).toBe('bn-test');
  }, 300_000);

  it('makes no ensemble without the setting, or with fewer than two finished seeds', async () => {
    const one = { ...experiment, models: ['light-k1'], seeds: [1] };
    const alone = await runExperiment(one, data);
    expect(alone.records.map((r) => r.seed)).toEqual([1]);
    const off = await runExperiment({ ...experiment, models: ['light-k1'], ensemble: false }, data);
    expect(off.records.map((r) => r.seed)).toEqual([1, 2]);
  }, 300_000);
});
