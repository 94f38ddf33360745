/**
 * The results file: every record, the per-model summary over seeds, the experiment's settings and a description of
 * the data, as pretty-printed JSON, so a comparison can be reloaded, diffed between runs, or rendered again later.
 * The page and the CLI write the same shape.
 */
import { comparisonsOverSeeds, type PairComparison, type PairOverSeeds } from './comparisons';
import type { ResultRecord } from './result-record';
import { summariseRecords, type ModelSummary } from './summary';

/** Top-level shape of a results file. */
export interface ResultsFile {
  /** ISO 8601 time the file was written. */
  readonly generatedAt: string;
  /** Dataset description, backend and environment, as the caller provides them (opaque here). */
  readonly meta: unknown;
  /** The experiment's settings (the schema's values); null in files written before they were recorded. */
  readonly settings: unknown;
  readonly results: readonly ResultRecord[];
  /** One entry per model: mean ± sd over its seeds, degenerate runs. */
  readonly summary: readonly ModelSummary[];
  /** Paired tests per (seed, pair of models) on the shared test images (report/comparisons.ts); [] without them. */
  readonly comparisons: readonly PairComparison[];
  /** Each pair's differences over seeds, derived from `comparisons`. */
  readonly comparisonsOverSeeds: readonly PairOverSeeds[];
}

/**
 * Serialises `records` with their summary, `settings` and `meta`, two-space indented with a final newline. Typed
 * arrays anywhere become plain arrays (JSON.stringify would otherwise write them as {"0": …} objects), and
 * non-finite numbers null.
 * @param generatedAt time stamp to record (default now); fixed in tests
 * @param comparisons the paired tests of the records (pairedComparisons), which need the test probabilities
 */
export function renderResultsJson(
  records: readonly ResultRecord[],
  meta: unknown,
  settings: unknown = null,
  generatedAt: Date = new Date(),
  comparisons: readonly PairComparison[] = [],
): string {
  const file: ResultsFile = {
    generatedAt: generatedAt.toISOString(),
    meta,
    settings,
    results: records,
    summary: summariseRecords(records),
    comparisons,
    comparisonsOverSeeds: comparisonsOverSeeds(comparisons),
  };
  return `${JSON.stringify(file, plainValue, 2)}\n`;
}

function plainValue(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<number>);
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

const STATUSES: readonly string[] = ['ok', 'cancelled', 'failed'];

/**
 * The first problem with a list of result records as read from a file — each needs an id, a label and a known
 * status, and a seed ensemble the seeds it averages — or null. Values inside a record are trusted as written.
 */
export function checkResultRecords(results: readonly unknown[]): string | null {
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    const rec = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
    if (typeof rec.modelId !== 'string' || typeof rec.label !== 'string') return `result ${i} lacks a modelId or label`;
    if (typeof rec.status !== 'string' || !STATUSES.includes(rec.status))
      return `result ${i} (${rec.modelId}) has unknown status ${String(rec.status)}`;
    const members = rec.ensembleOf;
    if (members !== undefined && !(Array.isArray(members) && members.length >= 2 && members.every(Number.isInteger))) {
      return `result ${i} (${rec.modelId}) has an ensembleOf that is not a list of at least two seeds`;
    }
  }
  return null;
}

/**
 * Reads a results file back (a saved comparison opened in the page or the CLI). Checks the outline — a time
 * stamp, a results list, and an id, label and known status on each record — so a wrong file fails here with a
 * clear message rather than later as a blank table. The summary is derived again from the records; the comparisons
 * (which cannot be: the file has no probabilities) are kept as written, and their summary over seeds derived again.
 * @throws on text that is not JSON or not shaped like a results file
 */
export function parseResultsJson(text: string): ResultsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`results file is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new Error('results file must hold a JSON object');
  const file = data as Record<string, unknown>;
  if (typeof file.generatedAt !== 'string') throw new Error('results file has no generatedAt time stamp');
  if (!Array.isArray(file.results)) throw new Error('results file has no results list');
  const problem = checkResultRecords(file.results);
  if (problem) throw new Error(problem);
  const results = file.results as ResultRecord[];
  const comparisons = readComparisons(file.comparisons);
  return {
    generatedAt: file.generatedAt,
    meta: file.meta ?? null,
    settings: file.settings ?? null,
    results,
    summary: summariseRecords(results),
    comparisons,
    comparisonsOverSeeds: comparisonsOverSeeds(comparisons),
  };
}

/** A file's comparisons, when they have the outline the page reads; files from before them have none. */
function readComparisons(value: unknown): PairComparison[] {
  if (value === undefined) return [];
  const valid =
    Array.isArray(value) &&
    value.every(
      (c) =>
        typeof c === 'object' &&
        c !== null &&
        Number.isInteger(c.seed) &&
        typeof c.a === 'string' &&
        typeof c.b === 'string' &&
        typeof c.accuracy === 'object' &&
        c.accuracy !== null,
    );
  if (!valid) throw new Error('results file has a comparisons entry without a seed, models a and b, or accuracy');
  return value as PairComparison[];
}
