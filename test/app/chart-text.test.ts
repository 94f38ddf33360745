import { describe, expect, it } from 'vitest';
import { chartDescription } from '../../src/app/lib/chart-text';

describe('chartDescription', () => {
  it('gives each series its first and last value and its range, skipping missing points', () => {
    const text = chartDescription({
      kind: 'line',
      series: ['Conv2D CNN', 'chance'],
      xLabel: 'epoch',
      yLabel: 'validation loss',
      xType: 'ordinal',
      values: [
        [0.69, 0.41, null, 0.38],
        [null, null, null, null],
      ],
    });
    expect(text).toBe(
      'validation loss by epoch. Conv2D CNN: 3 points, 0.690 at epoch 0 to 0.380 at 3 (lowest 0.380, highest 0.690).',
    );
  });

  it('reads a confusion matrix row by row', () => {
    expect(
      chartDescription({
        kind: 'confusion',
        matrix: [
          [20, 3],
          [4, 31],
        ],
        labels: ['NORMAL', 'PNEUMONIA'],
      }),
    ).toBe(
      'Confusion matrix, true NORMAL: 20 called NORMAL, 3 called PNEUMONIA; true PNEUMONIA: 4 called NORMAL, 31 called PNEUMONIA.',
    );
  });

  it('says when there is nothing to read yet', () => {
    expect(chartDescription({ kind: 'line', series: ['a'], values: [[]], xLabel: 'x', yLabel: 'y' })).toBe(
      'No data yet.',
    );
  });
});
