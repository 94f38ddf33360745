import { describe, expect, it } from 'vitest';
import { makeResultRecord } from '../../src/lab/report/result-record';
import { stat } from '../../src/lab/report/stat';
import { isDegenerate, summariseRecords, valTestGap } from '../../src/lab/report/summary';
import { evaluationFrom, summary } from './fixtures';

/** A run of `modelId` with `seed` scoring the confusion [[tn, fp], [fn, tp]]; validation optional. */
function run(
  modelId: string,
  seed: number,
  confusion: number[][],
  validation?: number[][],
  status: 'ok' | 'failed' = 'ok',
) {
  return makeResultRecord(
    summary({ modelId, label: modelId.toUpperCase(), seed, status, trainTimeMs: 1000 * seed }),
    status === 'ok' ? evaluationFrom(confusion, 0.9, 0.3) : null,
    validation ? evaluationFrom(validation, 0.95, 0.2) : null,
  );
}

describe('stat', () => {
  it('gives mean, sample sd, min and max of the finite values', () => {
    const s = stat([0.8, 0.9, null, Number.NaN, 1.0])!;
    expect(s.n).toBe(3);
    expect(s.mean).toBeCloseTo(0.9, 12);
    expect(s.sd).toBeCloseTo(0.1, 12); // sqrt(((-.1)² + 0 + .1²) / 2)
    expect([s.min, s.max]).toEqual([0.8, 1.0]);
    expect(stat([0.7])).toEqual({ n: 1, mean: 0.7, sd: null, min: 0.7, max: 0.7 });
    expect(stat([null, undefined])).toBeNull();
  });
});

describe('summariseRecords', () => {
  it('groups runs per model in first-seen order, over the runs that finished', () => {
    const records = [
      run('cnn', 1, [
        [40, 10],
        [5, 45],
      ]), // acc 0.85
      run('light', 1, [
        [0, 50],
        [0, 50],
      ]), // every image called positive: degenerate
      run('cnn', 2, [
        [45, 5],
        [5, 45],
      ]), // acc 0.90
      run(
        'light',
        2,
        [
          [30, 20],
          [10, 40],
        ],
        undefined,
        'failed',
      ),
    ];
    const [cnn, light] = summariseRecords(records);
    expect(cnn).toMatchObject({ modelId: 'cnn', label: 'CNN', seeds: [1, 2], okRuns: 2, degenerateRuns: [] });
    expect(cnn.accuracy!.mean).toBeCloseTo(0.875, 12);
    expect(cnn.accuracy!.sd).toBeCloseTo(Math.sqrt(2 * 0.025 ** 2), 12);
    expect(cnn.trainTimeMs).toMatchObject({ n: 2, mean: 1500 });
    expect(light).toMatchObject({ seeds: [1, 2], okRuns: 1, degenerateRuns: [1] });
    expect(light.accuracy).toMatchObject({ n: 1, mean: 0.5, sd: null });
  });

  it('flags a run as degenerate only when every prediction falls in one class', () => {
    expect(
      isDegenerate(
        run('a', 1, [
          [50, 0],
          [50, 0],
        ]).test!,
      ),
    ).toBe(true);
    expect(
      isDegenerate(
        run('a', 1, [
          [49, 1],
          [50, 0],
        ]).test!,
      ),
    ).toBe(false);
  });

  it('measures the validation → test gap', () => {
    // validation 95/100, test 70/100
    const shifted = run(
      'cnn',
      1,
      [
        [30, 20],
        [10, 40],
      ],
      [
        [48, 2],
        [3, 47],
      ],
    );
    expect(valTestGap(shifted)).toBeCloseTo(0.25, 12);
    expect(
      valTestGap(
        run('cnn', 1, [
          [30, 20],
          [10, 40],
        ]),
      ),
    ).toBeNull();
  });
});
