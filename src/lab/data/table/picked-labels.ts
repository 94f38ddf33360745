/**
 * Label tables dropped on the page together with the images: which picked files look like tables, a preview of a
 * table's columns for the column-mapping form, and the cloneable choice the form makes (file paths and the mapping)
 * read into a LabelTableSpec in the worker. Framework-free; Blobs are read with `arrayBuffer()`.
 */
import { DataError } from '../errors';
import { normalisePath } from '../file-kinds';
import type { TableMapping } from './mapping';
import { mergeTables, parseTable } from './read-table';
import { parseSplitList, type LabelTableSpec } from './table-layout';

/** What the form chose: the tables (paths among the picked files), the split lists and the mapping. */
export interface PickedLabels {
  readonly tables: readonly string[];
  readonly testList: string | null;
  readonly valList: string | null;
  readonly mapping: TableMapping;
}

/** A picked file, as `Picked` holds it. */
interface PickedFileLike {
  readonly path: string;
  readonly file: Blob;
}

/** Names a label table or split list may have: .csv, .tsv, .txt, each optionally .gz. */
const TABLE_NAME = /\.(csv|tsv|txt)(\.gz)?$/i;

/** The picked files that may be label tables or split lists, by path (sorted). */
export function tableCandidates(files: readonly PickedFileLike[]): string[] {
  return files
    .map((f) => normalisePath(f.path))
    .filter((p) => TABLE_NAME.test(p) && !p.split('/').some((s) => s.startsWith('.') || s === '__MACOSX'))
    .sort();
}

/** A table's columns as the form offers them: header names (or `1`, `2`, … without a header) and a few rows. */
export interface TablePreview {
  /** Each column's value for the mapping (its header name, or its 1-based number) and how to show it. */
  readonly columns: readonly { readonly value: string; readonly label: string }[];
  /** The first rows after the header, for the user to recognise the columns. */
  readonly sample: readonly (readonly string[])[];
  /** Distinct values of each column among the first 2,000 rows (at most 20 each), to suggest --classes. */
  readonly values: readonly (readonly string[])[];
}

/**
 * The preview of a table's bytes. `hasHeader`: whether the first row names the columns; the form asks, defaulting
 * to yes when no cell of the first row is a number.
 */
export function previewTable(
  bytes: Uint8Array,
  name: string,
  hasHeader?: boolean,
): TablePreview & { readonly hasHeader: boolean } {
  const table = parseTable(bytes, name);
  const header = hasHeader ?? !table.rows[0].cells.some((c) => c !== '' && Number.isFinite(Number(c)));
  const rows = header ? table.rows.slice(1) : table.rows;
  const width = Math.max(...table.rows.slice(0, 50).map((r) => r.cells.length));
  const columns = header
    ? table.headerNames.filter((h) => h.name !== '').map((h) => ({ value: h.name, label: h.name }))
    : Array.from({ length: width }, (_, i) => ({ value: String(i + 1), label: `column ${i + 1}` }));
  const values = columns.map((c) => {
    const index = header ? table.headerNames.find((h) => h.name === c.value)!.index : Number(c.value) - 1;
    const seen = new Set<string>();
    for (const row of rows.slice(0, 2000)) {
      for (const v of (row.cells[index] ?? '').split('|')) if (seen.size < 20) seen.add(v.trim());
    }
    return [...seen];
  });
  return { columns, sample: rows.slice(0, 3).map((r) => r.cells), values, hasHeader: header };
}

/** Reads the chosen tables and lists from the picked files. Throws a DataError naming a path that is not there. */
export async function readPickedLabels(
  files: readonly PickedFileLike[],
  choice: PickedLabels,
): Promise<LabelTableSpec> {
  const byPath = new Map(files.map((f) => [normalisePath(f.path), f.file]));
  const bytes = async (path: string): Promise<Uint8Array> => {
    const blob = byPath.get(normalisePath(path));
    if (!blob) throw new DataError(path, 'the label table is not among the chosen files');
    return new Uint8Array(await blob.arrayBuffer());
  };
  const name = (path: string): string => path.split('/').pop() ?? path;
  if (choice.tables.length === 0) throw new DataError('label table', 'no table chosen');
  const tables = [];
  for (const path of choice.tables) tables.push(parseTable(await bytes(path), name(path)));
  return {
    table: mergeTables(tables),
    mapping: choice.mapping,
    testList: choice.testList ? parseSplitList(await bytes(choice.testList), name(choice.testList)) : null,
    valList: choice.valList ? parseSplitList(await bytes(choice.valList), name(choice.valList)) : null,
  };
}
