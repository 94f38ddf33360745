/**
 * A line chart for vega, the renderer tfjs-vis draws with, split in two: the chart's frame (axes, scales, legend; a
 * vega spec parsed once per chart) and its data (points, series names and colours; streamed into the live view).
 * tfjs-vis compiles a vega-lite spec and builds a new vega view on every draw, a quarter to a whole second of main
 * thread each on a slow laptop; feeding points into a view that stays alive re-runs only vega's dataflow.
 */
import type { Spec, View } from 'vega';
import type { ChartSpec } from './chart-spec';

export type LineChartSpec = Extract<ChartSpec, { kind: 'line' }>;

/** One point of one series, the rows of the view's `table` data. */
export interface LineRow {
  x: number;
  y: number;
  /** The series' name. */
  s: string;
}

export interface LineData {
  rows: LineRow[];
  /** Series drawn, in order (the legend's order), and the colour of each. */
  series: string[];
  colors: string[];
}

/** Tableau 10, the palette vega (and tfjs-vis) draws with by default. */
export const PALETTE = [
  '#4c78a8',
  '#f58518',
  '#e45756',
  '#72b7b2',
  '#54a24b',
  '#eeca3b',
  '#b279a2',
  '#ff9da6',
  '#9d755d',
  '#bab0ac',
];

/**
 * The points of a line spec. Missing values (null, NaN, ±∞) are left out, so a line joins its neighbours, and so
 * are series without one finite value (they draw nothing, and vega warns "Infinite extent" for them). Colours are
 * fixed where the spec fixes them (a reference line keeps its colour whatever is drawn beside it); the rest take the
 * palette in order.
 */
export function lineData(spec: LineChartSpec): LineData {
  const step = spec.xStep ?? 1;
  const rows: LineRow[] = [];
  const series: string[] = [];
  const colors: string[] = [];
  let next = 0;
  spec.series.forEach((name, i) => {
    const before = rows.length;
    (spec.values[i] ?? []).forEach((y, j) => {
      if (y != null && Number.isFinite(y)) rows.push({ x: j * step, y, s: name });
    });
    if (rows.length === before) return;
    series.push(name);
    colors.push(spec.fixedColors?.[name] ?? PALETTE[next++ % PALETTE.length]);
  });
  return { rows, series, colors };
}

/** What the frame of a line chart depends on: a change here builds a new view, anything else is streamed. */
export function lineFrameKey(spec: LineChartSpec, height: number): string {
  return JSON.stringify([spec.xLabel, spec.yLabel, spec.xType ?? 'quantitative', spec.yDomain ?? null, height]);
}

export const FONT_SIZE = 11;

/**
 * The frame of a line chart as a vega spec, with no data: axes and one line per series. Plainer than tfjs-vis's:
 * no hover rule or tooltips (nothing to compute on mouse moves while a model trains) and no vega legend (the page
 * draws the legend as HTML, from lineData; vega's legend was a third of a chart's cost to build and update).
 * Epochs (ordinal x) get a tick each, thinned where labels would overlap; an accuracy axis keeps its fixed domain,
 * others fit the data without zero.
 */
export function lineVegaSpec(spec: LineChartSpec, size: { width: number; height: number }): Spec {
  const ordinal = spec.xType === 'ordinal';
  const text = { labelFontSize: FONT_SIZE, titleFontSize: FONT_SIZE, titleFontWeight: 'normal' as const };
  return {
    width: size.width,
    height: size.height,
    padding: 0,
    autosize: { type: 'fit', contains: 'padding', resize: true },
    signals: [
      { name: 'seriesNames', value: [] },
      { name: 'seriesColors', value: [] },
    ],
    data: [{ name: 'table', values: [] }],
    scales: [
      ordinal
        ? { name: 'x', type: 'point', range: 'width', domain: { data: 'table', field: 'x', sort: true }, padding: 0.5 }
        : { name: 'x', type: 'linear', range: 'width', domain: { data: 'table', field: 'x' }, zero: false },
      spec.yDomain
        ? { name: 'y', type: 'linear', range: 'height', domain: spec.yDomain, zero: false }
        : {
            name: 'y',
            type: 'linear',
            range: 'height',
            domain: { data: 'table', field: 'y' },
            zero: false,
            nice: true,
          },
      { name: 'color', type: 'ordinal', domain: { signal: 'seriesNames' }, range: { signal: 'seriesColors' } },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: spec.xLabel, labelOverlap: true, labelAngle: 0, ...text },
      { orient: 'left', scale: 'y', title: spec.yLabel, grid: true, tickCount: 5, ...text },
    ],
    marks: [
      {
        type: 'group',
        from: { facet: { name: 'series', data: 'table', groupby: 's' } },
        // Each series' group spans the plot, so that clipping its line keeps it inside the axes.
        encode: { update: { width: { signal: 'width' }, height: { signal: 'height' } } },
        marks: [
          {
            type: 'line',
            from: { data: 'series' },
            clip: true,
            encode: {
              enter: { strokeWidth: { value: 2 } },
              update: {
                x: { scale: 'x', field: 'x' },
                y: { scale: 'y', field: 'y' },
                stroke: { scale: 'color', field: 's' },
              },
            },
          },
        ],
      },
    ],
  };
}

/**
 * Streams `data` into a live view of lineVegaSpec's frame: the series' names and colours, then the rows in place of
 * the old ones. `vega` is the loaded module (the page loads it lazily). Resolves when the view has re-run.
 */
export async function streamLineData(
  view: View,
  data: LineData,
  vega: Pick<typeof import('vega'), 'changeset' | 'truthy'>,
): Promise<void> {
  view
    .signal('seriesNames', data.series)
    .signal('seriesColors', data.colors)
    .change('table', vega.changeset().remove(vega.truthy).insert(data.rows));
  await view.runAsync();
}
