import { describe, expect, it } from 'vitest';
import { makeResultRecord } from '../../src/lab/report/result-record';
import { CLASS_NAMES, evaluationFrom, failedInception, lightK4, summary } from './fixtures';

describe('makeResultRecord', () => {
  it('copies the test metrics from the evaluation', () => {
    const t = lightK4.test!;
    expect(t.count).toBe(624);
    expect([t.tp, t.fp, t.tn, t.fn]).toEqual([363, 54, 180, 27]);
    expect(t.accuracy).toBeCloseTo(543 / 624, 12);
    expect(t.sensitivity).toBeCloseTo(363 / 390, 12);
    expect(t.specificity).toBeCloseTo(180 / 234, 12);
    expect(t.precision).toBeCloseTo(363 / 417, 12);
    expect(t.npv).toBeCloseTo(180 / 207, 12);
    expect(t.f1).toBeCloseTo(726 / 807, 12);
    expect(t.auc).toBe(0.9412);
    expect(t.loss).toBe(0.3534);
    expect(t.threshold).toBe(0.5);
    expect(t.confusion).toEqual([
      [180, 54],
      [27, 363],
    ]);
    expect(t.ci).toEqual({
      level: 0.95,
      iterations: 1000,
      accuracy: { low: 0.8429, high: 0.8958 },
      auc: { low: 0.9213, high: 0.9597 },
    });
    expect(lightK4.positiveClass).toBe('PNEUMONIA');
    expect(lightK4.classNames).toEqual(CLASS_NAMES);
    expect(lightK4.inference).toEqual({ msPerImage: 3.4567, imagesPerSecond: 812.5 });
    expect(lightK4.bestEpoch).toBe(14);
  });

  it('turns missing and non-finite numbers into null and survives a JSON round trip unchanged', () => {
    const record = makeResultRecord(
      summary({
        msPerEpoch: undefined,
        trainTimeMs: Number.NaN,
        history: [
          { epoch: 1, loss: 0.7, accuracy: 0.6, valLoss: Number.POSITIVE_INFINITY, imagesPerSec: 12 },
          { epoch: 2, loss: 0.5 },
        ],
      }),
      evaluationFrom(
        [
          [0, 0],
          [0, 5],
        ],
        Number.NaN,
        0.1,
      ),
    );
    expect(record.msPerEpoch).toBeNull();
    expect(record.trainTimeMs).toBeNull();
    expect(record.bytes).toBeNull();
    expect(record.bestEpoch).toBeNull();
    expect(record.inference).toBeNull();
    expect(record.test!.specificity).toBeNull(); // no NORMAL images: 0/0
    expect(record.test!.auc).toBeNull();
    expect(record.history).toEqual([
      { epoch: 1, loss: 0.7, accuracy: 0.6, valLoss: null, valAccuracy: null, imagesPerSec: 12 },
      { epoch: 2, loss: 0.5, accuracy: null, valLoss: null, valAccuracy: null, imagesPerSec: null },
    ]);
    expect('error' in record).toBe(false);
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });

  it('records a failed run without an evaluation', () => {
    expect(failedInception.status).toBe('failed');
    expect(failedInception.error).toBe('out of memory');
    expect(failedInception.test).toBeNull();
    expect(failedInception.positiveClass).toBe('PNEUMONIA');
    expect(JSON.parse(JSON.stringify(failedInception))).toEqual(failedInception);
  });

  it('does not share arrays with its inputs', () => {
    const evaluation = evaluationFrom(
      [
        [1, 2],
        [3, 4],
      ],
      0.5,
      0.7,
    );
    const record = makeResultRecord(summary({}), evaluation);
    evaluation.confusion[0][0] = 99;
    expect(record.test!.confusion[0][0]).toBe(1);
  });
});
