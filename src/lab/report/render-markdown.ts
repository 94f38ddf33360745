/**
 * The comparison as a Markdown report: title, the settings that produced it, one comparison table, then a confusion
 * matrix per model. Markdown because it reads well as a file, renders on GitHub, and the page can show it too.
 */
import { comparisonColumns, modelName, repeated } from './comparison-table';
import { formatDuration, formatInteger, formatRatio, MISSING } from './format';
import { REFERENCE_RESULTS, REFERENCE_TEST_SET } from './reference-results';
import { ensembleRecords, seedCell } from './ensemble-record';
import { positiveApplies, positiveFigure } from './multi-class-record';
import type { ResultRecord } from './result-record';
import type { PairComparison } from './comparisons';
import { renderComparisonSections } from './render-comparisons';
import { renderShiftSections } from './render-shift-markdown';
import type { Stat } from './stat';
import type { TestRecord } from './test-record';
import { isDegenerate, SHIFT_WARNING_GAP, summariseRecords, valTestGap } from './summary';

/** Options of `renderMarkdownReport`. */
export interface MarkdownOptions {
  /** Heading of the report (default: `meta.title` when it is a string, else "X-Ray Lab report"). */
  readonly title?: string;
  /** Time stamp shown under the title (default now); fixed in tests. */
  readonly generatedAt?: Date;
  /** Add the published results on the official Kermany test split, clearly apart (default true). */
  readonly references?: boolean;
  /** The paired tests between models (pairedComparisons), shown as "Differences between models". */
  readonly comparisons?: readonly PairComparison[];
}

/**
 * Renders the report.
 * @param meta dataset summary and settings (any JSON-like object); nested keys are listed as dotted paths
 */
export function renderMarkdownReport(
  records: readonly ResultRecord[],
  meta: unknown,
  options: MarkdownOptions = {},
): string {
  const metaTitle = isObject(meta) && typeof meta.title === 'string' ? meta.title : undefined;
  const title = options.title ?? metaTitle ?? 'X-Ray Lab report';
  const generatedAt = (options.generatedAt ?? new Date()).toISOString();
  const parts = [`# ${escapeText(title)}`, `Generated ${generatedAt}.`, '## Settings', renderSettings(meta)];
  parts.push('## Comparison', renderMarkdownTable(records), ...legend(records));
  if (repeated(records)) parts.push('## Over seeds', renderSeedSummary(records));
  parts.push(...renderComparisonSections(options.comparisons ?? []));
  parts.push(...renderShiftSections(records));
  const gaps = renderGaps(records);
  if (gaps) parts.push('## Validation → test', gaps);
  const problems = records.filter((r) => r.status !== 'ok');
  if (problems.length > 0) {
    parts.push(
      problems
        .map((r) => `- **${escapeText(r.label)}** ${r.status}${r.error ? `: ${escapeText(r.error)}` : '.'}`)
        .join('\n'),
    );
  }
  const evaluated = records.filter((r) => r.test !== null);
  if (evaluated.length > 0) {
    parts.push('## Confusion matrices', ...evaluated.map(renderConfusionSection));
  }
  if (options.references ?? true)
    parts.push('## Published results for reference (not runs of this lab)', renderReferences());
  return `${parts.join('\n\n')}\n`;
}

/** The comparison table in Markdown (numbers right-aligned). */
export function renderMarkdownTable(records: readonly ResultRecord[]): string {
  const columns = comparisonColumns(records);
  const row = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  const rule = `|${columns.map((c) => (c.align === 'right' ? '---:' : ':---')).join('|')}|`;
  return [row(columns.map((c) => c.header)), rule, ...records.map((r) => row(columns.map((c) => c.cell(r))))].join(
    '\n',
  );
}

/** Says which class the binary metrics treat as positive, and at what threshold. */
function legend(records: readonly ResultRecord[]): string[] {
  const tested = records.filter((r) => r.test !== null);
  if (tested.length === 0) return [];
  if (tested.some((r) => r.test!.multiClass)) return [multiClassLegend(tested)];
  const positives = new Set(tested.map((r) => r.positiveClass ?? '?'));
  const thresholds = new Set(tested.map((r) => r.test!.threshold));
  const positive = positives.size === 1 ? `**${escapeText([...positives][0])}**` : "each model's positive class";
  const at = thresholds.size === 1 ? `at threshold ${formatRatio([...thresholds][0])}` : "at each model's threshold";
  return [
    `Sensitivity, specificity and F1 treat ${positive} as positive, ${at}. ` +
      `Test set: ${[...new Set(tested.map((r) => formatInteger(r.test!.count)))].join(' / ')} images. ` +
      `${MISSING} marks a value that is undefined (0/0) or was not measured.`,
  ];
}

/** What the columns mean with more than two classes, and whether a positive class was named. */
function multiClassLegend(tested: readonly ResultRecord[]): string {
  const classes = Math.max(...tested.map((r) => r.test!.confusion.length));
  const named = tested.filter((r) => positiveApplies(r.test));
  const positives = [...new Set(named.map((r) => r.positiveClass ?? '?'))];
  const positive =
    named.length === tested.length && positives.length === 1
      ? `Sensitivity, specificity and F1 treat **${escapeText(positives[0])}** (named as positive) against the rest, ` +
        `at threshold ${formatRatio(named[0].test!.threshold)}.`
      : 'Sensitivity, specificity and F1 are left out (—): with more than two classes they need a named positive class ' +
        "(`--positive CLASS`); each class's own figures stand under its model's confusion matrix.";
  return (
    `With ${classes} classes, accuracy is the share of test images whose most probable class is their own (the ` +
    "confusion matrix's diagonal over its total), balanced accuracy the mean of the per-class sensitivities, and AUC " +
    `the mean of the one-vs-rest AUCs (macro). ${positive} ` +
    `Test set: ${[...new Set(tested.map((r) => formatInteger(r.test!.count)))].join(' / ')} images. ` +
    `${MISSING} marks a value that is undefined (0/0), not measured or not applicable.`
  );
}

const ENSEMBLE_ROW_NOTE =
  " An ensemble row scores the mean of its seeds' test probabilities as one classifier; " +
  'it is not part of the means.';

/** Mean ± sd (min–max) per model over its seeds, and the seeds whose predictions collapsed to one class. */
function renderSeedSummary(records: readonly ResultRecord[]): string {
  const cell = (s: Stat | null) =>
    s
      ? `${formatRatio(s.mean)} ± ${s.sd == null ? MISSING : formatRatio(s.sd)} (${formatRatio(s.min)}–${formatRatio(s.max)})`
      : MISSING;
  const rows = summariseRecords(records).map(
    (m) =>
      `| ${escapeCell(m.label)} | ${m.seeds.join(', ')} | ${m.okRuns} | ${cell(m.accuracy)} | ` +
      `${cell(m.sensitivity)} | ${cell(m.specificity)} | ${cell(m.auc)} | ${cell(m.f1)} | ` +
      `${m.trainTimeMs ? formatDuration(m.trainTimeMs.mean) : MISSING} | ${m.degenerateRuns.length ? m.degenerateRuns.map((s) => `seed ${s}`).join(', ') : 'none'} |`,
  );
  // A seed ensemble is one classifier, not a mean: its own row, its figures alone.
  const ensembles = ensembleRecords(records)
    .filter((r) => r.test)
    .map((r) => {
      const figure = (value: (t: TestRecord) => number | null) => formatRatio(positiveFigure(r.test, value));
      return (
        `| ${escapeCell(modelName(r))} | ${r.ensembleOf!.join(', ')} | ensemble | ` +
        `${formatRatio(r.test!.accuracy)} | ` +
        `${figure((t) => t.sensitivity)} | ${figure((t) => t.specificity)} | ${formatRatio(r.test!.auc)} | ` +
        `${figure((t) => t.f1)} | ${MISSING} | ${isDegenerate(r.test!) ? 'yes' : 'none'} |`
      );
    });
  return (
    [
      '| Model | Seeds | Runs ok | Accuracy | Sensitivity | Specificity | AUC | F1 | Train time (mean) | Degenerate runs |',
      '|:---|:---|---:|---:|---:|---:|---:|---:|---:|:---|',
      ...rows,
      ...ensembles,
    ].join('\n') +
    '\n\nMean ± sample standard deviation (min–max) over the runs that finished. A degenerate run gave every test image the same class.' +
    (ensembles.length > 0 ? ENSEMBLE_ROW_NOTE : '')
  );
}

/** Validation accuracy (kept epoch) next to test accuracy, and a plain warning when the gap says dataset shift. */
function renderGaps(records: readonly ResultRecord[]): string | null {
  const rows = records.filter((r) => valTestGap(r) != null);
  if (rows.length === 0) return null;
  const lines = rows.map(
    (r) =>
      `| ${escapeCell(modelName(r))} | ${seedCell(r)} | ${formatRatio(r.validation!.accuracy)} | ${formatRatio(r.test!.accuracy)} | ${formatRatio(valTestGap(r))} |`,
  );
  const shifted = rows.filter((r) => valTestGap(r)! > SHIFT_WARNING_GAP);
  const note =
    shifted.length > 0
      ? `**Dataset shift:** test accuracy is more than ${SHIFT_WARNING_GAP} below validation accuracy for ${shifted.map((r) => `${escapeText(r.label)} (seed ${r.seed})`).join(', ')}: the test images differ from the training images, so the validation figures overstate how these models do on them.`
      : `No run's test accuracy is more than ${SHIFT_WARNING_GAP} below its validation accuracy.`;
  return (
    ['| Model | Seed | Validation accuracy | Test accuracy | Gap |', '|:---|---:|---:|---:|---:|', ...lines].join(
      '\n',
    ) + `\n\n${note}`
  );
}

function renderReferences(): string {
  const rows = REFERENCE_RESULTS.map(
    (r) =>
      `| ${escapeCell(r.model)} | ${formatInteger(r.params)} | ${formatRatio(r.accuracy)} | ${formatRatio(r.sensitivity)} | ` +
      `${formatRatio(r.specificity)} | ${formatRatio(r.auc)} | ${escapeCell(r.source)}${r.note ? ` — ${escapeCell(r.note)}` : ''} |`,
  );
  return [
    `Published figures, all on ${REFERENCE_TEST_SET}. Compare them only with runs scored on that same split.`,
    '',
    '| Model | Params | Accuracy | Sensitivity | Specificity | AUC | Source |',
    '|:---|---:|---:|---:|---:|---:|:---|',
    ...rows,
  ].join('\n');
}

function renderConfusionSection(record: ResultRecord): string {
  const test = record.test!;
  const names =
    record.classNames.length === test.confusion.length ? record.classNames : test.confusion.map((_, i) => `class ${i}`);
  const header = `| true \\ predicted | ${names.map(escapeCell).join(' | ')} |`;
  const rule = `|:---|${names.map(() => '---:').join('|')}|`;
  const rows = test.confusion.map(
    (counts, t) => `| **${escapeCell(names[t])}** | ${counts.map(formatInteger).join(' | ')} |`,
  );
  const summary =
    `${formatInteger(test.count)} images, loss ${formatRatio(test.loss)}. ` +
    `${escapeText(record.positiveClass ?? 'positive')} vs rest at ${formatRatio(test.threshold)}: ` +
    `TP ${test.tp}, FP ${test.fp}, TN ${test.tn}, FN ${test.fn}; precision ${formatRatio(test.precision)}, ` +
    `NPV ${formatRatio(test.npv)}` +
    (test.ci
      ? `; accuracy ${Math.round(test.ci.level * 100)}% CI ${formatRatio(test.ci.accuracy.low)}–${formatRatio(test.ci.accuracy.high)}`
      : '') +
    '.';
  const backbone = record.backbone
    ? [
        `Frozen backbone: ${escapeText(record.backbone.network)}, weights ${escapeText(record.backbone.weightsId)} from ` +
          `${escapeText(record.backbone.origin)}, pixels in [${escapeText(record.backbone.pixelRange)}].`,
      ]
    : [];
  if (test.multiClass)
    return [
      `### ${escapeText(modelName(record))}`,
      ...backbone,
      ...multiClassParts(record, [header, rule, ...rows].join('\n')),
    ].join('\n\n');
  return [`### ${escapeText(modelName(record))}`, ...backbone, summary, [header, rule, ...rows].join('\n')].join(
    '\n\n',
  );
}

/** A model's k×k matrix with the figures that do not need a positive class, and each class against the rest. */
function multiClassParts(record: ResultRecord, matrix: string): string[] {
  const test = record.test!;
  const m = test.multiClass!;
  const correct = test.confusion.reduce((sum, row, t) => sum + row[t], 0);
  const total = test.confusion.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0);
  const level = test.ci ? `${Math.round(test.ci.level * 100)}% CI ` : '';
  const interval = (i: { low: number; high: number } | null | undefined) =>
    i ? `${level}${formatRatio(i.low)}–${formatRatio(i.high)}` : '';
  const accuracyCi = interval(test.ci?.accuracy);
  const aucCi = interval(test.ci?.auc);
  const summary =
    `${formatInteger(test.count)} images, loss ${formatRatio(test.loss)}. ` +
    `Accuracy ${formatRatio(test.accuracy)} (${formatInteger(correct)} of ${formatInteger(total)} on the diagonal${accuracyCi ? `; ${accuracyCi}` : ''}), ` +
    `balanced accuracy ${formatRatio(m.balancedAccuracy)}, macro AUC ${formatRatio(m.macroAuc)}${aucCi ? ` (${aucCi})` : ''}.` +
    (m.positiveNamed
      ? ` ${escapeText(record.positiveClass ?? 'positive')} vs rest at ${formatRatio(test.threshold)}: TP ${test.tp}, FP ${test.fp}, ` +
        `TN ${test.tn}, FN ${test.fn}; precision ${formatRatio(test.precision)}, NPV ${formatRatio(test.npv)}.`
      : '');
  const perClass = [
    '| class vs rest | images | predicted as | sensitivity | specificity | AUC |',
    '|:---|---:|---:|---:|---:|---:|',
    ...m.perClass.map(
      (c) =>
        `| ${escapeCell(c.className)} | ${formatInteger(c.count)} | ${formatInteger(c.predicted)} | ` +
        `${formatRatio(c.sensitivity)} | ${formatRatio(c.specificity)} | ${formatRatio(c.auc)} |`,
    ),
  ].join('\n');
  return [summary, matrix, perClass];
}

/** Meta as a bullet list of dotted key paths; arrays of plain values joined by commas. */
function renderSettings(meta: unknown): string {
  const lines: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (isObject(value) && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) {
        if (path === '' && key === 'title') continue; // already the heading
        walk(inner, path ? `${path}.${key}` : key);
      }
      return;
    }
    lines.push(`- ${path ? `${escapeText(path)}: ` : ''}${escapeText(plainText(value))}`);
  };
  walk(meta, '');
  return lines.length > 0 ? lines.join('\n') : '_none recorded_';
}

function plainText(value: unknown): string {
  if (value === null || value === undefined) return MISSING;
  if (Array.isArray(value) && value.every((v) => !isObject(v))) return value.map((v) => plainText(v)).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Keeps a value inside its table cell: pipes escaped, line breaks flattened. */
function escapeCell(text: string): string {
  return escapeText(text).replace(/\|/g, '\\|');
}

/** Flattens line breaks so a value cannot start a new Markdown block. */
function escapeText(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ');
}
