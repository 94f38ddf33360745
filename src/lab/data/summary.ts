import type { SplitOrigin, SplitSettings } from './assign-splits';
import type { ImageFormat } from './image-header';
import type { LabelConflict } from './label-conflicts';
import { SPLIT_NAMES, type SkippedFile, type SplitName } from './layout';
import { patientId } from './patient-id';
import type { DataSource } from './source';
import type { TableReport } from './table/table-report';

/** Images of one split: how many, per class, and how many patients they belong to. */
export interface SplitCounts {
  readonly count: number;
  /** In label order. */
  readonly perClass: number[];
  readonly patients: number;
}

/** Skipped files grouped by the reason's head (`corrupt or truncated JPEG`), with one example. */
export interface SkipGroup {
  readonly reason: string;
  readonly count: number;
  readonly example: SkippedFile;
}

/** What a dataset holds, as the pipeline found it: shown by the page and printed by `xray-lab scan`. */
export interface DatasetSummary {
  readonly source: string;
  readonly kind: DataSource['kind'];
  readonly classNames: string[];
  /** Index of the class scored as positive (sensitivity, ROC): PNEUMONIA when present unless chosen. */
  readonly positiveClass: number;
  /** Images loaded (decoded, or with a readable header when only scanned). */
  readonly images: number;
  readonly perClass: number[];
  readonly patients: number;
  readonly splits: Record<SplitName, SplitCounts>;
  readonly valOrigin: SplitOrigin;
  readonly testOrigin: SplitOrigin;
  /** The fractions and seed the split used. */
  readonly splitSettings: SplitSettings;
  /** True when the data came in train/val/test folders. */
  readonly hasSplitFolders: boolean;
  /** Nested copy of the tree that was counted once (`chest_xray/chest_xray/`), '' when none. */
  readonly nestedCopy: string;
  /** Byte-identical files among those loaded: groups, files in them, and copies beyond the first of each. */
  readonly duplicates: {
    readonly groups: number;
    readonly files: number;
    readonly redundant: number;
    readonly list: string[][];
  };
  /**
   * Byte-identical files filed under different classes. Left out of every split (and listed as skipped) unless
   * `kept`, in which case they are loaded under each of their labels.
   */
  readonly labelConflicts: { readonly list: LabelConflict[]; readonly kept: boolean };
  /** Patients and duplicate groups found in more than one split: 0 unless something is wrong. */
  readonly leaks: { readonly patients: number; readonly duplicateGroups: number };
  readonly skipped: SkippedFile[];
  readonly skippedByReason: SkipGroup[];
  /** Original image sizes in pixels, null when no image was loaded. */
  readonly imageSize: {
    readonly minWidth: number;
    readonly maxWidth: number;
    readonly minHeight: number;
    readonly maxHeight: number;
  } | null;
  readonly formats: Partial<Record<ImageFormat, number>>;
  /** Bytes of image files read. */
  readonly bytesRead: number;
  /** The uint8 store, null when the images were only scanned. */
  readonly store: { readonly size: number; readonly channels: 1 | 3; readonly bytes: number } | null;
  /** True when loading was cancelled: the counts cover what was loaded until then. */
  readonly aborted: boolean;
  /** The label table that gave the classes, and what it dropped; null or absent for class folders. */
  readonly table?: TableReport | null;
}

/** One image's place in the split: all that a new split of the same images changes in the summary. */
export interface SplitItem {
  readonly path: string;
  readonly label: number;
  readonly split: SplitName;
  /** A label table's patient key; absent: read from the file name. */
  readonly patient?: string;
}

/** One loaded image, as the summary needs it. */
export interface SummaryItem extends SplitItem {
  readonly width: number;
  readonly height: number;
  readonly format: ImageFormat;
}

/** Everything summarise() reads. */
export interface SummaryInput {
  readonly source: Pick<DataSource, 'name' | 'kind'>;
  readonly classNames: string[];
  readonly positiveClass: number;
  readonly hasSplitFolders: boolean;
  readonly nestedCopy: string;
  readonly items: readonly SummaryItem[];
  readonly skipped: readonly SkippedFile[];
  readonly duplicateGroups: string[][];
  /** Label conflicts found while loading (default none). */
  readonly labelConflicts?: LabelConflict[];
  /** True when they were kept under both labels (default: left out). */
  readonly labelConflictsKept?: boolean;
  readonly valOrigin: SplitOrigin;
  readonly testOrigin: SplitOrigin;
  readonly splitSettings: SplitSettings;
  readonly bytesRead: number;
  readonly store: DatasetSummary['store'];
  readonly aborted: boolean;
  readonly table?: TableReport;
}

/** The summary's counts that depend on which split each image is in. */
type SplitPart = Pick<DatasetSummary, 'images' | 'perClass' | 'patients' | 'splits' | 'leaks'>;

function splitPart(items: readonly SplitItem[], classNames: readonly string[], duplicateGroups: string[][]): SplitPart {
  const perClassOf = (list: readonly SplitItem[]): number[] => {
    const counts = new Array<number>(classNames.length).fill(0);
    for (const item of list) counts[item.label]++;
    return counts;
  };
  const patientOf = (i: SplitItem): string => i.patient ?? patientId(i.path);
  const patientsOf = (list: readonly SplitItem[]): number => new Set(list.map(patientOf)).size;
  const splits = {} as Record<SplitName, SplitCounts>;
  for (const name of SPLIT_NAMES) {
    const list = items.filter((i) => i.split === name);
    splits[name] = { count: list.length, perClass: perClassOf(list), patients: patientsOf(list) };
  }

  const splitsOfPatient = new Map<string, Set<SplitName>>();
  for (const item of items) {
    const id = patientOf(item);
    splitsOfPatient.set(id, (splitsOfPatient.get(id) ?? new Set()).add(item.split));
  }
  const splitOfPath = new Map(items.map((i) => [i.path, i.split]));
  const straddling = duplicateGroups.filter((g) => new Set(g.map((p) => splitOfPath.get(p))).size > 1).length;
  return {
    images: items.length,
    perClass: perClassOf(items),
    patients: splitsOfPatient.size,
    splits,
    leaks: { patients: [...splitsOfPatient.values()].filter((s) => s.size > 1).length, duplicateGroups: straddling },
  };
}

/**
 * The summary of the same images split again: the split's counts and leaks recounted, everything else (sizes,
 * formats, skipped files, duplicates) carried over, since a split does not change it.
 */
export function summariseResplit(
  prev: DatasetSummary,
  items: readonly SplitItem[],
  split: Pick<DatasetSummary, 'valOrigin' | 'testOrigin' | 'splitSettings'>,
): DatasetSummary {
  return { ...prev, ...splitPart(items, prev.classNames, prev.duplicates.list), ...split };
}

/** Builds the DatasetSummary. */
export function summarise(input: SummaryInput): DatasetSummary {
  const { items, classNames } = input;
  const { images, perClass, patients, splits, leaks } = splitPart(items, classNames, input.duplicateGroups);

  const formats: Partial<Record<ImageFormat, number>> = {};
  for (const item of items) formats[item.format] = (formats[item.format] ?? 0) + 1;
  let sizes: DatasetSummary['imageSize'] = null;
  for (const { width, height } of items) {
    // A loop, not Math.min(...spread): a spread of a large dataset overflows the call stack.
    sizes =
      sizes === null
        ? { minWidth: width, maxWidth: width, minHeight: height, maxHeight: height }
        : {
            minWidth: Math.min(sizes.minWidth, width),
            maxWidth: Math.max(sizes.maxWidth, width),
            minHeight: Math.min(sizes.minHeight, height),
            maxHeight: Math.max(sizes.maxHeight, height),
          };
  }

  return {
    source: input.source.name,
    kind: input.source.kind,
    classNames,
    positiveClass: input.positiveClass,
    images,
    perClass,
    patients,
    splits,
    valOrigin: input.valOrigin,
    testOrigin: input.testOrigin,
    splitSettings: input.splitSettings,
    hasSplitFolders: input.hasSplitFolders,
    nestedCopy: input.nestedCopy,
    duplicates: {
      groups: input.duplicateGroups.length,
      files: input.duplicateGroups.reduce((n, g) => n + g.length, 0),
      redundant: input.duplicateGroups.reduce((n, g) => n + g.length - 1, 0),
      list: input.duplicateGroups,
    },
    labelConflicts: { list: input.labelConflicts ?? [], kept: input.labelConflictsKept === true },
    leaks,
    skipped: [...input.skipped].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    skippedByReason: groupSkipped(input.skipped),
    imageSize: sizes,
    formats,
    bytesRead: input.bytesRead,
    store: input.store,
    aborted: input.aborted,
    table: input.table ?? null,
  };
}

/** Groups by the reason without its parenthesised detail, largest group first. */
function groupSkipped(skipped: readonly SkippedFile[]): SkipGroup[] {
  const groups = new Map<string, { count: number; example: SkippedFile }>();
  for (const s of skipped) {
    const head = s.reason.replace(/\s*\(.*$/, '').replace(/;.*$/, '');
    const group = groups.get(head);
    if (group) group.count++;
    else groups.set(head, { count: 1, example: s });
  }
  return [...groups]
    .map(([reason, g]) => ({ reason, ...g }))
    .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1));
}

/** The positive class: `requested` by name (any letter case), else PNEUMONIA when present, else the second class. */
export function positiveClassIndex(classNames: readonly string[], requested?: string): number {
  if (requested != null) return classNames.findIndex((c) => c.toLowerCase() === requested.toLowerCase());
  const pneumonia = classNames.findIndex((c) => c.toUpperCase() === 'PNEUMONIA');
  return pneumonia >= 0 ? pneumonia : Math.min(1, classNames.length - 1);
}
