/**
 * AUC against parameter count (log scale): the LightLayers k-sweep as a connected curve, the plain CNN and the
 * transfer model as single points. Drawn as plain SVG: tfjs-vis has no scatter with connected series or log axes.
 */
import { memo } from 'react';
import { formatInteger } from '../../lab/report/format';
import { sameProps } from '../lib/same-props';

export interface ParamsAucPoint {
  id: string;
  label: string;
  /** LightLayers rank, null for other networks: the ranked points are joined as the k-sweep. */
  rank: number | null;
  params: number;
  auc: number;
}

const W = 560;
const H = 260;
const PAD = { left: 52, right: 16, top: 14, bottom: 40 };
const SWEEP_COLOUR = '#2563eb';
/** Other networks, in the order they appear. */
const COLOURS = ['#c2410c', '#15803d', '#7c3aed', '#b45309', '#0f766e'];

function short(n: number): string {
  if (n >= 1e6) return `${n / 1e6}M`;
  if (n >= 1e3) return `${n / 1e3}k`;
  return String(n);
}

function ParamsAucChartView({ points }: { points: ParamsAucPoint[] }) {
  if (points.length === 0) return <p className="vis-empty">Train models to see accuracy against size.</p>;
  const logs = points.map((p) => Math.log10(Math.max(1, p.params)));
  const x0 = Math.floor(Math.min(...logs));
  const x1 = Math.max(x0 + 1, Math.ceil(Math.max(...logs)));
  const y0 = Math.min(0.5, Math.floor(Math.min(...points.map((p) => p.auc)) * 10) / 10);
  const x = (params: number) =>
    PAD.left + ((Math.log10(Math.max(1, params)) - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const y = (auc: number) => PAD.top + ((1 - auc) / (1 - y0)) * (H - PAD.top - PAD.bottom);
  const sweep = points.filter((p) => p.rank !== null).sort((a, b) => a.rank! - b.rank!);
  const others = [...new Set(points.filter((p) => p.rank === null).map((p) => p.id))];
  const colour = (p: ParamsAucPoint) => COLOURS[others.indexOf(p.id) % COLOURS.length];
  const xTicks = Array.from({ length: x1 - x0 + 1 }, (_, i) => 10 ** (x0 + i));
  const yTicks = Array.from({ length: Math.round((1 - y0) / 0.1) + 1 }, (_, i) => Math.round((y0 + i * 0.1) * 10) / 10);

  return (
    <svg
      className="params-auc"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label="Test AUC against number of parameters"
      data-testid="chart-params-auc"
    >
      {yTicks.map((t) => (
        <g key={`y${t}`}>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} className="grid" />
          <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" className="tick">
            {t.toFixed(1)}
          </text>
        </g>
      ))}
      {xTicks.map((t) => (
        <g key={`x${t}`}>
          <line x1={x(t)} x2={x(t)} y1={PAD.top} y2={H - PAD.bottom} className="grid" />
          <text x={x(t)} y={H - PAD.bottom + 16} textAnchor="middle" className="tick">
            {short(t)}
          </text>
        </g>
      ))}
      <text x={(PAD.left + W - PAD.right) / 2} y={H - 4} textAnchor="middle" className="axis-title">
        parameters (log scale)
      </text>
      <text
        x={14}
        y={(PAD.top + H - PAD.bottom) / 2}
        textAnchor="middle"
        className="axis-title"
        transform={`rotate(-90 14 ${(PAD.top + H - PAD.bottom) / 2})`}
      >
        test AUC
      </text>
      {sweep.length > 1 && (
        <polyline
          points={sweep.map((p) => `${x(p.params)},${y(p.auc)}`).join(' ')}
          fill="none"
          stroke={SWEEP_COLOUR}
          strokeWidth={2}
        />
      )}
      {points.map((p) => (
        <g key={p.id} data-model-id={p.id}>
          {p.rank !== null ? (
            <circle cx={x(p.params)} cy={y(p.auc)} r={5} fill={SWEEP_COLOUR} />
          ) : (
            <rect x={x(p.params) - 5} y={y(p.auc) - 5} width={10} height={10} fill={colour(p)} />
          )}
          <text x={x(p.params) + 8} y={y(p.auc) - 7} className="point-label">
            {p.rank !== null ? `k=${p.rank}` : p.label}
          </text>
          <title>{`${p.label}: ${formatInteger(p.params)} parameters, AUC ${p.auc.toFixed(3)}`}</title>
        </g>
      ))}
    </svg>
  );
}

/** The same points, field by field. */
function samePoints(a: ParamsAucPoint[], b: ParamsAucPoint[]): boolean {
  return (
    a.length === b.length &&
    a.every((p, i) => {
      const q = b[i];
      return p.id === q.id && p.label === q.label && p.rank === q.rank && p.params === q.params && p.auc === q.auc;
    })
  );
}

/** Re-rendered only when its points change (rebuilt whenever a model finishes: compared by content). */
export const ParamsAucChart = memo(ParamsAucChartView, (a, b) => sameProps(a, b, { points: samePoints }));
