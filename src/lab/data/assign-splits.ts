import type { SplitName } from './layout';
import { patientSplit } from './split';
import { splitGroupKeys } from './split-groups';

/** How images are shared out between train, validation and test. */
export interface SplitSettings {
  /** Share of the pool carved out for validation (unless the data's own val/ folder is kept). */
  readonly valFraction: number;
  /** Share of the pool carved out for testing when the data has no test/ folder. */
  readonly testFraction: number;
  readonly seed: number;
  /** Keep the data's own val/ folder (Kermany's: 16 images) instead of a patient-level split of train. */
  readonly keepOfficialVal: boolean;
}

/** The CLI's and the page's defaults: 10 % validation, 20 % test when the data brings no test folder. */
export const DEFAULT_SPLIT_SETTINGS: SplitSettings = {
  valFraction: 0.1,
  testFraction: 0.2,
  seed: 1,
  keepOfficialVal: false,
};

/** Where a split's images came from: the data's own folder, carved from the pool by patient, or nowhere. */
export type SplitOrigin = 'folder' | 'carved' | 'none';

/** One decoded image, as the split needs to know it. */
export interface AssignItem {
  readonly path: string;
  readonly label: number;
  /** The split folder the file sat in, when the data had train/val/test folders (or a table named its split). */
  readonly preset?: SplitName;
  /** A label table's patient key; absent: read from the file name. */
  readonly patient?: string;
}

/** The split of every item, and how each split was obtained. */
export interface SplitPlan {
  /** Same order as the items. */
  readonly assignment: SplitName[];
  readonly valOrigin: SplitOrigin;
  readonly testOrigin: SplitOrigin;
  /**
   * Pool images moved into a kept folder split (test/, or val/ when kept) because a file of the same patient, or a
   * byte-identical copy, sits there: moving them keeps every patient and every copy on one side.
   */
  readonly movedToFolderSplit: number;
}

/**
 * Patient-level split of decoded images. A test/ folder stays the test set (and the val/ folder the validation set
 * when `keepOfficialVal`); everything else forms the pool, split by whole patient groups (patients joined by
 * byte-identical copies, see splitGroupKeys), stratified by class and seeded.
 */
export function assignSplits(
  items: readonly AssignItem[],
  duplicateGroups: readonly (readonly string[])[],
  settings: SplitSettings,
): SplitPlan {
  const keys = splitGroupKeys(
    items.map((i) => i.path),
    duplicateGroups,
    items.map((i) => i.patient),
  );
  const fixedOf = (item: AssignItem): SplitName | null =>
    item.preset === 'test' ? 'test' : item.preset === 'val' && settings.keepOfficialVal ? 'val' : null;
  const hasTest = items.some((i) => i.preset === 'test');
  const hasVal = settings.keepOfficialVal && items.some((i) => i.preset === 'val');

  // A group with a member in a fixed split goes there whole (test wins over val).
  const groupFixed = new Map<string, SplitName>();
  items.forEach((item, i) => {
    const fixed = fixedOf(item);
    if (fixed && groupFixed.get(keys[i]) !== 'test') groupFixed.set(keys[i], fixed);
  });

  const assignment: SplitName[] = new Array(items.length);
  const pool: number[] = [];
  let moved = 0;
  items.forEach((item, i) => {
    const fixed = groupFixed.get(keys[i]);
    if (fixed) {
      assignment[i] = fixed;
      if (fixedOf(item) === null) moved++;
    } else pool.push(i);
  });

  const fractions = { val: hasVal ? 0 : settings.valFraction, test: hasTest ? 0 : settings.testFraction };
  const split = patientSplit(
    pool.map((i) => ({ label: items[i].label, patient: keys[i] })),
    fractions,
    settings.seed,
  );
  for (const name of ['train', 'val', 'test'] as const) for (const k of split[name]) assignment[pool[k]] = name;

  const origin = (folder: boolean, fraction: number): SplitOrigin =>
    folder ? 'folder' : fraction > 0 ? 'carved' : 'none';
  return {
    assignment,
    valOrigin: origin(hasVal, settings.valFraction),
    testOrigin: origin(hasTest, settings.testFraction),
    movedToFolderSplit: moved,
  };
}
