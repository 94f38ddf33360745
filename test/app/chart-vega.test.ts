import * as vega from 'vega';
import { parse, View } from 'vega';
import { describe, expect, it } from 'vitest';
import type { ChartSpec } from '../../src/app/lib/chart-spec';
import { lineData, lineFrameKey, lineVegaSpec, streamLineData, type LineChartSpec } from '../../src/app/lib/chart-vega';

const curves = (values: (number | null)[][]): LineChartSpec => ({
  kind: 'line',
  series: ['train', 'validation'],
  values,
  xLabel: 'epoch',
  yLabel: 'loss',
  xType: 'ordinal',
});

describe('lineData', () => {
  it('draws a ROC on rates: x from 0 to 1 in steps', () => {
    const data = lineData({
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
    expect(data.rows.filter((r) => r.s === 'cnn').map((r) => [r.x, r.y])).toEqual([
      [0, 0],
      [0.5, 0.8],
      [1, 1],
    ]);
  });

  it('keeps a fixed colour for the chance line whatever runs are drawn beside it', () => {
    const spec = (runs: string[]): ChartSpec => ({
      kind: 'line',
      series: [...runs, 'chance'],
      values: [...runs.map(() => [0.1, 0.9]), [0, 1]],
      xLabel: 'x',
      yLabel: 'y',
      fixedColors: { chance: '#6b7280' },
    });
    const one = lineData(spec(['cnn']) as LineChartSpec);
    const three = lineData(spec(['cnn', 'light-k1', 'light-k2']) as LineChartSpec);
    expect(one.colors.at(-1)).toBe('#6b7280');
    expect(three.colors.at(-1)).toBe('#6b7280');
    expect(new Set(three.colors).size).toBe(4);
    expect(three.colors[0]).toBe(one.colors[0]);
  });

  it('leaves out missing points, and series with no finite value (vega would warn "Infinite extent")', () => {
    const data = lineData(
      curves([
        [0.7, null, 0.5],
        [null, Number.NaN, null],
      ]),
    );
    expect(data.series).toEqual(['train']);
    expect(data.rows).toEqual([
      { x: 0, y: 0.7, s: 'train' },
      { x: 2, y: 0.5, s: 'train' },
    ]);
  });
});

describe('a live line chart', () => {
  it('keeps its frame while points stream in, and changes it only for labels, axes or height', () => {
    const a = curves([[0.7], [0.69]]);
    const b = curves([
      [0.7, 0.5, 0.4],
      [0.69, 0.55, 0.45],
    ]);
    expect(lineFrameKey(b, 170)).toBe(lineFrameKey(a, 170));
    expect(lineFrameKey({ ...a, yLabel: 'accuracy', yDomain: [0, 1] }, 170)).not.toBe(lineFrameKey(a, 170));
    expect(lineFrameKey(a, 220)).not.toBe(lineFrameKey(a, 170));
  });

  it('draws each update from the same vega view: every series a line, the legend in series order', async () => {
    const view = new View(parse(lineVegaSpec(curves([]), { width: 300, height: 170 })), { renderer: 'none' });
    // The page's own update (VisChart draws through streamLineData), over vega in Node.
    const stream = (spec: LineChartSpec) => streamLineData(view, lineData(spec), vega);
    await stream(curves([[0.7], [null]]));
    expect(view.data('table')).toHaveLength(1);
    expect(view.scale('color').domain()).toEqual(['train']);

    await stream(
      curves([
        [0.7, 0.5, 0.4],
        [0.69, 0.55, 0.45],
      ]),
    );
    expect(view.data('table')).toHaveLength(6);
    expect(view.scale('color').domain()).toEqual(['train', 'validation']);
    expect(view.scale('x').domain()).toEqual([0, 1, 2]);
    // y fits the data (no zero), rounded outwards.
    const [y0, y1] = view.scale('y').domain() as number[];
    expect(y0).toBeGreaterThan(0);
    expect(y0).toBeLessThanOrEqual(0.4);
    expect(y1).toBeGreaterThanOrEqual(0.7);
    // One line item per series, three points each, in the scene vega would paint.
    interface SceneNode {
      marktype?: string;
      items?: SceneNode[];
    }
    const lines: SceneNode[] = [];
    const walk = (node: SceneNode) => {
      if (node.marktype === 'line') lines.push(node);
      for (const child of node.items ?? []) walk(child);
    };
    // vega-typings leave the scene's root out; it is there at run time.
    walk((view.scenegraph() as unknown as { root: SceneNode }).root);
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => l.items?.length)).toEqual([3, 3]);
    view.finalize();
  });
});
