/**
 * The model comparison table: its columns, defined once and used by both the Markdown report and the terminal
 * table so the two never disagree on what a column holds or how it is formatted, and the terminal rendering.
 */
import { formatBytes, formatDuration, formatFixed, formatInteger, formatRatio, formatWithInterval } from './format';
import { isEnsemble, recordLabel } from './ensemble-record';
import { positiveFigure } from './multi-class-record';
import type { ResultRecord } from './result-record';

/** One column: its header, which side it aligns to, and how a record becomes its cell text. */
export interface ComparisonColumn {
  readonly header: string;
  /** Numbers align right so their decimals line up. */
  readonly align: 'left' | 'right';
  readonly cell: (record: ResultRecord) => string;
}

/**
 * The comparison columns for `records`. The AUC header names the interval level when every interval shares one
 * (normally "AUC (95% CI)").
 */
export function comparisonColumns(records: readonly ResultRecord[]): ComparisonColumn[] {
  return [
    { header: 'Model', align: 'left', cell: repeated(records) ? runLabel : modelName },
    { header: 'Params', align: 'right', cell: (r) => formatInteger(r.params) },
    { header: 'Trainable', align: 'right', cell: (r) => formatInteger(r.trainableParams) },
    { header: 'Size', align: 'right', cell: (r) => formatBytes(r.bytes) },
    { header: 'Accuracy', align: 'right', cell: (r) => formatRatio(r.test?.accuracy) },
    // More than two classes: balanced accuracy beside accuracy; the positive class's figures only where it was named.
    ...(records.some((r) => r.test?.multiClass)
      ? [
          {
            header: 'Balanced acc.',
            align: 'right' as const,
            cell: (r: ResultRecord) => formatRatio(r.test?.multiClass?.balancedAccuracy),
          },
        ]
      : []),
    { header: 'Sensitivity', align: 'right', cell: (r) => formatRatio(positiveFigure(r.test, (t) => t.sensitivity)) },
    { header: 'Specificity', align: 'right', cell: (r) => formatRatio(positiveFigure(r.test, (t) => t.specificity)) },
    { header: aucHeader(records), align: 'right', cell: (r) => formatWithInterval(r.test?.auc, r.test?.ci?.auc) },
    { header: 'F1', align: 'right', cell: (r) => formatRatio(positiveFigure(r.test, (t) => t.f1)) },
    // With --adapt-bn, `test` is adapted; the figures of the model as trained stand next to them.
    ...(records.some((r) => r.testBeforeAdaptation)
      ? [
          {
            header: 'Acc. unadapted',
            align: 'right' as const,
            cell: (r: ResultRecord) => formatRatio(r.testBeforeAdaptation?.accuracy),
          },
          {
            header: 'Spec. unadapted',
            align: 'right' as const,
            cell: (r: ResultRecord) => formatRatio(positiveFigure(r.testBeforeAdaptation, (t) => t.specificity)),
          },
        ]
      : []),
    { header: 'Train time', align: 'right', cell: (r) => formatDuration(r.trainTimeMs) },
    {
      header: 's/epoch',
      align: 'right',
      cell: (r) => formatFixed(r.msPerEpoch === null ? null : r.msPerEpoch / 1000, 1),
    },
    { header: 'ms/image', align: 'right', cell: (r) => formatFixed(r.inference?.msPerImage, 2) },
  ];
}

/** True when some model ran with more than one seed, so rows must say which seed they are. */
export function repeated(records: readonly ResultRecord[]): boolean {
  const seen = new Set<string>();
  for (const r of records) {
    if (seen.has(r.modelId)) return true;
    seen.add(r.modelId);
  }
  return false;
}

/** The model's label (a seed ensemble's names its seeds), marked when the run did not finish normally. */
export function modelName(record: ResultRecord): string {
  return record.status === 'ok' ? recordLabel(record) : `${recordLabel(record)} (${record.status})`;
}

/** A row's label where several seeds ran: "Conv2D CNN · seed 2", or "Conv2D CNN — ensemble of seeds 1, 2". */
export function runLabel(record: ResultRecord): string {
  return isEnsemble(record) ? modelName(record) : `${modelName(record)} · seed ${record.seed}`;
}

/**
 * Renders one row per record under a header and a dashed rule; columns are separated by two spaces, text aligned
 * left and numbers right. Lines carry no trailing spaces.
 */
export function renderComparisonTable(records: readonly ResultRecord[]): string {
  const columns = comparisonColumns(records);
  const rows = records.map((r) => columns.map((c) => c.cell(r)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((text, i) => (columns[i].align === 'right' ? text.padStart(widths[i]) : text.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return (
    [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n'
  );
}

function aucHeader(records: readonly ResultRecord[]): string {
  const levels = new Set(records.flatMap((r) => (r.test?.ci?.auc ? [r.test.ci.level] : [])));
  if (levels.size === 0) return 'AUC';
  if (levels.size > 1) return 'AUC (CI)';
  const [level] = levels;
  return `AUC (${Number((level * 100).toFixed(1))}% CI)`;
}
