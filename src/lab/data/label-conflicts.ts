import { showPath } from './errors';

/**
 * Label conflicts: the very same file (byte for byte) filed under two classes. Unlike a plain duplicate (the same
 * X-ray saved twice in one class, which only weighs double), a conflict trains the network to answer both labels for
 * one picture and scores it wrong whichever it answers. Which label is right cannot be told from the data, so the
 * policy is: every file of a conflicting group is left out of training, validation and test, and named, unless the
 * caller asks to keep them (`keepLabelConflicts`), in which case they are named and kept under both labels.
 */

/** One file of a conflict, with the class its folder gives it. */
export interface ConflictFile {
  readonly path: string;
  readonly className: string;
}

/** A group of byte-identical files that carry at least two different labels. */
export type LabelConflict = readonly ConflictFile[];

/** Reason listed for each left-out file; constant so that the summary groups them in one line. */
export const LABEL_CONFLICT_REASON =
  'label conflict: the same file is filed under two classes; left out of training, validation and test';

/** The groups of `duplicateGroups` whose files are in more than one class, `classOf` naming each file's class. */
export function findLabelConflicts(
  duplicateGroups: readonly (readonly string[])[],
  classOf: (path: string) => string,
): LabelConflict[] {
  const conflicts: LabelConflict[] = [];
  for (const group of duplicateGroups) {
    const files = group.map((path) => ({ path, className: classOf(path) }));
    if (new Set(files.map((f) => f.className)).size > 1) conflicts.push(files);
  }
  return conflicts;
}

/** `label conflict: a.png (NORMAL) and b.png (PNEUMONIA) are the same file`. */
export function describeLabelConflict(conflict: LabelConflict): string {
  const named = conflict.map((f) => `${showPath(f.path)} (${f.className})`);
  const list =
    named.length === 2 ? named.join(' and ') : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
  return `label conflict: ${list} are the same file`;
}
