/**
 * A dataset's identity without its pixels: how many image files each class has and a fingerprint of the sorted file
 * names and byte sizes, so an experiment card can say which data it ran on and a replay can refuse other data. And
 * the split manifest: which file went to train, validation and test, with its own fingerprint.
 */
import { Fingerprint } from '../util/fingerprint';
import type { ImageSet } from './image-set';
import type { Layout } from './layout';
import type { TableIdentity } from './table/table-report';

export interface DataIdentity {
  /** Image files the layout found (before any --limit), per class name. */
  readonly filesPerClass: Record<string, number>;
  readonly files: number;
  /** 16 hex digits over the sorted `path<TAB>bytes` lines, paths relative to the data's root. */
  readonly fingerprint: string;
  /** Wrapper folders (a zip's `chest_xray/`) left out of the paths, so a folder and its zip agree. */
  readonly root: string;
  /**
   * The label table that gave the classes (its file name and fingerprint, the column mapping, the split lists);
   * absent for class folders. Part of `fingerprint`, so a replay refuses another table or mapping.
   */
  readonly table?: TableIdentity;
}

/** Which image went to which split, by path relative to the data's root. */
export interface SplitManifest {
  readonly train: string[];
  readonly val: string[];
  readonly test: string[];
  /** Fingerprint of the three lists. */
  readonly hash: string;
}

/** The identity of what a layout lists; `sizes` by layout path (the source's listing). */
export function identifyLayout(layout: Layout, sizes: ReadonlyMap<string, number>): DataIdentity {
  const lines = layout.entries.map((e) => `${relative(e.path, layout.prefix)}\t${sizes.get(e.path) ?? -1}`);
  const filesPerClass: Record<string, number> = Object.fromEntries(layout.classNames.map((c) => [c, 0]));
  for (const e of layout.entries) filesPerClass[e.className]++;
  const table = layout.table?.identity;
  // A table decides the classes, so its bytes and mapping are part of what the data is (a tab cannot start a path).
  if (table)
    lines.push(
      `\ttable\t${JSON.stringify({ ...table, file: undefined, testList: table.testList?.fingerprint, valList: table.valList?.fingerprint })}`,
    );
  const identity = {
    filesPerClass,
    files: layout.entries.length,
    fingerprint: fingerprintLines(lines),
    root: layout.prefix,
  };
  return table ? { ...identity, table } : identity;
}

/**
 * The identity of a generated set (no files behind it): its names, with the stored bytes of each image as the
 * "size", so the same generator settings give the same identity.
 */
export function identifyGenerated(set: ImageSet): DataIdentity {
  const per = set.size * set.size * set.channels;
  const filesPerClass: Record<string, number> = Object.fromEntries(set.classNames.map((c) => [c, 0]));
  for (let i = 0; i < set.count; i++) filesPerClass[set.classNames[set.labels[i]]]++;
  return {
    filesPerClass,
    files: set.count,
    fingerprint: fingerprintLines(set.files.map((f) => `${f}\t${per}`)),
    root: '',
  };
}

/** The manifest of three split sets, paths relative to `root` and sorted (set order is not part of the split). */
export function splitManifest(
  sets: { train: ImageSet; val: ImageSet | null; test: ImageSet },
  root = '',
): SplitManifest {
  const list = (set: ImageSet | null) =>
    set
      ? set.files
          .slice(0, set.count)
          .map((f) => relative(f, root))
          .sort()
      : [];
  const train = list(sets.train);
  const val = list(sets.val);
  const test = list(sets.test);
  const hash = new Fingerprint().update(['train', ...train, 'val', ...val, 'test', ...test].join('\n')).digest();
  return { train, val, test, hash };
}

function fingerprintLines(lines: string[]): string {
  return new Fingerprint().update([...lines].sort().join('\n')).digest();
}

function relative(path: string, root: string): string {
  return root && path.startsWith(root) ? path.slice(root.length) : path;
}
