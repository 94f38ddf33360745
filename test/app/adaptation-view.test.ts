import { describe, expect, it } from 'vitest';
import { hasUnadaptedFigures, unadaptedView, viewMetrics } from '../../src/app/lib/adaptation-view';
import { metricsAt } from '../../src/app/lib/threshold-metrics';
import { evaluatePredictions } from '../../src/lab/eval/evaluate';
import { makeResultRecord } from '../../src/lab/report/result-record';
import { shiftRecordFields } from '../../src/lab/report/shift-record';
import type { ModelResult } from '../../src/worker/protocol';
import { summary } from '../report/fixtures';

const CLASSES = ['NORMAL', 'PNEUMONIA'];
const labels = Int32Array.of(0, 0, 0, 1, 1, 1);
// As trained: every NORMAL image called PNEUMONIA at 0.5. Adapted: all right.
const beforeP = Float32Array.of(0.3, 0.7, 0.4, 0.6, 0.45, 0.55, 0.1, 0.9, 0.2, 0.8, 0.3, 0.7);
const afterP = Float32Array.of(0.8, 0.2, 0.7, 0.3, 0.6, 0.4, 0.1, 0.9, 0.2, 0.8, 0.3, 0.7);
const evaluation = (p: Float32Array) =>
  evaluatePredictions(
    { probabilities: p, losses: new Float64Array(6), labels, classNames: CLASSES },
    { positiveClass: 1 },
  );
const before = evaluation(beforeP);
const after = evaluation(afterP);
const adaptation = { status: 'adapted' as const, reason: null, notes: [], layers: 3, images: 6, batches: 1 };
const record = makeResultRecord(
  summary({ modelId: 'light-k2' }),
  after,
  null,
  shiftRecordFields({ before, after, adaptation, trainingPriors: [0.5, 0.5] }),
);
const trainedHere: ModelResult = {
  modelId: 'light-k2',
  seed: 1,
  record,
  probabilities: afterP,
  labels,
  classNames: CLASSES,
  positiveClass: 1,
  roc: after.roc,
  probabilitiesBeforeAdaptation: beforeP,
};

describe('the comparison before test-time adaptation (page)', () => {
  it('swaps in the unadapted record, probabilities and ROC of a run trained here, so the slider still works', () => {
    expect(hasUnadaptedFigures([trainedHere])).toBe(true);
    const view = unadaptedView(trainedHere);
    expect(view.record.test).toEqual(record.testBeforeAdaptation);
    expect(view.probabilities).toBe(beforeP);
    expect(viewMetrics(view, 0.5)!.specificity).toBe(0);
    expect(viewMetrics(trainedHere, 0.5)!.specificity).toBe(1);
    // The slider moves the unadapted figures too: at 0.65 two NORMAL images are cleared.
    expect(viewMetrics(view, 0.65)!.tn).toBe(2);
    expect(view.roc).toEqual(before.roc);
  });

  it('falls back to the recorded unadapted figures for a run opened from a file', () => {
    const opened = { ...trainedHere, probabilitiesBeforeAdaptation: undefined };
    const view = unadaptedView(opened);
    expect(metricsAt(view, 0.5)).toBeNull();
    const m = viewMetrics(view, 0.9)!;
    expect(m.threshold).toBe(0.5); // the recorded threshold: no probabilities to move it on
    expect([m.tp, m.fp, m.tn, m.fn]).toEqual([3, 3, 0, 0]);
    expect(view.roc).toEqual([]);
  });

  it('leaves runs without a second metric set as they are', () => {
    const plain = {
      ...trainedHere,
      record: makeResultRecord(summary({}), after),
      probabilitiesBeforeAdaptation: undefined,
    };
    expect(hasUnadaptedFigures([plain])).toBe(false);
    expect(unadaptedView(plain)).toBe(plain);
    expect(viewMetrics({ ...plain, labels: new Int32Array(0) }, 0.5)).toBeNull();
  });
});
