/**
 * Turns a dropped folder or unpacked zip into the lab's uint8 ImageSet: the class folders decide the labels
 * (detectLayout), each image is decoded by the browser and resized by the core's toSquare. A file that fails to
 * decode is skipped and listed, not fatal. Simple on purpose: one image at a time.
 */
import { DataError } from '../lab/data/errors';
import { DuplicateFinder } from '../lab/data/duplicates';
import { normalisePath } from '../lab/data/file-kinds';
import { imageBytes, type ImageSet } from '../lab/data/image-set';
import { detectLayout, type Layout, type SplitName } from '../lab/data/layout';
import { toSquare } from '../lab/data/resize';
import { decodeToRaster } from './decode';
import type { ImageFormat, SourceFile } from './protocol';
import { yieldToEvents } from './rpc';

/** Decoded images plus what the summary needs to say about the files behind them. */
export interface Ingested {
  set: ImageSet;
  /** The split folder each image came from, when the data had train/val/test folders. */
  presetSplits: (SplitName | undefined)[] | null;
  skipped: { path: string; reason: string }[];
  /** Groups of byte-identical files (paths); the split keeps each group on one side. */
  duplicateGroups: string[][];
}

/** Reads the layout of the files (paths relative to the dropped root). Throws a DataError for a bad layout. */
export function readLayout(name: string, files: readonly SourceFile[]): Layout {
  return detectLayout(files.map((f) => f.path), { root: name });
}

/** Decodes and resizes every image of `layout` to `format`. */
export async function ingest(
  files: readonly SourceFile[],
  layout: Layout,
  format: ImageFormat,
  onProgress: (done: number, total: number) => void,
): Promise<Ingested> {
  const byPath = new Map(files.map((f) => [normalisePath(f.path), f.blob]));
  const per = imageBytes(format.size, format.channels);
  const total = layout.entries.length;
  const pixels = new Uint8Array(total * per);
  const labels = new Int32Array(total);
  const paths: string[] = [];
  const splits: (SplitName | undefined)[] = [];
  const skipped = layout.skipped.map((s) => ({ ...s }));
  const duplicates = new DuplicateFinder();
  let count = 0;
  let lastReport = 0;

  for (let i = 0; i < total; i++) {
    const entry = layout.entries[i];
    const blob = byPath.get(entry.path);
    try {
      if (!blob) throw new DataError(entry.path, 'file listed but its contents are missing');
      const raster = await decodeToRaster(entry.path, blob);
      pixels.set(toSquare(raster, format.size, format.channels), count * per);
      duplicates.add(entry.path, new Uint8Array(await blob.arrayBuffer()));
      labels[count] = entry.label;
      paths.push(entry.path);
      splits.push(entry.split);
      count++;
    } catch (err) {
      skipped.push({ path: entry.path, reason: err instanceof DataError ? err.problem : (err as Error).message });
    }
    if (performance.now() - lastReport > 100 || i === total - 1) {
      lastReport = performance.now();
      onProgress(i + 1, total);
      await yieldToEvents();
    }
  }
  if (count === 0) throw new DataError(layout.prefix || 'dataset', `none of the ${total} images could be decoded`);

  const set: ImageSet = {
    size: format.size,
    channels: format.channels,
    classNames: layout.classNames,
    pixels: count === total ? pixels : pixels.slice(0, count * per),
    labels: count === total ? labels : labels.slice(0, count),
    files: paths,
    count,
  };
  return {
    set,
    presetSplits: layout.hasSplits ? splits : null,
    skipped,
    duplicateGroups: duplicates.groups(),
  };
}
