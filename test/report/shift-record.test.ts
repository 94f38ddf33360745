import { describe, expect, it } from 'vitest';
import { evaluatePredictions, type EvaluationResult } from '../../src/lab/eval/evaluate';
import { comparisonColumns, renderComparisonTable } from '../../src/lab/report/comparison-table';
import { parseResultsJson, renderResultsJson } from '../../src/lab/report/render-json';
import { renderMarkdownReport } from '../../src/lab/report/render-markdown';
import { makeResultRecord } from '../../src/lab/report/result-record';
import { shiftRecordFields } from '../../src/lab/report/shift-record';
import { summariseRecords } from '../../src/lab/report/summary';
import {
  skippedAdaptation,
  TRANSFER_ADAPTATION_REASON,
  type BatchNormAdaptation,
} from '../../src/lab/shift/adapt-batchnorm';
import { CLASS_NAMES, lightK4, summary } from './fixtures';
import { gaussianScores, posteriors } from '../shift/synthetic-scores';

/** An evaluation of exact posteriors for prior `prior` on scores drawn at `prevalence`. */
function scored(count: number, prevalence: number, prior: number, seed: number): EvaluationResult {
  const { x, labels } = gaussianScores(count, prevalence, seed);
  const probabilities = Float32Array.from(posteriors(x, prior));
  const losses = Array.from(labels, (label, i) => -Math.log(Math.max(probabilities[2 * i + label], 1e-12)));
  return evaluatePredictions({ probabilities, losses, labels, classNames: CLASS_NAMES }, { positiveClass: 1 });
}

const adapted: BatchNormAdaptation = {
  status: 'adapted',
  reason: null,
  notes: [],
  layers: 9,
  images: 400,
  batches: 13,
};
const TRAINING = [0.26, 0.74];

describe('the dataset-shift fields of a record', () => {
  // Trained for 74 % positives, scored on 25 %: the posteriors over-call the positive class.
  const before = scored(400, 0.25, 0.74, 5);
  // "After" stands for a model whose posteriors fit the set: exact posteriors for the true 25 %.
  const after = scored(400, 0.25, 0.25, 5);

  it('keeps both metric sets when adaptation ran, with what it did, and calibration of each', () => {
    const fields = shiftRecordFields({ before, after, adaptation: adapted, trainingPriors: TRAINING });
    const record = makeResultRecord(summary({ modelId: 'light-k4', seed: 1 }), after, null, fields);
    expect(record.adaptation).toBe('bn-test');
    expect(record.adaptationReport).toEqual({ ...adapted, notes: [] });
    expect(record.test!.accuracy).toBeCloseTo(after.binary.accuracy!, 12);
    expect(record.testBeforeAdaptation!.accuracy).toBeCloseTo(before.binary.accuracy!, 12);
    expect(record.testBeforeAdaptation!.specificity!).toBeLessThan(record.test!.specificity!);
    // Exact posteriors for the set's own prior are calibrated; those for 74 % are not.
    expect(record.test!.calibration!.ece!).toBeLessThan(0.08);
    expect(record.testBeforeAdaptation!.calibration!.ece!).toBeGreaterThan(0.15);
    expect(record.test!.calibration!.bins).toHaveLength(10);
    expect(record.test!.calibration!.bins.reduce((n, b) => n + b.count, 0)).toBe(400);
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });

  it('estimates the test prevalence from the unlabelled posteriors, before and after, with the corrected threshold', () => {
    const { prior } = shiftRecordFields({ before, after: before, adaptation: null, trainingPriors: TRAINING });
    expect(prior!.trainingPrevalence).toBeCloseTo(0.74, 12);
    expect(prior!.estimatedPrevalence!).toBeGreaterThan(0.17);
    expect(prior!.estimatedPrevalence!).toBeLessThan(0.33);
    expect(prior!.estimatedPrevalenceBeforeAdaptation).toBe(prior!.estimatedPrevalence);
    expect(prior!.converged).toBe(true);
    // Fewer positives than trained for: the corrected threshold is higher and clears more negatives.
    expect(prior!.correctedThreshold!).toBeGreaterThan(0.8);
    expect(prior!.correctedSpecificity!).toBeGreaterThan(before.binary.specificity!);
    expect(prior!.correctedAccuracy!).toBeGreaterThan(before.binary.accuracy!);
    const both = shiftRecordFields({ before, after, adaptation: adapted, trainingPriors: TRAINING }).prior!;
    expect(both.estimatedPrevalenceBeforeAdaptation).toBeCloseTo(prior!.estimatedPrevalence!, 12);
    expect(both.estimatedPrevalence).not.toBeCloseTo(prior!.estimatedPrevalence!, 3);
  });

  it('records a skipped adaptation with its reason, and the unadapted figures in both places', () => {
    const fields = shiftRecordFields({
      before,
      after: before,
      adaptation: skippedAdaptation(TRANSFER_ADAPTATION_REASON),
      trainingPriors: null,
    });
    expect(fields.adaptation).toBe('none');
    expect(fields.adaptationReport!.reason).toBe(TRANSFER_ADAPTATION_REASON);
    expect(fields.testBeforeAdaptation!.accuracy).toBe(before.binary.accuracy);
    expect(fields.prior).toBeUndefined();
  });

  it('adds nothing without adaptation and without priors, and survives evaluations without probabilities', () => {
    expect(shiftRecordFields({ before, after: before, adaptation: null, trainingPriors: null })).toEqual({});
    expect(lightK4.test!.calibration).toBeUndefined(); // a hand-made evaluation keeps no probabilities
    const fixture = makeResultRecord(summary({}), null);
    expect(fixture.prior).toBeUndefined();
  });
});

describe('reports with adaptation', () => {
  const runs = [1, 2].map((seed) => {
    const before = scored(300, 0.25, 0.74, seed);
    const after = scored(300, 0.25, 0.25, seed);
    return makeResultRecord(
      summary({ modelId: 'light-k4', label: 'LightLayers k=4', seed }),
      after,
      null,
      shiftRecordFields({ before, after, adaptation: adapted, trainingPriors: TRAINING }),
    );
  });
  const plain = makeResultRecord(summary({ modelId: 'cnn', label: 'CNN', seed: 1 }), scored(300, 0.25, 0.74, 9));

  it('summarise both metric sets over seeds, calibration and the estimated prevalence', () => {
    const [k4, cnn] = summariseRecords([...runs, plain]);
    expect(k4.adaptedRuns).toBe(2);
    expect(k4.beforeAdaptation!.accuracy!.n).toBe(2);
    expect(k4.beforeAdaptation!.accuracy!.mean).toBeCloseTo(
      (runs[0].testBeforeAdaptation!.accuracy! + runs[1].testBeforeAdaptation!.accuracy!) / 2,
      12,
    );
    expect(k4.accuracy!.mean).toBeGreaterThan(k4.beforeAdaptation!.accuracy!.mean);
    expect(k4.ece!.n).toBe(2);
    expect(k4.estimatedPrevalence!.mean).toBeLessThan(0.4);
    expect(cnn.beforeAdaptation).toBeUndefined();
    expect(cnn.ece!.n).toBe(1);
    expect(cnn.estimatedPrevalence).toBeUndefined();
  });

  it('write both sets into results.json and read them back', () => {
    const file = parseResultsJson(renderResultsJson(runs, {}, { adaptBn: true }));
    expect(file.results[0].testBeforeAdaptation!.accuracy).toBeCloseTo(runs[0].testBeforeAdaptation!.accuracy!, 12);
    expect(file.results[0].adaptation).toBe('bn-test');
    expect(file.summary[0].beforeAdaptation!.specificity!.n).toBe(2);
  });

  it('show the unadapted figures next to the adapted ones in the table and the Markdown report', () => {
    expect(comparisonColumns(runs).map((c) => c.header)).toEqual(
      expect.arrayContaining(['Acc. unadapted', 'Spec. unadapted']),
    );
    expect(comparisonColumns([plain]).map((c) => c.header)).not.toContain('Acc. unadapted');
    const table = renderComparisonTable(runs);
    expect(table).toContain(runs[0].testBeforeAdaptation!.accuracy!.toFixed(3));
    const md = renderMarkdownReport([...runs, plain], {}, { generatedAt: new Date(0) });
    const section = md.slice(
      md.indexOf('## Test-time BatchNorm adaptation'),
      md.indexOf('## Calibration and class prior'),
    );
    expect(section).toContain(
      `| LightLayers k=4 | 1 | bn-test | ${runs[0].testBeforeAdaptation!.accuracy!.toFixed(3)} → ${runs[0].test!.accuracy!.toFixed(3)} |`,
    );
    expect(section).not.toContain('| CNN |');
    expect(section).toMatch(/\| LightLayers k=4 \| 2 \| 2 \| \d\.\d{3} ± \d\.\d{3} → \d\.\d{3} ± \d\.\d{3} \|/);
    const calibration = md.slice(md.indexOf('## Calibration and class prior'));
    expect(calibration).toContain(`| CNN | 1 | ${plain.test!.calibration!.ece!.toFixed(3)} |`);
    expect(calibration).toContain('| PNEUMONIA share trained for |');
    expect(renderMarkdownReport([lightK4], {}, { generatedAt: new Date(0) })).not.toContain(
      '## Test-time BatchNorm adaptation',
    );
  });
});
