/**
 * A dataset laid out by a label table instead of class folders: the listed image files joined to the table's rows
 * (RSNA's `stage_2_train_labels.csv`, NIH's `Data_Entry_2017.csv`, CheXpert's `train.csv`, COVIDx's `train.txt`),
 * classes from the label column through `--classes`, patients from a patient column, and official splits from
 * `--test-list` / `--val-list` files or a split column. The result is an ordinary Layout, so `scan`, `compare`,
 * `run` and the page load it through the one pipeline.
 *
 * Patient ids are replaced by salted hashes as they are read: the split needs to know which images share a patient,
 * never who the patient is, and nothing downstream can write what it never held.
 */
import { DataError } from '../errors';
import { skipReason } from '../file-kinds';
import type { Layout, LayoutEntry, SkippedFile, SplitName } from '../layout';
import { Fingerprint } from '../../util/fingerprint';
import { ImageIndex } from './image-index';
import { classOfCell, namesHeaderCell, resolveColumn, splitOfValue, type TableMapping } from './mapping';
import { parseTable, type ParsedTable } from './read-table';
import type { TableIdentity, TableReport } from './table-report';

/**
 * A file of image names forming one official split (NIH's `test_list.txt`, one name a line), or a table whose rows
 * each name an image in some cell (COVIDx's `test.txt`: `patient_id filename label source`).
 */
export interface SplitList {
  readonly name: string;
  readonly fingerprint: string;
  /** The cells of each line; the first cell naming an image is the image. */
  readonly rows: readonly (readonly string[])[];
}

/** Everything a table layout needs besides the listed files. */
export interface LabelTableSpec {
  readonly table: ParsedTable;
  readonly mapping: TableMapping;
  readonly testList?: SplitList | null;
  readonly valList?: SplitList | null;
}

/** The reason an image without a row is skipped; a constant head so the summary groups it. */
export const NOT_IN_TABLE_REASON = 'not in the label table';

/** Reads a split list's bytes (any table: plain or .gz, one name a line or several cells). */
export function parseSplitList(bytes: Uint8Array, name: string): SplitList {
  const table = parseTable(bytes, name);
  return { name, fingerprint: table.fingerprint, rows: table.rows.map((r) => r.cells) };
}

/**
 * The layout of `paths` (files and `folder/` entries, as a source lists them) under a label table. Non-image files
 * are skipped as in a folder layout; `refused` (links not followed) are added to the skipped files. Throws a
 * DataError naming the table for an unknown column, a bad split cell, or fewer than two classes with images.
 */
export function tableLayout(
  paths: readonly string[],
  refused: readonly SkippedFile[],
  spec: LabelTableSpec,
  root: string,
): Layout & { table: TableReport } {
  const { table, mapping } = spec;
  const skipped: SkippedFile[] = [...refused];
  const images: string[] = [];
  for (const path of paths) {
    if (path.endsWith('/')) continue;
    const reason = skipReason(path);
    if (reason) skipped.push({ path, reason });
    else images.push(path);
  }
  if (images.length === 0)
    throw new DataError(
      root,
      `no images (.jpg, .jpeg, .png, .dcm) found${skipped.length > 0 ? ` (${skipped.length} other files skipped)` : ''}`,
    );
  const index = new ImageIndex(images);

  // The first row is a header when a column is named in it, or when (all columns given by number) its image cell
  // names no image: read either way, a wrong guess only moves one row between "header" and "no image".
  const named = [mapping.imageColumn, mapping.labelColumn, mapping.patientColumn, mapping.splitColumn];
  let hasHeader = named.some((spec) => namesHeaderCell(table, spec));
  if (!hasHeader && named.every((s) => s === null || /^\d+$/.test(s)) && /^\d+$/.test(mapping.imageColumn)) {
    hasHeader = 'none' in index.find(table.rows[0].cells[Number(mapping.imageColumn) - 1] ?? '');
  }
  const imageCol = resolveColumn(table, mapping.imageColumn, '--image-column', hasHeader).index;
  const labelCol = resolveColumn(table, mapping.labelColumn, '--label-column', hasHeader).index;
  const patientCol =
    mapping.patientColumn === null
      ? null
      : resolveColumn(table, mapping.patientColumn, '--patient-column', hasHeader).index;
  const splitCol =
    mapping.splitColumn === null ? null : resolveColumn(table, mapping.splitColumn, '--split-column', hasHeader);

  const rows = hasHeader ? table.rows.slice(1) : table.rows;
  const dropped = { noImage: 0, ambiguousImage: 0, noClass: 0, twoClasses: 0 };
  const examples: { noClass?: string; twoClasses?: string } = {};
  interface Found {
    classes: Map<string, number>;
    patient?: string;
    split?: SplitName;
  }
  const found = new Map<number, Found>();
  const hashPatient = (id: string): string =>
    `patient:${new Fingerprint().update(`${table.fingerprint}\n${id}`).digest()}`;
  for (const row of rows) {
    const cell = row.cells[imageCol] ?? '';
    const match = cell.trim() === '' ? { none: true as const } : index.find(cell);
    if ('none' in match) {
      dropped.noImage++;
      continue;
    }
    if ('ambiguous' in match) {
      dropped.ambiguousImage++;
      continue;
    }
    const state: Found = found.get(match.image) ?? { classes: new Map<string, number>() };
    found.set(match.image, state);
    if (splitCol) {
      const value = row.cells[splitCol.index] ?? '';
      const split = splitOfValue(value);
      if (value.trim() !== '' && split === null) {
        throw new DataError(
          table.name,
          `line ${row.line}: ${splitCol.shown} "${value}" is not train, val (validate) or test (--split-column)`,
        );
      }
      if (split) state.split ??= split;
    }
    const patient = patientCol === null ? '' : (row.cells[patientCol] ?? '').trim();
    if (patient !== '') state.patient ??= hashPatient(patient);
    const cls = classOfCell(row.cells[labelCol] ?? '', mapping.classes);
    if ('drop' in cls) {
      if (cls.drop === 'no class') {
        dropped.noClass++;
        examples.noClass ??= cls.values;
      } else {
        dropped.twoClasses++;
        examples.twoClasses ??= cls.values;
      }
      continue;
    }
    if (!state.classes.has(cls.cls)) state.classes.set(cls.cls, row.line);
  }

  // Official split lists name their images; a name found in both is a conflict.
  let listNamesUnmatched = 0;
  const listed = new Map<number, SplitName | 'both'>();
  for (const [list, split] of [
    [spec.testList, 'test'],
    [spec.valList, 'val'],
  ] as const) {
    if (!list) continue;
    for (const cells of list.rows) {
      const match = cells.map((c) => (c === '' ? { none: true as const } : index.find(c))).find((m) => 'image' in m);
      if (!match || !('image' in match)) {
        listNamesUnmatched++;
        continue;
      }
      const before = listed.get(match.image);
      listed.set(match.image, before === undefined || before === split ? split : 'both');
    }
  }

  const entries: Omit<LayoutEntry, 'label'>[] = [];
  let conflicts = 0;
  let imagesWithoutClass = 0;
  let imagesWithoutRow = 0;
  images.forEach((path, i) => {
    const state = found.get(i);
    if (!state) {
      imagesWithoutRow++;
      skipped.push({ path, reason: `${NOT_IN_TABLE_REASON} (${table.name})` });
      return;
    }
    if (state.classes.size === 0) {
      imagesWithoutClass++;
      return;
    }
    if (state.classes.size > 1) {
      conflicts++;
      const shown = [...state.classes]
        .slice(0, 3)
        .map(([c, line]) => `${c} (line ${line})`)
        .join(' and ');
      skipped.push({ path, reason: `label conflict: ${table.name} gives it ${shown}; left out` });
      return;
    }
    const inList = listed.get(i);
    if (inList === 'both') {
      skipped.push({ path, reason: `named by both ${spec.testList!.name} and ${spec.valList!.name}; left out` });
      return;
    }
    const split = inList ?? state.split;
    const className = [...state.classes.keys()][0];
    entries.push({
      path,
      className,
      ...(split ? { split } : {}),
      ...(state.patient ? { patient: state.patient } : {}),
    });
  });

  const classNames = [...new Set(entries.map((e) => e.className))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const unused = mapping.classes?.map(([, c]) => c).find((c) => !classNames.includes(c));
  if (unused !== undefined)
    throw new DataError(table.name, `no image has class ${unused} (--classes${dropSummary(dropped)})`);
  if (classNames.length < 2) {
    const what = classNames.length === 0 ? 'no image has a class' : `only one class (${classNames[0]}) has images`;
    throw new DataError(
      table.name,
      `${what}; at least 2 classes are needed (${found.size} of ${images.length} images have rows${dropSummary(dropped)})`,
    );
  }
  const labelOf = new Map(classNames.map((c, i) => [c, i]));
  const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const identity: TableIdentity = {
    file: table.name,
    fingerprint: table.fingerprint,
    mapping,
    testList: spec.testList ? { file: spec.testList.name, fingerprint: spec.testList.fingerprint } : null,
    valList: spec.valList ? { file: spec.valList.name, fingerprint: spec.valList.fingerprint } : null,
  };
  const sorted = entries.sort(byPath).map((e) => ({ ...e, label: labelOf.get(e.className)! }));
  return {
    classNames,
    entries: sorted,
    skipped: skipped.sort(byPath),
    hasSplits: sorted.some((e) => e.split !== undefined),
    prefix: '',
    nestedCopy: '',
    table: {
      identity,
      hasHeader,
      rows: rows.length,
      rowsDropped: dropped,
      examples,
      conflicts,
      imagesWithoutClass,
      imagesWithoutRow,
      listNamesUnmatched,
      fixedVal: sorted.some((e) => e.split === 'val'),
    },
  };
}

function dropSummary(d: TableReport['rowsDropped']): string {
  const parts = [
    d.noImage ? `${d.noImage} rows name no image` : '',
    d.noClass ? `${d.noClass} rows map to no class` : '',
    d.twoClasses ? `${d.twoClasses} rows map to two classes` : '',
  ].filter(Boolean);
  return parts.length > 0 ? `; ${parts.join(', ')}` : '';
}
