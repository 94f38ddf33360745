/**
 * The worker's one loaded dataset: the core's LoadedDataset (src/lab/data/loaded-dataset.ts) plus where it came from,
 * so it can be decoded again at another input size. This file only adds what is the worker's own: the picked files
 * and their decode-worker pool, the page's budget and progress messages, and the thumbnails the page shows.
 */
import { createWorkerDecoder, defaultBrowserMemoryLimit, sourceOfPicked } from '../lab/data/browser';
import { planLoad } from '../lab/data/decode-plan';
import type { DataBudget } from '../lab/data/decode-estimate';
import { DataError } from '../lab/data/errors';
import { generatedDataset } from '../lab/data/generated-dataset';
import { loadScanned, requireDecodedImages, type LoadedDataset as CoreLoadedDataset } from '../lab/data/loaded-dataset';
import { generatePhantomImages } from '../lab/data/phantom';
import { resplitDataset } from '../lab/data/resplit-dataset';
import { scanSource, type ScannedSource } from '../lab/data/scan';
import { readPickedLabels, type PickedLabels } from '../lab/data/table/picked-labels';
import type {
  DatasetEstimate,
  DatasetInfo,
  ImageFormat,
  IngestProgress,
  LoadFormat,
  Picked,
  SplitSettings,
} from './protocol';
import { emit } from './rpc';
import { thumbnails } from './thumbnails';

/** Where a dataset came from; a picked one with its image limit and budget subset (0 = all), so decoding again keeps the same images. */
export type DatasetSource =
  | { kind: 'demo'; perClass: number; seed: number }
  /** Picked files; with `labels`, classes come from a label table among them (the page's column form). */
  | { kind: 'picked'; picked: Picked; limit: number; labels?: PickedLabels | null; subset?: number }
  /** A picked dataset restored from browser storage (see dataset-autosave.ts): its files are not at hand to decode again. */
  | { kind: 'stored'; name: string; limit: number; size: number };

export interface LoadedDataset extends CoreLoadedDataset {
  readonly source: DatasetSource;
}

export interface LoadOptions {
  readonly format: ImageFormat;
  readonly split: SplitSettings;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: IngestProgress) => void;
  /** The page's dataset budget in bytes (0: none); the estimate before decoding is made against it. */
  readonly budgetBytes?: number;
  /** Told the estimate once the files are listed, before any is decoded. */
  readonly onEstimate?: (estimate: DatasetEstimate) => void;
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
  let loaded;
  try {
    const scanned = await scanPicked(source, signal, onProgress);
    const { estimate, only } = planPicked(scanned, source, options);
    options.onEstimate?.(estimate);
    const decoder = createWorkerDecoder();
    try {
      loaded = await loadScanned(scanned, {
        decoder,
        format,
        split,
        signal,
        onProgress,
        limit: source.limit > 0 ? source.limit : undefined,
        only,
        memoryLimitBytes: defaultBrowserMemoryLimit(),
      });
    } finally {
      decoder.close();
    }
  } catch (err) {
    if (signal?.aborted) return null; // cancelled while listing: the scan throws the signal's reason
    throw err;
  }
  if (!loaded) return null;
  requireDecodedImages(loaded.summary);
  return { ...loaded, source };
}

/**
 * What loading `source` at `format` would take, from its listed files alone (nothing is decoded): the estimate
 * against the page's dataset budget, with the budget subset that fits when it does not. The listing is kept for
 * the load of the same files that follows, so a big zip is not read twice. Null when cancelled.
 */
export async function estimateDataset(
  source: Extract<DatasetSource, { kind: 'picked' }>,
  options: Omit<LoadOptions, 'onEstimate'>,
): Promise<DatasetEstimate | null> {
  try {
    const scanned = await scanPicked(source, options.signal, options.onProgress);
    keptScan = { key: scanKey(source), scanned };
    return planPicked(scanned, source, options).estimate;
  } catch (err) {
    if (options.signal?.aborted) return null;
    throw err;
  }
}

/** The last estimate's listing, for the load that follows it (used once, then dropped). */
let keptScan: { key: string; scanned: ScannedSource } | null = null;

/** Lists the picked files (or takes the estimate's listing of the same files), with their label table. */
async function scanPicked(
  source: Extract<DatasetSource, { kind: 'picked' }>,
  signal?: AbortSignal,
  onProgress?: (progress: IngestProgress) => void,
): Promise<ScannedSource> {
  const kept = keptScan;
  keptScan = null;
  if (kept && kept.key === scanKey(source)) return kept.scanned;
  if (source.labels && source.picked.kind !== 'files')
    throw new DataError(source.picked.name, 'a label table is read from a dropped folder, not from inside a zip');
  const labels =
    source.labels && source.picked.kind === 'files'
      ? await readPickedLabels(source.picked.files, source.labels)
      : undefined;
  return scanSource(sourceOfPicked(source.picked), { signal, onProgress, labels });
}

/** Same files, same table choice: names, sizes and the mapping (a picked File cannot change without a new pick). */
function scanKey({ picked, labels }: Extract<DatasetSource, { kind: 'picked' }>): string {
  const files =
    picked.kind === 'zip'
      ? [`${picked.file.size}\t${(picked.file as Blob & { lastModified?: number }).lastModified ?? ''}`]
      : picked.files.map((f) => `${f.path}\t${f.file.size}`);
  return JSON.stringify([picked.kind, picked.name, files, labels ?? null]);
}

/** The core's plan for a picked source: the estimate against the page's budget and the subset's paths if asked. */
function planPicked(
  scanned: ScannedSource,
  source: Extract<DatasetSource, { kind: 'picked' }>,
  { format, split, budgetBytes }: Pick<LoadOptions, 'format' | 'split' | 'budgetBytes'>,
): { estimate: DatasetEstimate; only: ReadonlySet<string> | undefined } {
  const memoryLimitBytes = defaultBrowserMemoryLimit();
  // The page's dataset budget, unless it is off (0) or above what the tab may hold at all.
  const budget: DataBudget =
    budgetBytes && budgetBytes > 0 && budgetBytes < memoryLimitBytes
      ? { bytes: budgetBytes, name: 'dataset budget' }
      : { bytes: memoryLimitBytes, name: "this tab's memory limit" };
  const plan = planLoad(
    [{ layout: scanned.layout, select: { limit: source.limit > 0 ? source.limit : undefined, split } }],
    {
      classNames: scanned.layout.classNames,
      size: format.size,
      channels: format.channels,
      budget,
      seed: split.seed,
      subset: source.subset,
    },
  );
  const estimate: DatasetEstimate = {
    ...plan.estimate,
    memoryLimitBytes,
    loadAllAllowed: plan.estimate.decodedBytes <= memoryLimitBytes,
    chosen: plan.chosen
      ? { images: plan.chosen.counts.images, decodedBytes: plan.chosen.decodedBytes, line: plan.chosen.line }
      : null,
  };
  return { estimate, only: plan.only[0] };
}

/** The same dataset split again (no decoding): the store is reordered in place and the summary recounted. */
export function resplit(ds: LoadedDataset, split: SplitSettings): LoadedDataset {
  return resplitDataset(ds, split);
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
    ...(ds.source.kind === 'picked' && ds.source.subset ? { subset: ds.source.subset } : {}),
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
  const name = `Demo phantom set (${source.perClass} per class, seed ${source.seed})`;
  return { ...generatedDataset(set, split, name), source };
}
