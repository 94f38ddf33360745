/**
 * A chart's numbers in words, its text alternative for screen readers and anyone who cannot see the lines: each
 * series' first and last value with its range, or a confusion matrix row by row.
 */
import type { ChartSpec } from './chart-spec';

const fmt = (x: number) => (Number.isInteger(x) || Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(3));

export function chartDescription(spec: ChartSpec): string {
  if (spec.kind === 'confusion') {
    const rows = spec.matrix.map(
      (row, t) => `true ${spec.labels[t] ?? t}: ${row.map((n, p) => `${n} called ${spec.labels[p] ?? p}`).join(', ')}`,
    );
    return `Confusion matrix, ${rows.join('; ')}.`;
  }
  const series = spec.series.flatMap((name, s) => {
    const points = (spec.values[s] ?? []).flatMap((v, i) =>
      v == null || !Number.isFinite(v) ? [] : [{ x: i * (spec.xStep ?? 1), v }],
    );
    if (points.length === 0) return [];
    const values = points.map((p) => p.v);
    const first = points[0];
    const last = points[points.length - 1];
    return [
      `${name}: ${points.length} point${points.length === 1 ? '' : 's'}, ${fmt(first.v)} at ${spec.xLabel} ${fmt(first.x)} to ${fmt(last.v)} at ${fmt(last.x)}` +
        ` (lowest ${fmt(Math.min(...values))}, highest ${fmt(Math.max(...values))})`,
    ];
  });
  return series.length === 0 ? 'No data yet.' : `${spec.yLabel} by ${spec.xLabel}. ${series.join('; ')}.`;
}
