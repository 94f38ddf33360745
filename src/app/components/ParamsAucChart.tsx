/**
 * AUC against parameter count (log scale): the LightLayers k-sweep as a connected curve, the plain CNN and the
 * transfer model as single points. Drawn as plain SVG: tfjs-vis has no scatter with connected series or log axes.
 */
import type { ModelInfo } from '../../worker/protocol';

export interface ParamsAucPoint {
  id: string;
  label: string;
  family: ModelInfo['family'];
  params: number;
  auc: number;
}

const W = 560;
const H = 260;
const PAD = { left: 52, right: 16, top: 14, bottom: 40 };
const COLOURS: Record<ModelInfo['family'], string> = { lightlayers: '#2563eb', cnn: '#c2410c', transfer: '#15803d' };

function short(n: number): string {
  if (n >= 1e6) return `${n / 1e6}M`;
  if (n >= 1e3) return `${n / 1e3}k`;
  return String(n);
}

export function ParamsAucChart({ points }: { points: ParamsAucPoint[] }) {
  if (points.length === 0) return <p className="vis-empty">Train models to see accuracy against size.</p>;
  const logs = points.map((p) => Math.log10(Math.max(1, p.params)));
  const x0 = Math.floor(Math.min(...logs));
  const x1 = Math.max(x0 + 1, Math.ceil(Math.max(...logs)));
  const y0 = Math.min(0.5, Math.floor(Math.min(...points.map((p) => p.auc)) * 10) / 10);
  const x = (params: number) => PAD.left + ((Math.log10(Math.max(1, params)) - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const y = (auc: number) => PAD.top + ((1 - auc) / (1 - y0)) * (H - PAD.top - PAD.bottom);
  const rank = (id: string) => Number(/^light-k(\d+)$/.exec(id)?.[1] ?? 0);
  const sweep = points.filter((p) => p.family === 'lightlayers').sort((a, b) => rank(a.id) - rank(b.id));
  const xTicks = Array.from({ length: x1 - x0 + 1 }, (_, i) => 10 ** (x0 + i));
  const yTicks = Array.from({ length: Math.round((1 - y0) / 0.1) + 1 }, (_, i) => Math.round((y0 + i * 0.1) * 10) / 10);

  return (
    <svg className="params-auc" viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Test AUC against number of parameters" data-testid="chart-params-auc">
      {yTicks.map((t) => (
        <g key={`y${t}`}>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} className="grid" />
          <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" className="tick">{t.toFixed(1)}</text>
        </g>
      ))}
      {xTicks.map((t) => (
        <g key={`x${t}`}>
          <line x1={x(t)} x2={x(t)} y1={PAD.top} y2={H - PAD.bottom} className="grid" />
          <text x={x(t)} y={H - PAD.bottom + 16} textAnchor="middle" className="tick">{short(t)}</text>
        </g>
      ))}
      <text x={(PAD.left + W - PAD.right) / 2} y={H - 4} textAnchor="middle" className="axis-title">parameters (log scale)</text>
      <text x={14} y={(PAD.top + H - PAD.bottom) / 2} textAnchor="middle" className="axis-title" transform={`rotate(-90 14 ${(PAD.top + H - PAD.bottom) / 2})`}>test AUC</text>
      {sweep.length > 1 && (
        <polyline points={sweep.map((p) => `${x(p.params)},${y(p.auc)}`).join(' ')} fill="none" stroke={COLOURS.lightlayers} strokeWidth={2} />
      )}
      {points.map((p) => (
        <g key={p.id} data-model-id={p.id}>
          {p.family === 'lightlayers'
            ? <circle cx={x(p.params)} cy={y(p.auc)} r={5} fill={COLOURS.lightlayers} />
            : <rect x={x(p.params) - 5} y={y(p.auc) - 5} width={10} height={10} fill={COLOURS[p.family]} />}
          <text x={x(p.params) + 8} y={y(p.auc) - 7} className="point-label">
            {p.family === 'lightlayers' ? `k=${rank(p.id)}` : p.label}
          </text>
          <title>{`${p.label}: ${p.params.toLocaleString('en')} parameters, AUC ${p.auc.toFixed(3)}`}</title>
        </g>
      ))}
    </svg>
  );
}
