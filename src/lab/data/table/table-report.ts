/**
 * What a label table gave a dataset, as plain data: the table's identity (for the experiment card) and the counts of
 * what it dropped (for the summary).
 */
import type { TableMapping } from './mapping';

/** What the experiment card records of a table: enough to refuse another table and to replay the mapping. */
export interface TableIdentity {
  readonly file: string;
  readonly fingerprint: string;
  readonly mapping: TableMapping;
  readonly testList: { readonly file: string; readonly fingerprint: string } | null;
  readonly valList: { readonly file: string; readonly fingerprint: string } | null;
}

/** Why rows or images were left out, counted (the summary prints them; no cell value that could be PHI). */
export interface TableReport {
  readonly identity: TableIdentity;
  readonly hasHeader: boolean;
  /** Data rows (the header not counted). */
  readonly rows: number;
  readonly rowsDropped: {
    /** The image cell names no listed image (or is blank). */
    readonly noImage: number;
    /** The image cell names several images (`view1_frontal.jpg` in every study folder). */
    readonly ambiguousImage: number;
    /** No value of the label cell is mapped to a class (or the cell is blank). */
    readonly noClass: number;
    /** The label cell's values map to two classes or more. */
    readonly twoClasses: number;
  };
  /** One label cell per reason, to show what was dropped (label values only: an image cell may be a patient id). */
  readonly examples: { readonly noClass?: string; readonly twoClasses?: string };
  /** Images whose rows name two classes: left out and listed as skipped. */
  readonly conflicts: number;
  /** Images with rows, none of which maps to a class: left out (not listed one by one). */
  readonly imagesWithoutClass: number;
  /** Listed images the table has no row for: left out and listed as skipped. */
  readonly imagesWithoutRow: number;
  /** Names in --test-list / --val-list that match no listed image. */
  readonly listNamesUnmatched: number;
  /** True when val images were named (a list or the split column): they are the validation set. */
  readonly fixedVal: boolean;
}
