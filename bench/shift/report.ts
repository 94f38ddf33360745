/**
 * The suite's table: every figure as mean ± standard deviation over seeds, per model and shifted set, in Markdown so it
 * can go into the README as printed.
 */
import type { ArmFigures, ShiftRow } from './measure';

interface Stat {
  mean: number;
  sd: number;
  n: number;
}

function stat(values: Array<number | null>): Stat | null {
  const v = values.filter((x): x is number => x != null && Number.isFinite(x));
  if (v.length === 0) return null;
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, sd, n: v.length };
}

const fmt = (s: Stat | null, digits = 3): string =>
  s == null ? '—' : s.n > 1 ? `${s.mean.toFixed(digits)}±${s.sd.toFixed(digits)}` : s.mean.toFixed(digits);
const pick = (rows: ShiftRow[], f: (r: ShiftRow) => number | null) => stat(rows.map(f));
const arrow = (rows: ShiftRow[], a: (r: ShiftRow) => number | null, b: (r: ShiftRow) => number | null, digits = 2) =>
  `${fmt(pick(rows, a), digits)} → ${fmt(pick(rows, b), digits)}`;

/** Rows grouped by model, then shifted set, in the order first met. */
export function groupRows(rows: readonly ShiftRow[]): ShiftRow[][] {
  const groups = new Map<string, ShiftRow[]>();
  for (const r of rows) {
    const key = `${r.model}\u0000${r.shift}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()];
}

/** Mean over seeds of one arm's accuracy minus the unadapted accuracy, for summaries. */
export function meanGain(rows: readonly ShiftRow[], armOf: (r: ShiftRow) => ArmFigures): number | null {
  const gains = rows.map((r) =>
    armOf(r).accuracy != null && r.before.accuracy != null ? armOf(r).accuracy! - r.before.accuracy! : null,
  );
  return stat(gains)?.mean ?? null;
}

export function formatShiftTable(rows: readonly ShiftRow[]): string {
  const header = [
    'model',
    'shift',
    'n',
    'prevalence',
    'acc',
    '+BN',
    '+prior',
    '+BN+prior',
    'spec (→BN)',
    'sens (→BN)',
    'AUC (→BN)',
    'est. prevalence (T / BN+T)',
    'ECE (→T)',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const g of groupRows(rows)) {
    const r0 = g[0];
    lines.push(
      `| ${[
        r0.model,
        r0.shift,
        String(r0.count),
        r0.prevalence.toFixed(2),
        fmt(pick(g, (r) => r.before.accuracy)),
        fmt(pick(g, (r) => r.bn.accuracy)),
        fmt(pick(g, (r) => r.prior.accuracy)),
        fmt(pick(g, (r) => r.both.accuracy)),
        arrow(
          g,
          (r) => r.before.specificity,
          (r) => r.bn.specificity,
        ),
        arrow(
          g,
          (r) => r.before.sensitivity,
          (r) => r.bn.sensitivity,
        ),
        arrow(
          g,
          (r) => r.before.auc,
          (r) => r.bn.auc,
        ),
        `${fmt(
          pick(g, (r) => r.prior.estimatedPrevalence),
          2,
        )} / ${fmt(
          pick(g, (r) => r.both.estimatedPrevalence),
          2,
        )}`,
        arrow(
          g,
          (r) => r.before.ece,
          (r) => r.calibrated.ece,
        ),
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}
