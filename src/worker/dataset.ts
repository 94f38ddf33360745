/**
 * The worker's one loaded dataset, read through the core pipeline (src/lab/data): where it came from (so it can be
 * decoded again at another input size), every image in one uint8 store arranged train | val | test, the three
 * splits as views of it, and the core's summary. A new split (fractions, seed) only reorders the store in place.
 */
import { arrangeBySplit } from '../lab/data/arrange';
import { assignSplits } from '../lab/data/assign-splits';
import { identifyGenerated, type DataIdentity } from '../lab/data/data-identity';
import { ingestPicked } from '../lab/data/browser';
import { DataError } from '../lab/data/errors';
import type { ImageSet } from '../lab/data/image-set';
import type { SplitName } from '../lab/data/layout';
import { storeBytes } from '../lab/data/memory';
import { generatePhantomImages } from '../lab/data/phantom';
import { positiveClassIndex, summarise, summariseResplit, type DatasetSummary } from '../lab/data/summary';
import { readPickedLabels, type PickedLabels } from '../lab/data/table/picked-labels';
import type { DatasetInfo, ImageFormat, IngestProgress, LoadFormat, Picked, SplitSettings } from './protocol';
import { emit } from './rpc';
import { thumbnails } from './thumbnails';

/** Where a dataset came from; a picked one with its image limit (0 = all), so decoding again keeps the same subset. */
export type DatasetSource =
  | { kind: 'demo'; perClass: number; seed: number }
  /** Picked files; with `labels`, classes come from a label table among them (the page's column form). */
  | { kind: 'picked'; picked: Picked; limit: number; labels?: PickedLabels | null }
  /** A picked dataset restored from browser storage (see dataset-autosave.ts): its files are not at hand to decode again. */
  | { kind: 'stored'; name: string; limit: number; size: number };

export interface LoadedDataset {
  readonly source: DatasetSource;
  /** Every image, arranged train | val | test for `split`; the sets below are views of its buffer. */
  readonly images: ImageSet;
  readonly sets: { readonly train: ImageSet; readonly val: ImageSet; readonly test: ImageSet };
  readonly split: SplitSettings;
  /** The split folder each file sat in, by path, when the data came in train/val/test folders. */
  readonly presets: ReadonlyMap<string, SplitName>;
  /** A label table's patient key of each file, by path (salted hashes); empty for class folders. */
  readonly patients?: ReadonlyMap<string, string>;
  readonly duplicateGroups: string[][];
  readonly summary: DatasetSummary;
  /** Every image file of the source (before any limit): counts and a fingerprint of names and sizes. */
  readonly identity: DataIdentity;
}

export interface LoadOptions {
  readonly format: ImageFormat;
  readonly split: SplitSettings;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: IngestProgress) => void;
}

/**
 * Loads `source` at `format`, split by `split`. Null when cancelled (the partial set is dropped: the page keeps its
 * previous dataset). A bad layout or a store too large for memory throws the core's DataError before any decoding.
 */
export async function loadDataset(source: DatasetSource, options: LoadOptions): Promise<LoadedDataset | null> {
  if (source.kind === 'demo') return demoDataset(source, options);
  if (source.kind === 'stored') {
    throw new DataError(
      source.name,
      `was restored from browser storage at ${source.size} px with its image limit; load the folder or zip again to decode it at another size, channel count or limit`,
    );
  }
  const { format, split, signal, onProgress } = options;
  let result;
  try {
    const limit = source.limit > 0 ? source.limit : undefined;
    if (source.labels && source.picked.kind !== 'files')
      throw new DataError(source.picked.name, 'a label table is read from a dropped folder, not from inside a zip');
    const labels =
      source.labels && source.picked.kind === 'files'
        ? await readPickedLabels(source.picked.files, source.labels)
        : undefined;
    result = await ingestPicked(source.picked, { format, split, signal, onProgress, limit, labels });
  } catch (err) {
    if (signal?.aborted) return null; // cancelled while listing: the scan throws the signal's reason
    throw err;
  }
  if (result.aborted) return null;
  const { summary, train, val, test, images } = result;
  if (!images || !train || !val || !test) throw new Error(`${summary.source}: no images were decoded`);
  if (summary.images === 0) throw noImages(summary);
  const presets = new Map(result.layout.entries.flatMap((e) => (e.split ? [[e.path, e.split] as const] : [])));
  const patients = new Map(result.layout.entries.flatMap((e) => (e.patient ? [[e.path, e.patient] as const] : [])));
  return {
    source,
    images,
    sets: { train, val, test },
    split,
    presets,
    patients,
    duplicateGroups: result.duplicateGroups,
    summary,
    identity: result.identity,
  };
}

/** Every image failed: say so with the reasons, rather than load an empty dataset. */
function noImages(summary: DatasetSummary): DataError {
  const reasons = summary.skippedByReason.map((g) => `${g.count} × ${g.reason} (e.g. ${g.example.path})`).join('; ');
  return new DataError(summary.source, `none of its images could be read: ${reasons}`);
}

/** The same dataset split again (no decoding): the store is reordered in place and the summary recounted. */
export function resplit(ds: LoadedDataset, split: SplitSettings): LoadedDataset {
  if (sameSplit(ds.split, split)) return ds;
  const { images } = ds;
  const items = images.files.map((path, i) => ({
    path,
    label: images.labels[i],
    preset: ds.presets.get(path),
    patient: ds.patients?.get(path),
  }));
  // A table's val list or split column keeps its validation set, as at load.
  const plan = assignSplits(
    items,
    ds.duplicateGroups,
    ds.summary.table?.fixedVal ? { ...split, keepOfficialVal: true } : split,
  );
  const arranged = arrangeBySplit(images, plan.assignment);
  const placed = arranged.all.files.map((path, i) => ({
    path,
    label: arranged.all.labels[i],
    split: arranged.assignment[i],
    patient: ds.patients?.get(path),
  }));
  const summary = summariseResplit(ds.summary, placed, {
    valOrigin: plan.valOrigin,
    testOrigin: plan.testOrigin,
    splitSettings: split,
  });
  return {
    ...ds,
    images: arranged.all,
    sets: { train: arranged.train, val: arranged.val, test: arranged.test },
    split,
    summary,
  };
}

/**
 * The dataset at another size, channel count or image limit (decoded again from its files), or `ds` when it
 * already fits. The demo set has no limit: its images-per-class count plays that part.
 */
export async function atFormat(
  ds: LoadedDataset,
  format: LoadFormat,
  options: Omit<LoadOptions, 'format' | 'split'>,
): Promise<LoadedDataset | null> {
  const store = ds.summary.store;
  const source = ds.source.kind === 'picked' ? { ...ds.source, limit: format.limit } : ds.source;
  const sameLimit = ds.source.kind === 'demo' || ds.source.limit === format.limit;
  if (store && store.size === format.size && store.channels === format.channels && sameLimit) return ds;
  return loadDataset(source, { ...options, format: { size: format.size, channels: format.channels }, split: ds.split });
}

/** What the page shows: the summary and a few thumbnails per class. */
export function describe(ds: LoadedDataset): DatasetInfo {
  const limit = ds.source.kind === 'demo' ? 0 : ds.source.limit;
  return {
    summary: ds.summary,
    demo: ds.source.kind === 'demo',
    limit,
    identity: ds.identity,
    thumbnails: thumbnails(ds.images),
  };
}

/** Progress sent to the page at most every 100 ms (the pipeline reports every file), but every phase change at once. */
export function progressToPage(): (progress: IngestProgress) => void {
  let last = 0;
  let phase = '';
  return (progress) => {
    const now = performance.now();
    if (progress.phase === phase && now - last < 100) return;
    last = now;
    phase = progress.phase;
    emit({ type: 'ingest-progress', progress });
  };
}

function sameSplit(a: SplitSettings, b: SplitSettings): boolean {
  return (
    a.valFraction === b.valFraction &&
    a.testFraction === b.testFraction &&
    a.seed === b.seed &&
    a.keepOfficialVal === b.keepOfficialVal
  );
}

/** The phantom set, generated at `format` and split like any other data (it has no files to decode). */
function demoDataset(source: Extract<DatasetSource, { kind: 'demo' }>, { format, split }: LoadOptions): LoadedDataset {
  // Clear opacities: a first run with the page's defaults learns them (measured by `npm run bench -- demo`).
  const set = generatePhantomImages({
    perClass: source.perClass,
    size: format.size,
    channels: format.channels,
    seed: source.seed,
    opacities: 'clear',
  });
  const plan = assignSplits(
    set.files.map((path, i) => ({ path, label: set.labels[i] })),
    [],
    split,
  );
  const arranged = arrangeBySplit(set, plan.assignment);
  const { all, assignment } = arranged;
  const summary = summarise({
    source: { name: `Demo phantom set (${source.perClass} per class, seed ${source.seed})`, kind: 'files' },
    classNames: [...set.classNames],
    positiveClass: positiveClassIndex(set.classNames),
    hasSplitFolders: false,
    nestedCopy: '',
    items: all.files.map((path, i) => ({
      path,
      label: all.labels[i],
      split: assignment[i],
      width: set.size,
      height: set.size,
      format: 'png' as const,
    })),
    skipped: [],
    duplicateGroups: [],
    valOrigin: plan.valOrigin,
    testOrigin: plan.testOrigin,
    splitSettings: split,
    bytesRead: 0,
    store: { size: set.size, channels: set.channels, bytes: storeBytes(set.count, set.size, set.channels) },
    aborted: false,
  });
  const sets = { train: arranged.train, val: arranged.val, test: arranged.test };
  return {
    source,
    images: all,
    sets,
    split,
    presets: new Map(),
    duplicateGroups: [],
    summary,
    identity: identifyGenerated(set),
  };
}
