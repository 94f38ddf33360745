/**
 * The label-table options of `scan`, `compare` and `run` (--labels, the column flags, --classes, the split lists),
 * checked together and read from disk into the core's LabelTableSpec. The core does the joining (lab/data/table).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { DataError } from '../lab/data/errors';
import { parseClassMap, type TableMapping } from '../lab/data/table/mapping';
import { mergeTables, parseTable } from '../lab/data/table/read-table';
import { parseSplitList, type LabelTableSpec } from '../lab/data/table/table-layout';
import type { TableIdentity } from '../lab/data/table/table-report';
import { CliError } from './cli-error';
import type { OtherOption } from './experiment-flags';

export const LABEL_OPTIONS: Record<string, OtherOption> = {
  labels: {
    kind: 'values',
    help: 'FILE: a label table (CSV, TSV or whitespace-separated, with or without a header, plain or .gz) giving each image its class; give it again to add a table',
  },
  'image-column': {
    kind: 'value',
    help: 'NAME|N: the table column naming the image (a relative path, a file name, or one without its extension)',
  },
  'label-column': { kind: 'value', help: 'NAME|N: the table column holding the label (values split on |)' },
  'patient-column': {
    kind: 'value',
    help: 'NAME|N: the table column holding the patient id (default: read from file names)',
  },
  classes: {
    kind: 'value',
    help: '"VALUE=CLASS,…": label values to classes; other values are ignored (default: each value its own class)',
  },
  'test-list': { kind: 'value', help: 'FILE: images (one a line) forming the test set' },
  'val-list': { kind: 'value', help: 'FILE: images (one a line) forming the validation set' },
  'split-column': { kind: 'value', help: 'NAME|N: the table column saying train, val (validate) or test' },
};

/** The files and the mapping, as given (or as a card recorded them). */
export interface LabelRequest {
  readonly labels: readonly string[];
  readonly testList?: string;
  readonly valList?: string;
  readonly mapping: TableMapping;
}

type Options = Record<string, string | boolean | string[] | undefined>;
const text = (options: Options, name: string): string | undefined =>
  typeof options[name] === 'string' ? (options[name] as string) : undefined;
const files = (options: Options): string[] | undefined =>
  Array.isArray(options.labels) && options.labels.length > 0 ? options.labels : undefined;
const MAPPING_FLAGS = ['image-column', 'label-column', 'patient-column', 'classes', 'split-column'] as const;

/** The label request of a command line, or null without --labels. Refuses a mapping flag without --labels. */
export function labelRequestOf(options: Options): LabelRequest | null {
  const labels = files(options);
  if (labels === undefined) {
    const stray = [...MAPPING_FLAGS, 'test-list', 'val-list'].find((f) => options[f] !== undefined);
    if (stray) throw new CliError(`--${stray} needs --labels FILE (a label table)`);
    return null;
  }
  const imageColumn = text(options, 'image-column');
  const labelColumn = text(options, 'label-column');
  if (imageColumn === undefined)
    throw new CliError('--labels needs --image-column NAME|N: the column naming each image');
  if (labelColumn === undefined)
    throw new CliError('--labels needs --label-column NAME|N: the column holding each label');
  const classesText = text(options, 'classes');
  let classes: TableMapping['classes'] = null;
  try {
    classes = classesText === undefined ? null : parseClassMap(classesText);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  return {
    labels,
    testList: text(options, 'test-list'),
    valList: text(options, 'val-list'),
    mapping: {
      imageColumn,
      labelColumn,
      patientColumn: text(options, 'patient-column') ?? null,
      splitColumn: text(options, 'split-column') ?? null,
      classes,
    },
  };
}

/**
 * A replay's label request: the mapping the card recorded, the files from the command line. Refuses mapping flags
 * (the card's mapping is what ran) and a missing --labels or list the card needs.
 */
export function replayLabelRequest(options: Options, recorded: TableIdentity | undefined): LabelRequest | null {
  const given = MAPPING_FLAGS.find((f) => options[f] !== undefined);
  if (given) throw new CliError(`run replays the card's table mapping: --${given} cannot change it (use compare)`);
  if (!recorded) {
    if (options.labels !== undefined) throw new CliError('--labels: the card ran on class folders, not a label table');
    return null;
  }
  const labels = files(options);
  if (labels === undefined)
    throw new CliError(`the card's classes came from the label table ${recorded.file}: give it with --labels FILE`);
  for (const [flag, list] of [
    ['test-list', recorded.testList],
    ['val-list', recorded.valList],
  ] as const) {
    if (list && options[flag] === undefined)
      throw new CliError(`the card's split came from ${list.file}: give it with --${flag} FILE`);
  }
  return {
    labels,
    testList: text(options, 'test-list'),
    valList: text(options, 'val-list'),
    mapping: recorded.mapping,
  };
}

/** Reads the table and the lists. Throws a DataError naming the file that is missing or unreadable. */
export async function readLabelSpec(request: LabelRequest): Promise<LabelTableSpec> {
  const bytes = async (path: string, flag: string): Promise<Uint8Array> =>
    readFile(path).then(
      (b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
      (err: NodeJS.ErrnoException) => {
        throw new DataError(
          path,
          `${flag}: ${err.code === 'ENOENT' ? 'file does not exist' : err.code === 'EISDIR' ? 'is a folder, not a table' : `cannot read (${err.code ?? err.message})`}`,
        );
      },
    );
  const tables = [];
  for (const path of request.labels) tables.push(parseTable(await bytes(path, '--labels'), basename(path)));
  const table = mergeTables(tables);
  const testList = request.testList
    ? parseSplitList(await bytes(request.testList, '--test-list'), basename(request.testList))
    : null;
  const valList = request.valList
    ? parseSplitList(await bytes(request.valList, '--val-list'), basename(request.valList))
    : null;
  return { table, mapping: request.mapping, testList, valList };
}
