/**
 * The worker's one loaded dataset: where it came from (so it can be decoded again at another input size), the
 * decoded images, and the split into train / validation / test, which follows the page's fractions and seed.
 */
import { imageBytes, selectImages, type ImageSet } from '../lab/data/image-set';
import type { Layout } from '../lab/data/layout';
import { countPatients } from '../lab/data/patient-id';
import { generatePhantomImages } from '../lab/data/phantom';
import { toSquare } from '../lab/data/resize';
import { patientSplit, type SplitResult } from '../lab/data/split';
import { splitGroupKeys } from '../lab/data/split-groups';
import { ingest, type Ingested } from './ingest';
import type { DatasetSummary, ImageFormat, SourceFile, SplitSettings, Thumbnail } from './protocol';

export type DatasetSource =
  | { kind: 'demo'; perClass: number; seed: number }
  | { kind: 'folder' | 'zip'; name: string; files: SourceFile[]; layout: Layout };

export interface LoadedDataset {
  source: DatasetSource;
  data: Ingested;
}

const THUMBS_PER_CLASS = 4;
const THUMB_SIDE = 96;

/** Decodes (or generates) the source at `format`. */
export async function loadSource(
  source: DatasetSource,
  format: ImageFormat,
  onProgress: (done: number, total: number) => void,
): Promise<LoadedDataset> {
  if (source.kind === 'demo') {
    const set = generatePhantomImages({ perClass: source.perClass, size: format.size, channels: format.channels, seed: source.seed });
    onProgress(set.count, set.count);
    return { source, data: { set, presetSplits: null, skipped: [], duplicateGroups: [] } };
  }
  return { source, data: await ingest(source.files, source.layout, format, onProgress) };
}

/** The same images at another size or channel count (decoded again), or `ds` itself when it already fits. */
export async function atFormat(ds: LoadedDataset, format: ImageFormat, onProgress: (done: number, total: number) => void): Promise<LoadedDataset> {
  const { set } = ds.data;
  if (set.size === format.size && set.channels === format.channels) return ds;
  return loadSource(ds.source, format, onProgress);
}

/**
 * Patient-level split, as the CLI makes it: no patient and no byte-identical copy on two sides. Data with its own
 * test folder keeps it as the test set; its train and val folders are pooled and split again (Kermany's val folder
 * holds only 16 images, too few to pick the best epoch on).
 */
export function splitDataset(ds: LoadedDataset, settings: SplitSettings): SplitResult {
  const { set, presetSplits, duplicateGroups } = ds.data;
  const keys = splitGroupKeys(set.files, duplicateGroups);
  const items = Array.from({ length: set.count }, (_, i) => ({ label: set.labels[i], patient: keys[i] }));
  const hasTestFolder = presetSplits?.some((s) => s === 'test') ?? false;
  if (!hasTestFolder) return patientSplit(items, { val: settings.valFraction, test: settings.testFraction }, settings.seed);
  const pool: number[] = [];
  const test: number[] = [];
  presetSplits!.forEach((s, i) => (s === 'test' ? test : pool).push(i));
  const inner = patientSplit(pool.map((i) => items[i]), { val: settings.valFraction, test: 0 }, settings.seed);
  return { train: inner.train.map((k) => pool[k]), val: inner.val.map((k) => pool[k]), test };
}

/** The three ImageSets of a split. */
export function splitSets(ds: LoadedDataset, split: SplitResult): { train: ImageSet; val: ImageSet; test: ImageSet } {
  const { set } = ds.data;
  return { train: selectImages(set, split.train), val: selectImages(set, split.val), test: selectImages(set, split.test) };
}

/** The class scored as positive, by the CLI's rule: PNEUMONIA when present, else the second class. */
export function positiveClassOf(classNames: readonly string[]): number {
  const pneumonia = classNames.findIndex((c) => c.toUpperCase() === 'PNEUMONIA');
  return pneumonia >= 0 ? pneumonia : Math.min(1, classNames.length - 1);
}

export function summarise(ds: LoadedDataset, name: string, settings: SplitSettings): DatasetSummary {
  const { set, skipped, duplicateGroups, presetSplits } = ds.data;
  const split = splitDataset(ds, settings);
  const perClass = (indices: number[]) => {
    const counts = new Array<number>(set.classNames.length).fill(0);
    for (const i of indices) counts[set.labels[i]]++;
    return counts;
  };
  return {
    name,
    source: ds.source.kind,
    size: set.size,
    channels: set.channels,
    count: set.count,
    classNames: [...set.classNames],
    positiveClass: positiveClassOf(set.classNames),
    counts: { train: perClass(split.train), val: perClass(split.val), test: perClass(split.test) },
    patients: countPatients(set.files),
    presetSplits: presetSplits != null,
    skipped: skipped.slice(0, 50),
    skippedCount: skipped.length,
    duplicateFiles: duplicateGroups.reduce((n, g) => n + g.length - 1, 0),
    thumbnails: thumbnails(set),
  };
}

/** The first few images of every class as small RGBA pictures. */
function thumbnails(set: ImageSet): Thumbnail[] {
  const out: Thumbnail[] = [];
  const per = imageBytes(set.size, set.channels);
  const side = Math.min(set.size, THUMB_SIDE);
  set.classNames.forEach((_, label) => {
    let taken = 0;
    for (let i = 0; i < set.count && taken < THUMBS_PER_CLASS; i++) {
      if (set.labels[i] !== label) continue;
      const data = set.pixels.subarray(i * per, (i + 1) * per);
      out.push({ label, file: set.files[i], side, rgba: toRgba(toSquare({ width: set.size, height: set.size, channels: set.channels, data }, side, 3)) });
      taken++;
    }
  });
  return out;
}

/** RGB bytes → RGBA with full opacity, as ImageData wants. */
export function toRgba(rgb: Uint8Array): Uint8ClampedArray {
  const out = new Uint8ClampedArray((rgb.length / 3) * 4);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    out[j] = rgb[i];
    out[j + 1] = rgb[i + 1];
    out[j + 2] = rgb[i + 2];
    out[j + 3] = 255;
  }
  return out;
}
