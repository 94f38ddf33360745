import { arrangeBySplit } from './arrange';
import { assignSplits, DEFAULT_SPLIT_SETTINGS, type SplitOrigin, type SplitSettings } from './assign-splits';
import { identifyLayout, type DataIdentity } from './data-identity';
import type { ImageDecoder, StoreFormat } from './decoder';
import { DuplicateFinder } from './duplicates';
import { saltPatientKey } from './dicom/patient-key';
import { DataError } from './errors';
import type { ImageSet } from './image-set';
import { imageBytes } from './image-set';
import { findLabelConflicts, LABEL_CONFLICT_REASON } from './label-conflicts';
import type { Layout, LayoutEntry, SkippedFile, SplitName } from './layout';
import { loadImages, withoutImages } from './load-images';
import { checkMemory, MAX_STORE_BYTES, storeBytes } from './memory';
import { scanSource, type IngestProgress, type ScannedSource } from './scan';
import type { DataSource } from './source';
import type { LabelTableSpec } from './table/table-layout';
import { stratifiedSubset } from './split';
import { positiveClassIndex, summarise, type DatasetSummary } from './summary';

/** How to load a dataset. Everything but the decoder has a default. */
export interface IngestOptions {
  /** Decodes and resizes; null: only read the files, hash them and check their headers (a scan, no pixels). */
  readonly decoder: ImageDecoder | null;
  /** Stored image format; default 224 × 224, 1 channel, stretched. */
  readonly format?: StoreFormat;
  readonly split?: Partial<SplitSettings>;
  /** Put every image in this split instead of splitting (a separate test folder). */
  readonly allAs?: SplitName;
  /** Load only files of these split folders (files outside split folders always load); default all. */
  readonly onlySplits?: readonly SplitName[];
  /** Seeded, class-stratified subset of at most this many images of the pool (a test/ folder is kept whole). */
  readonly limit?: number;
  /**
   * Load only these paths of what `onlySplits` and `limit` select (a budget subset, decode-plan.ts); default all.
   * The split keeps its settings: the subset is dealt like the whole set.
   */
  readonly only?: ReadonlySet<string>;
  /** The classes the data must have, in label order (a test folder must match its training data). */
  readonly classNames?: readonly string[];
  /** Class scored as positive, by name; default PNEUMONIA when present, else the second class. */
  readonly positiveClass?: string;
  /**
   * Keep byte-identical files filed under two classes (label conflicts) under both labels; default false: they are
   * left out of every split and named (see label-conflicts.ts).
   */
  readonly keepLabelConflicts?: boolean;
  /** Classes, patients and official splits from a label table instead of class folders (when given a source). */
  readonly labels?: LabelTableSpec;
  /** Refuse before decoding when the store would exceed this; default the largest single buffer (4 GiB). */
  readonly memoryLimitBytes?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: IngestProgress) => void;
}

/** A loaded dataset: the images arranged train | val | test in one uint8 store, the splits as views, the summary. */
export interface IngestResult {
  readonly summary: DatasetSummary;
  readonly layout: Layout;
  /** All loaded images (null when only scanned); train, val and test are contiguous views of its buffer. */
  readonly images: ImageSet | null;
  readonly train: ImageSet | null;
  readonly val: ImageSet | null;
  readonly test: ImageSet | null;
  /** Split of every loaded image, in `images` order (in entry order when only scanned). */
  readonly assignment: SplitName[];
  readonly duplicateGroups: string[][];
  /** Every image file the layout found (before `limit`): counts per class and a fingerprint of names and sizes. */
  readonly identity: DataIdentity;
  readonly aborted: boolean;
}

const DEFAULT_FORMAT: StoreFormat = { size: 224, channels: 1, mode: 'stretch' };

/**
 * The one ingestion pipeline, for Node and the browser alike: list → layout → (limit) → memory check → read, hash
 * and decode → patient-level split → summary. Bad files are listed in the summary and the rest loads; a cancelled
 * run returns what it had decoded, consistently (`aborted: true`). Throws a DataError for a source with no usable
 * layout, classes other than `classNames`, an unknown positive class, or a store too large for memory.
 */
export async function ingest(from: DataSource | ScannedSource, options: IngestOptions): Promise<IngestResult> {
  const { signal, onProgress } = options;
  const scanned = 'layout' in from ? from : await scanSource(from, { signal, onProgress, labels: options.labels });
  const { source, layout } = scanned;
  const format = { ...DEFAULT_FORMAT, ...options.format };
  const settings = effectiveSplit(layout, options.split);
  checkClasses(source.name, layout.classNames, options.classNames);
  const positiveClass = positiveClassIndex(layout.classNames, options.positiveClass);
  if (positiveClass < 0) {
    throw new DataError(
      source.name,
      `no class named "${options.positiveClass}" to score as positive (classes: ${layout.classNames.join(', ')})`,
    );
  }

  const entries = entriesToLoad(layout, options);
  if (options.decoder)
    checkMemory(source.name, entries.length, format.size, format.channels, options.memoryLimitBytes ?? MAX_STORE_BYTES);
  const totalBytes = entries.reduce((n, e) => n + (scanned.sizes.get(e.path) ?? 0), 0) || undefined;
  const progress = (phase: IngestProgress['phase'], done: number, failed: number, bytes: number): void =>
    onProgress?.({
      phase,
      found: entries.length,
      decoded: done - failed,
      skipped: failed,
      total: entries.length,
      bytes,
      totalBytes,
    });
  progress('loading', 0, 0, 0);
  let loaded = await loadImages(source, entries, {
    decoder: options.decoder,
    format,
    signal,
    onFile: (done, failed, bytes) => progress('loading', done, failed, bytes),
  });

  const finder = new DuplicateFinder();
  for (const i of loaded.loaded) finder.addKey(entries[i].path, loaded.info.get(i)!.key);
  let duplicateGroups = finder.groups();
  const classOf = new Map(entries.map((e) => [e.path, e.className]));
  const labelConflicts = findLabelConflicts(duplicateGroups, (path) => classOf.get(path)!);
  const conflictSkips: SkippedFile[] = [];
  if (labelConflicts.length > 0 && !options.keepLabelConflicts) {
    const drop = new Set(labelConflicts.flatMap((c) => c.map((f) => f.path)));
    loaded = withoutImages(loaded, (slot) => drop.has(entries[slot].path), imageBytes(format.size, format.channels));
    duplicateGroups = duplicateGroups.filter((g) => !drop.has(g[0]));
    for (const path of drop) conflictSkips.push({ path, reason: LABEL_CONFLICT_REASON });
  }
  // A DICOM's patient (its one-way key, salted again with this dataset's fingerprint) where no table named one.
  const identity = identifyLayout(layout, scanned.sizes);
  const fromDicom = new Map<string, string>();
  for (const slot of loaded.loaded) {
    const key = loaded.info.get(slot)!.patientKey;
    if (key && !entries[slot].patient) fromDicom.set(entries[slot].path, saltPatientKey(key, identity.fingerprint));
  }
  const withPatient = (e: LayoutEntry): LayoutEntry => {
    const patient = fromDicom.get(e.path);
    return patient ? { ...e, patient } : e;
  };
  const kept = loaded.loaded.map((i) => withPatient(entries[i]));
  const items = kept.map((e) => ({ path: e.path, label: e.label, preset: e.split, patient: e.patient }));
  const plan: { assignment: SplitName[]; valOrigin: SplitOrigin; testOrigin: SplitOrigin } = options.allAs
    ? { assignment: kept.map(() => options.allAs as SplitName), valOrigin: 'none', testOrigin: 'folder' }
    : assignSplits(items, duplicateGroups, settings);
  const { assignment } = plan;

  const summaryItems = kept.map((e, k) => {
    const info = loaded.info.get(loaded.loaded[k])!;
    return {
      path: e.path,
      label: e.label,
      split: assignment[k],
      patient: e.patient,
      width: info.width,
      height: info.height,
      format: info.format,
    };
  });
  const summary = summarise({
    source,
    classNames: layout.classNames,
    positiveClass,
    hasSplitFolders: layout.hasSplits,
    nestedCopy: layout.nestedCopy,
    items: summaryItems,
    skipped: [...layout.skipped, ...loaded.skipped, ...conflictSkips],
    duplicateGroups,
    labelConflicts,
    labelConflictsKept: options.keepLabelConflicts === true,
    valOrigin: plan.valOrigin,
    testOrigin: plan.testOrigin,
    splitSettings: settings,
    bytesRead: loaded.bytesRead,
    store: loaded.pixels
      ? { size: format.size, channels: format.channels, bytes: storeBytes(kept.length, format.size, format.channels) }
      : null,
    aborted: loaded.aborted,
    table: layout.table,
  });
  progress('done', entries.length, loaded.skipped.length, loaded.bytesRead);

  // The layout carries the DICOM patients too, so a later re-split (the page's) keeps them together.
  const base = {
    summary,
    layout: fromDicom.size > 0 ? { ...layout, entries: layout.entries.map(withPatient) } : layout,
    duplicateGroups,
    identity,
    aborted: loaded.aborted,
  };
  if (!loaded.pixels) return { ...base, images: null, train: null, val: null, test: null, assignment };
  const set: ImageSet = {
    size: format.size,
    channels: format.channels,
    classNames: layout.classNames,
    pixels: loaded.pixels,
    labels: Int32Array.from(kept, (e) => e.label),
    files: kept.map((e) => e.path),
    count: kept.length,
  };
  const arranged = arrangeBySplit(set, assignment);
  return {
    ...base,
    images: arranged.all,
    train: arranged.train,
    val: arranged.val,
    test: arranged.test,
    assignment: arranged.assignment,
  };
}

/** The split settings ingest uses: the asked ones over the defaults; a table's val list or split column keeps its val. */
function effectiveSplit(layout: Layout, split: Partial<SplitSettings> | undefined): SplitSettings {
  const asked = { ...DEFAULT_SPLIT_SETTINGS, ...split };
  // A table's val list or split column names the validation set, as a kept val/ folder would.
  return layout.table?.fixedVal ? { ...asked, keepOfficialVal: true } : asked;
}

/**
 * The layout entries `ingest` would read with these options, in layout order, before any file is opened: those of
 * `onlySplits`, the pool limited to `limit`, then `only`. What a decode estimate is made of.
 */
export function entriesToLoad(
  layout: Layout,
  options: Pick<IngestOptions, 'onlySplits' | 'limit' | 'allAs' | 'split' | 'only'>,
): LayoutEntry[] {
  const settings = effectiveSplit(layout, options.split);
  const wanted = options.onlySplits;
  const usable = wanted ? layout.entries.filter((e) => !e.split || wanted.includes(e.split)) : layout.entries;
  const selected = selectEntries(
    usable,
    options.limit,
    options.allAs ? false : settings.keepOfficialVal,
    settings.seed,
    options.allAs,
  );
  const only = options.only;
  return only ? selected.filter((e) => only.has(e.path)) : selected;
}

/** The entries to load: the pool (train, plus val unless kept) limited to `limit`, plus kept val and test folders. */
function selectEntries(
  all: readonly LayoutEntry[],
  limit: number | undefined,
  keepVal: boolean,
  seed: number,
  allAs?: SplitName,
): LayoutEntry[] {
  const fixed = (e: LayoutEntry): boolean => !allAs && (e.split === 'test' || (keepVal && e.split === 'val'));
  const pool = all.filter((e) => !fixed(e));
  if (limit == null || limit >= pool.length) return [...all];
  const keep = new Set(
    stratifiedSubset(
      pool.map((e) => e.label),
      limit,
      seed,
    ).map((i) => pool[i]),
  );
  return all.filter((e) => fixed(e) || keep.has(e));
}

function checkClasses(where: string, found: readonly string[], expected?: readonly string[]): void {
  if (!expected || expected.join('\n') === found.join('\n')) return;
  throw new DataError(
    where,
    `its classes (${found.join(', ')}) differ from the training data's (${expected.join(', ')})`,
  );
}
