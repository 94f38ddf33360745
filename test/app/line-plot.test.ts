import { describe, expect, it } from 'vitest';
import { linePlot } from '../../src/app/components/VisChart';

describe('linePlot', () => {
  it('draws a ROC on rates: x from 0 to 1 in steps', () => {
    const plot = linePlot({
      kind: 'line',
      series: ['cnn', 'chance'],
      values: [
        [0, 0.8, 1],
        [0, 0.5, 1],
      ],
      xLabel: 'fpr',
      yLabel: 'tpr',
      xStep: 0.5,
      yDomain: [0, 1],
    });
    expect(plot.values[0].map((p) => p.x)).toEqual([0, 0.5, 1]);
  });

  it('keeps a fixed colour for the chance line whatever runs are drawn beside it', () => {
    const spec = (runs: string[]) => ({
      kind: 'line' as const,
      series: [...runs, 'chance'],
      values: [...runs.map(() => [0.1, 0.9]), [0, 1]],
      xLabel: 'x',
      yLabel: 'y',
      fixedColors: { chance: '#6b7280' },
    });
    const one = linePlot(spec(['cnn']));
    const three = linePlot(spec(['cnn', 'light-k1', 'light-k2']));
    expect(one.seriesColors.at(-1)).toBe('#6b7280');
    expect(three.seriesColors.at(-1)).toBe('#6b7280');
    expect(new Set(three.seriesColors).size).toBe(4);
    expect(three.seriesColors[0]).toBe(one.seriesColors[0]);
  });

  it('leaves out series with no finite value (vega would warn "Infinite extent")', () => {
    const plot = linePlot({
      kind: 'line',
      series: ['train', 'validation'],
      values: [
        [0.7, 0.5],
        [null, null],
      ],
      xLabel: 'epoch',
      yLabel: 'loss',
      xType: 'ordinal',
    });
    expect(plot.series).toEqual(['train']);
    expect(plot.values).toHaveLength(1);
    expect(plot.values[0]).toEqual([
      { x: 0, y: 0.7 },
      { x: 1, y: 0.5 },
    ]);
  });
});
