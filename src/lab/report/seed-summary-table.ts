/**
 * The terminal's summary of repeats over seeds: mean ± sd per model, and a warning line for every degenerate run
 * (all test images given one class), which per-run rows alone leave the reader to spot.
 */
import { modelName, repeated } from './comparison-table';
import { ensembleRecords, runName } from './ensemble-record';
import { positiveFigure } from './multi-class-record';
import { formatRatio, MISSING } from './format';
import type { ResultRecord } from './result-record';
import type { Stat } from './stat';
import type { TestRecord } from './test-record';
import { isDegenerate, summariseRecords } from './summary';

/** "0.912 ± 0.021"; the mean alone when there is no sd (one finished run). */
function meanSd(s: Stat | null): string {
  if (!s) return MISSING;
  return s.sd == null ? formatRatio(s.mean) : `${formatRatio(s.mean)} ± ${formatRatio(s.sd)}`;
}

/** The class every test image of a degenerate run was given. */
function collapsedTo(record: ResultRecord): string {
  const test = record.test!;
  const positive = record.positiveClass ?? 'the positive class';
  if (test.tp + test.fp === 0) {
    const others = record.classNames.filter((c) => c !== record.positiveClass);
    return others.length === 1 ? others[0] : `not ${positive}`;
  }
  return positive;
}

/** Why each degenerate run is one: "WARNING: LightLayers k=2 seed 2 is degenerate: it called every test image NORMAL (…)". */
export function degenerateWarnings(records: readonly ResultRecord[]): string[] {
  return records
    .filter((r) => r.status === 'ok' && r.test && isDegenerate(r.test))
    .map(
      (r) =>
        `WARNING: ${r.label} ${runName(r)} is degenerate: it called every test image ${collapsedTo(r)} ` +
        `(accuracy ${formatRatio(r.test!.accuracy)}, sensitivity ${formatRatio(r.test!.sensitivity)}, specificity ${formatRatio(r.test!.specificity)})`,
    );
}

/**
 * Mean ± sample sd per model over its seeds, each seed ensemble's own figures, then the degenerate-run warnings;
 * empty when every model ran once (the per-run table says it all then). Aligned like the comparison table.
 */
export function renderSeedSummaryTable(records: readonly ResultRecord[]): string {
  if (!repeated(records)) return '';
  const headers = ['Model', 'Seeds', 'Runs ok', 'Accuracy', 'Sensitivity', 'Specificity', 'AUC', 'F1', 'Degenerate'];
  const rows = summariseRecords(records).map((m) => [
    m.label,
    m.seeds.join(','),
    `${m.okRuns}/${m.seeds.length}`,
    meanSd(m.accuracy),
    meanSd(m.sensitivity),
    meanSd(m.specificity),
    meanSd(m.auc),
    meanSd(m.f1),
    m.degenerateRuns.length === 0 ? 'none' : m.degenerateRuns.map((s) => `seed ${s}`).join(', '),
  ]);
  // A seed ensemble is one classifier, not a mean: a row of its own with its figures alone.
  for (const r of ensembleRecords(records)) {
    if (!r.test) continue;
    const figure = (value: (t: TestRecord) => number | null) => formatRatio(positiveFigure(r.test, value));
    rows.push([
      modelName(r),
      r.ensembleOf!.join(','),
      'ensemble',
      formatRatio(r.test.accuracy),
      figure((t) => t.sensitivity),
      figure((t) => t.specificity),
      formatRatio(r.test.auc),
      figure((t) => t.f1),
      isDegenerate(r.test) ? 'yes' : 'none',
    ]);
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const left = (i: number) => i === 0 || i === 1 || i === headers.length - 1;
  const line = (cells: string[]) =>
    cells
      .map((t, i) => (left(i) ? t.padEnd(widths[i]) : t.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const warnings = degenerateWarnings(records);
  return (
    [
      'Mean ± sample standard deviation over seeds (runs that finished):',
      line(headers),
      line(widths.map((w) => '-'.repeat(w))),
      ...rows.map(line),
      ...(warnings.length > 0 ? ['', ...warnings] : []),
    ].join('\n') + '\n'
  );
}
