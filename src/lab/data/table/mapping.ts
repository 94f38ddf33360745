/**
 * How a label table maps to images and classes: which columns hold the image, the label, the patient and the split,
 * and which label values make which class. Plain JSON, so the experiment card records it and a replay reads it back.
 */
import { DataError } from '../errors';
import type { ParsedTable } from './read-table';

export interface TableMapping {
  /** A header name, or a 1-based column number as text (`2`). */
  readonly imageColumn: string;
  readonly labelColumn: string;
  readonly patientColumn: string | null;
  readonly splitColumn: string | null;
  /** `VALUE=CLASS` pairs in the order given; null: every label value is its own class. */
  readonly classes: readonly (readonly [string, string])[] | null;
}

/** Where a column's cells are in each row. */
export interface ResolvedColumn {
  readonly index: number;
  /** The header name, or `column N`, for messages. */
  readonly shown: string;
}

/**
 * A column by header name (exact, then in any letter case) or by 1-based number. `flag` names the option in errors.
 * `hasHeader` is false for a headerless table, where only numbers work.
 */
export function resolveColumn(table: ParsedTable, spec: string, flag: string, hasHeader: boolean): ResolvedColumn {
  if (hasHeader) {
    const exact =
      table.headerNames.find((h) => h.name === spec) ??
      table.headerNames.find((h) => h.name.toLowerCase() === spec.toLowerCase());
    if (exact) return { index: exact.index, shown: exact.name };
  }
  if (/^\d+$/.test(spec)) {
    const n = Number(spec);
    const width = Math.max(...table.rows.slice(0, 50).map((r) => r.cells.length));
    if (n < 1 || n > width) throw new DataError(table.name, `${flag} ${spec}: the table has columns 1 to ${width}`);
    return {
      index: n - 1,
      shown:
        hasHeader && table.headerNames.find((h) => h.index === n - 1)
          ? table.headerNames.find((h) => h.index === n - 1)!.name
          : `column ${n}`,
    };
  }
  const names = hasHeader ? table.headerNames.map((h) => h.name).filter((n) => n !== '') : [];
  const have =
    names.length > 0
      ? `columns: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}`
      : 'it has no header: give a column number (1, 2, …)';
  throw new DataError(table.name, `${flag} ${spec}: no such column (${have})`);
}

/** True when `spec` names a cell of the first row (so that row is a header). */
export function namesHeaderCell(table: ParsedTable, spec: string | null): boolean {
  return (
    spec !== null && !/^\d+$/.test(spec) && table.headerNames.some((h) => h.name.toLowerCase() === spec.toLowerCase())
  );
}

/**
 * `--classes "No Finding=NORMAL,Pneumonia=PNEUMONIA"` → pairs. A comma inside brackets or quotes does not split. An
 * empty VALUE (`=NORMAL`) matches a blank cell. Throws a DataError naming the option for a pair without `=` or a
 * class name that is empty.
 */
export function parseClassMap(text: string, flag = '--classes'): [string, string][] {
  const pairs: [string, string][] = [];
  for (const part of splitTopLevel(text)) {
    if (part.trim() === '') continue;
    const eq = part.lastIndexOf('=');
    if (eq < 0) throw new DataError(flag, `"${part.trim()}" is not VALUE=CLASS`);
    const value = part
      .slice(0, eq)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    const cls = part.slice(eq + 1).trim();
    if (cls === '') throw new DataError(flag, `"${part.trim()}" names no class`);
    if (/[/\\]/.test(cls)) throw new DataError(flag, `class name "${cls}" may not hold / or \\`);
    const earlier = pairs.find(([v]) => sameValue(v, value));
    if (earlier && earlier[1] !== cls)
      throw new DataError(flag, `value "${value}" is mapped to two classes (${earlier[1]} and ${cls})`);
    pairs.push([value, cls]);
  }
  if (pairs.length === 0) throw new DataError(flag, 'lists no VALUE=CLASS pair');
  return pairs;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let part = '';
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '[') depth++;
    else if (!quoted && ch === ']') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0 && !quoted) {
      parts.push(part);
      part = '';
    } else part += ch;
  }
  parts.push(part);
  return parts;
}

/** Equal as text, or as numbers when both are (so `1` matches CheXpert's `1.0`). */
export function sameValue(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.trim() === '' || b.trim() === '') return false;
  const x = Number(a);
  const y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) && x === y;
}

/** What one row's label cell says: one class, or why it has none. */
export type RowClass =
  { readonly cls: string } | { readonly drop: 'no class' | 'two classes'; readonly values: string };

/**
 * A row's class: its cell split on `|`; values not named in the map are ignored, and the row belongs to CLASS when
 * the values that are named all map to it. Without a map the cell (trimmed) is the class; a blank cell has none.
 */
export function classOfCell(cell: string, classes: TableMapping['classes']): RowClass {
  const values = cell.split('|').map((v) => v.trim());
  if (classes === null) {
    const distinct = [...new Set(values.filter((v) => v !== ''))];
    if (distinct.length === 0) return { drop: 'no class', values: cell };
    if (distinct.length > 1) return { drop: 'two classes', values: cell };
    return { cls: distinct[0] };
  }
  const found = new Set<string>();
  for (const v of values) for (const [value, cls] of classes) if (sameValue(value, v)) found.add(cls);
  if (found.size === 0) return { drop: 'no class', values: cell };
  if (found.size > 1) return { drop: 'two classes', values: cell };
  return { cls: [...found][0] };
}

/** A split cell or list name → the lab's split; null for anything else. */
export function splitOfValue(value: string): 'train' | 'val' | 'test' | null {
  const v = value.trim().toLowerCase();
  if (v === 'train' || v === 'training') return 'train';
  if (v === 'val' || v === 'valid' || v === 'validate' || v === 'validation') return 'val';
  if (v === 'test' || v === 'testing') return 'test';
  return null;
}
