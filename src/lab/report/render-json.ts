/**
 * The results file: every record plus the settings that produced them, as pretty-printed JSON, so a comparison can
 * be reloaded, diffed between runs, or rendered again later.
 */
import type { ResultRecord } from './result-record';

/** Top-level shape of a results file. */
export interface ResultsFile {
  /** ISO 8601 time the file was written. */
  readonly generatedAt: string;
  /** Dataset summary and settings, as the caller provides them (opaque here). */
  readonly meta: unknown;
  readonly results: readonly ResultRecord[];
}

/**
 * Serialises `records` and `meta` with two-space indentation and a final newline. Typed arrays anywhere in `meta`
 * become plain arrays (JSON.stringify would otherwise write them as {"0": …} objects), and non-finite numbers null.
 * @param generatedAt time stamp to record (default now); fixed in tests
 */
export function renderResultsJson(records: readonly ResultRecord[], meta: unknown, generatedAt: Date = new Date()): string {
  const file: ResultsFile = { generatedAt: generatedAt.toISOString(), meta, results: records };
  return `${JSON.stringify(file, plainValue, 2)}\n`;
}

function plainValue(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

const STATUSES: readonly string[] = ['ok', 'cancelled', 'failed'];

/**
 * Reads a results file back (a saved comparison opened in the page or the CLI). Checks the outline — a time
 * stamp, a results list, and an id, label and known status on each record — so a wrong file fails here with a
 * clear message rather than later as a blank table. Values inside a record are trusted as written.
 * @throws on text that is not JSON or not shaped like a results file
 */
export function parseResultsJson(text: string): ResultsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`results file is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('results file must hold a JSON object');
  const file = data as Record<string, unknown>;
  if (typeof file.generatedAt !== 'string') throw new Error('results file has no generatedAt time stamp');
  if (!Array.isArray(file.results)) throw new Error('results file has no results list');
  file.results.forEach((r: unknown, i) => {
    const rec = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
    if (typeof rec.modelId !== 'string' || typeof rec.label !== 'string') {
      throw new Error(`result ${i} lacks a modelId or label`);
    }
    if (typeof rec.status !== 'string' || !STATUSES.includes(rec.status)) {
      throw new Error(`result ${i} (${rec.modelId}) has unknown status ${String(rec.status)}`);
    }
  });
  return { generatedAt: file.generatedAt, meta: file.meta ?? null, results: file.results as ResultRecord[] };
}
