/**
 * --adapt-bn in the run loop: a run scores the model as trained and after test-time BatchNorm adaptation,
 * records both, leaves the saved model with its trained statistics, and leaks no tensor.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { predictSet } from '../../src/lab/eval/predict-set';
import type { RunConfig } from '../../src/lab/experiment/run-config';
import { runExperiment } from '../../src/lab/experiment/run-experiment';
import { runModel } from '../../src/lab/experiment/run-model';
import { defaultExperiment } from '../../src/lab/experiment/schema';
import { shiftImageSet } from '../../src/lab/shift/image-shifts';
import { testRunConfig } from '../helpers/run-config';
import { useCpuBackend } from '../helpers/tf-cpu';
import { makeToyImageSet } from '../helpers/toy-images';

beforeAll(useCpuBackend);

const train = makeToyImageSet(32, 12, 1, 1);
// The test images darker than training's: a whole-set shift that BatchNorm adaptation sees.
const test = shiftImageSet(makeToyImageSet(24, 12, 1, 3), { kind: 'gamma', gamma: 1.6 });
const data = { train, val: makeToyImageSet(8, 12, 1, 2), test };
const settings: RunConfig = testRunConfig({
  size: 12,
  channels: 1,
  epochs: 2,
  batchSize: 8,
  learningRate: 1e-2,
  bootstrapIterations: 20,
  batchNormRecalibrationBatches: 2,
});

describe('a run with --adapt-bn', () => {
  it('records the test set as trained and adapted, restores the trained statistics and leaks no tensor', async () => {
    const start = tf.memory().numTensors;
    const run = await runModel('light-k2', data, { ...settings, adaptBn: true });
    const r = run.record;
    expect(r.status).toBe('ok');
    expect(r.adaptation).toBe('bn-test');
    expect(r.adaptationReport).toMatchObject({ status: 'adapted', reason: null, images: 24, batches: 3 });
    expect(r.adaptationReport!.layers).toBeGreaterThan(0);
    expect(r.testBeforeAdaptation!.count).toBe(24);
    expect(r.testBeforeAdaptation!.ci).not.toBeNull();
    expect(r.test!.calibration!.bins).toHaveLength(10);
    expect(r.testBeforeAdaptation!.calibration!.bins).toHaveLength(10);
    expect(r.prior!.trainingPrevalence).toBeCloseTo(0.5, 12);
    expect(r.prior!.estimatedPrevalenceBeforeAdaptation).not.toBeNull();

    // Adaptation changed the posteriors; the model handed back predicts exactly as before adaptation.
    const before = run.evaluationBeforeAdaptation!;
    const after = run.evaluation!;
    expect(Array.from(after.probabilities)).not.toEqual(Array.from(before.probabilities));
    const again = await predictSet(run.model!, test, { range: '0,1' });
    for (let i = 0; i < again.probabilities.length; i++)
      expect(again.probabilities[i]).toBeCloseTo(before.probabilities[i], 5);
    run.model!.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('scores unadapted, and says why, on fewer test images than one batch', async () => {
    const start = tf.memory().numTensors;
    const few = { ...data, test: makeToyImageSet(6, 12, 1, 4) };
    const run = await runModel('light-k1', few, { ...settings, epochs: 1, adaptBn: true });
    expect(run.record.adaptation).toBe('none');
    expect(run.record.adaptationReport!.reason).toMatch(/6 image\(s\) are fewer than one batch of 8/);
    expect(run.record.testBeforeAdaptation).toEqual(run.record.test);
    run.model!.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('adds no adaptation fields when off, but still records calibration and the prevalence estimate', async () => {
    const run = await runModel('light-k1', data, { ...settings, epochs: 1 });
    expect(run.record.adaptation).toBeUndefined();
    expect(run.record.testBeforeAdaptation).toBeUndefined();
    expect(run.evaluationBeforeAdaptation ?? null).toBeNull();
    expect(run.record.test!.calibration!.ece).toBeGreaterThanOrEqual(0);
    expect(run.record.prior!.estimatedPrevalence).toBeGreaterThan(0);
    run.model!.dispose();
  });

  it("hands both evaluations to the loop's hooks and both metric sets to the summary", async () => {
    const experiment = {
      ...defaultExperiment({ recipe: 'study' }),
      models: ['light-k1'],
      size: 12,
      channels: 1 as const,
      epochs: 1,
      batchSize: 8,
      seeds: [1, 2],
      bootstrap: 0,
      adaptBn: true,
    };
    const seen: boolean[] = [];
    const outcome = await runExperiment(experiment, data, {
      onRunEnd: (run) => {
        seen.push(run.evaluationBeforeAdaptation != null);
      },
    });
    expect(seen).toEqual([true, true]);
    expect(outcome.records.map((r) => r.adaptation)).toEqual(['bn-test', 'bn-test']);
    expect(outcome.summary[0].adaptedRuns).toBe(2);
    expect(outcome.summary[0].beforeAdaptation!.accuracy!.n).toBe(2);
  });
});
