/**
 * The comparison as a Markdown report: title, the settings that produced it, one comparison table, then a confusion
 * matrix per model. Markdown because it reads well as a file, renders on GitHub, and the page can show it too.
 */
import { comparisonColumns, modelName } from './comparison-table';
import { formatInteger, formatRatio, MISSING } from './format';
import type { ResultRecord } from './result-record';

/** Options of `renderMarkdownReport`. */
export interface MarkdownOptions {
  /** Heading of the report (default: `meta.title` when it is a string, else "X-Ray Lab report"). */
  readonly title?: string;
  /** Time stamp shown under the title (default now); fixed in tests. */
  readonly generatedAt?: Date;
}

/**
 * Renders the report.
 * @param meta dataset summary and settings (any JSON-like object); nested keys are listed as dotted paths
 */
export function renderMarkdownReport(records: readonly ResultRecord[], meta: unknown, options: MarkdownOptions = {}): string {
  const metaTitle = isObject(meta) && typeof meta.title === 'string' ? meta.title : undefined;
  const title = options.title ?? metaTitle ?? 'X-Ray Lab report';
  const generatedAt = (options.generatedAt ?? new Date()).toISOString();
  const parts = [`# ${escapeText(title)}`, `Generated ${generatedAt}.`, '## Settings', renderSettings(meta)];
  parts.push('## Comparison', renderMarkdownTable(records), ...legend(records));
  const problems = records.filter((r) => r.status !== 'ok');
  if (problems.length > 0) {
    parts.push(problems.map((r) => `- **${escapeText(r.label)}** ${r.status}${r.error ? `: ${escapeText(r.error)}` : '.'}`).join('\n'));
  }
  const evaluated = records.filter((r) => r.test !== null);
  if (evaluated.length > 0) {
    parts.push('## Confusion matrices', ...evaluated.map(renderConfusionSection));
  }
  return `${parts.join('\n\n')}\n`;
}

/** The comparison table in Markdown (numbers right-aligned). */
export function renderMarkdownTable(records: readonly ResultRecord[]): string {
  const columns = comparisonColumns(records);
  const row = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  const rule = `|${columns.map((c) => (c.align === 'right' ? '---:' : ':---')).join('|')}|`;
  return [row(columns.map((c) => c.header)), rule, ...records.map((r) => row(columns.map((c) => c.cell(r))))].join('\n');
}

/** Says which class the binary metrics treat as positive, and at what threshold. */
function legend(records: readonly ResultRecord[]): string[] {
  const tested = records.filter((r) => r.test !== null);
  if (tested.length === 0) return [];
  const positives = new Set(tested.map((r) => r.positiveClass ?? '?'));
  const thresholds = new Set(tested.map((r) => r.test!.threshold));
  const positive = positives.size === 1 ? `**${escapeText([...positives][0])}**` : 'each model\'s positive class';
  const at = thresholds.size === 1 ? `at threshold ${formatRatio([...thresholds][0])}` : 'at each model\'s threshold';
  return [
    `Sensitivity, specificity and F1 treat ${positive} as positive, ${at}. ` +
      `Test set: ${[...new Set(tested.map((r) => formatInteger(r.test!.count)))].join(' / ')} images. ` +
      `${MISSING} marks a value that is undefined (0/0) or was not measured.`,
  ];
}

function renderConfusionSection(record: ResultRecord): string {
  const test = record.test!;
  const names = record.classNames.length === test.confusion.length
    ? record.classNames
    : test.confusion.map((_, i) => `class ${i}`);
  const header = `| true \\ predicted | ${names.map(escapeCell).join(' | ')} |`;
  const rule = `|:---|${names.map(() => '---:').join('|')}|`;
  const rows = test.confusion.map((counts, t) => `| **${escapeCell(names[t])}** | ${counts.map(formatInteger).join(' | ')} |`);
  const summary =
    `${formatInteger(test.count)} images, loss ${formatRatio(test.loss)}. ` +
    `${escapeText(record.positiveClass ?? 'positive')} vs rest at ${formatRatio(test.threshold)}: ` +
    `TP ${test.tp}, FP ${test.fp}, TN ${test.tn}, FN ${test.fn}; precision ${formatRatio(test.precision)}, ` +
    `NPV ${formatRatio(test.npv)}` +
    (test.ci ? `; accuracy ${Math.round(test.ci.level * 100)}% CI ${formatRatio(test.ci.accuracy.low)}–${formatRatio(test.ci.accuracy.high)}` : '') +
    '.';
  const backbone = record.backbone
    ? [`Frozen backbone: ${escapeText(record.backbone.network)}, weights ${escapeText(record.backbone.weightsId)} from ` +
      `${escapeText(record.backbone.origin)}, pixels in [${escapeText(record.backbone.pixelRange)}].`]
    : [];
  return [`### ${escapeText(modelName(record))}`, ...backbone, summary, [header, rule, ...rows].join('\n')].join('\n\n');
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
