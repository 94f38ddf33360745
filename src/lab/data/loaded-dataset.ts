/**
 * The loaded dataset, as the worker keeps it and the CLI trains on it: every decoded image in one uint8 store
 * arranged train | val | test, the three splits as views of that buffer, the core's summary, the source's identity,
 * and what a later re-split needs (each file's official split and patient key, the duplicate groups). Both load it
 * here from a scanned source; re-splitting is resplit-dataset.ts, the demo's generated set generated-dataset.ts.
 * Framework-free: no tfjs, no DOM, no Node.
 */
import type { SplitSettings } from './assign-splits';
import type { DataIdentity } from './data-identity';
import { DataError } from './errors';
import type { ImageSet } from './image-set';
import type { SplitName } from './layout';
import { ingest, type IngestOptions, type IngestResult } from './pipeline';
import type { ScannedSource } from './scan';
import type { DatasetSummary } from './summary';

export interface LoadedDataset {
  /** Every image, arranged train | val | test for `split`; the sets below are views of its buffer. */
  readonly images: ImageSet;
  readonly sets: { readonly train: ImageSet; readonly val: ImageSet; readonly test: ImageSet };
  /** The split asked for (a table's fixed validation set is kept on top of it, as at load). */
  readonly split: SplitSettings;
  /** The split folder each file sat in, by path, when the data came in train/val/test folders (or a table's). */
  readonly presets: ReadonlyMap<string, SplitName>;
  /** Patient keys by path where a table or a DICOM header gave them (salted hashes); else read from file names. */
  readonly patients?: ReadonlyMap<string, string>;
  readonly duplicateGroups: string[][];
  readonly summary: DatasetSummary;
  /** Every image file of the source (before any limit or subset): counts and a fingerprint of names and sizes. */
  readonly identity: DataIdentity;
}

/** How to load: the pipeline's options (a decoder required), with the split settings spelt out. */
export interface LoadScannedOptions extends Omit<IngestOptions, 'split' | 'labels' | 'decoder'> {
  readonly decoder: NonNullable<IngestOptions['decoder']>;
  readonly split: SplitSettings;
}

/**
 * Decodes a scanned source into a LoadedDataset. Null when cancelled (the partial set is dropped, so whatever was
 * loaded before stays the dataset). Throws the pipeline's DataError for other classes, an unknown positive class or
 * a store too large for memory, before any decoding.
 */
export async function loadScanned(scanned: ScannedSource, options: LoadScannedOptions): Promise<LoadedDataset | null> {
  const result = await ingest(scanned, options);
  if (result.aborted) return null;
  return loadedDatasetOf(result, options.split);
}

/** The pipeline's result as a LoadedDataset (it must have decoded: a scan without a decoder has no store). */
function loadedDatasetOf(result: IngestResult, split: SplitSettings): LoadedDataset {
  const { summary, train, val, test, images } = result;
  if (!images || !train || !val || !test) throw new Error(`${summary.source}: no images were decoded`);
  const { entries } = result.layout;
  return {
    images,
    sets: { train, val, test },
    split,
    presets: new Map(entries.flatMap((e) => (e.split ? [[e.path, e.split] as const] : []))),
    patients: new Map(entries.flatMap((e) => (e.patient ? [[e.path, e.patient] as const] : []))),
    duplicateGroups: result.duplicateGroups,
    summary,
    identity: result.identity,
  };
}

/** Every image failed to decode: a DataError naming the reasons, rather than an empty dataset. */
export function requireDecodedImages(summary: DatasetSummary): void {
  if (summary.images > 0) return;
  const reasons = summary.skippedByReason.map((g) => `${g.count} × ${g.reason} (e.g. ${g.example.path})`).join('; ');
  throw new DataError(summary.source, `none of its images could be read: ${reasons}`);
}
