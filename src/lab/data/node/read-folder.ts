import { join, resolve } from 'node:path';
import { DuplicateFinder } from '../duplicates';
import { DataError } from '../errors';
import type { ImageSet } from '../image-set';
import type { Layout, LayoutEntry, SkippedFile } from '../layout';
import { loadImages } from '../load-images';
import { layoutWithRefused } from '../scan';
import type { ResizeMode } from '../resize';
import { fileListSource } from '../source';
import { createNodeDecoder } from './decode';
import { readDatasetFile } from './read-file';
import { walkFolder } from './walk-folder';

/** A layout read from a folder on disk. */
export interface FolderLayout extends Layout {
  /** The folder, resolved to an absolute path; entry paths are relative to it. */
  readonly root: string;
}

/**
 * Walks `dir` (see walkFolder: links are followed, loops and second paths to one file are not) and reads its dataset
 * layout (see detectLayout). Junk folders (`__MACOSX`, hidden ones) are listed as skipped without being walked, and
 * so are the links not followed. Throws a DataError naming `dir` when it is missing, not a folder, or empty, and the
 * layout's DataErrors otherwise.
 */
export async function scanFolder(dir: string): Promise<FolderLayout> {
  const { root, paths, refused } = await listFolder(dir);
  return { ...layoutWithRefused(paths, refused, dir), root };
}

/** What listFolder found below a folder. */
export interface FolderListing {
  /** The folder, resolved. */
  readonly root: string;
  /** Files (`a/b.jpeg`) and folders (`a/`) to consider, in walk order. */
  readonly paths: string[];
  /** Entries not read (links not followed, named pipes), with the reason. */
  readonly refused: SkippedFile[];
}

/**
 * Every file and folder below `dir` (see walkFolder), junk folders listed but not walked; `root` is `dir` resolved.
 * Throws a DataError naming `dir` when it is missing, not a folder, or empty.
 */
export async function listFolder(dir: string): Promise<FolderListing> {
  const paths: string[] = [];
  const refused: SkippedFile[] = [];
  for await (const entry of walkFolder(dir)) {
    if (entry.refused) refused.push({ path: entry.path, reason: entry.refused });
    else paths.push(entry.path);
  }
  if (paths.length === 0 && refused.length === 0) throw new DataError(dir, 'folder is empty');
  return { root: resolve(dir), paths, refused };
}

/** Progress after each file. */
export interface LoadProgress {
  readonly done: number;
  readonly total: number;
  readonly skipped: number;
}

/** How loadImageSet stores the images, and how to follow or stop it. */
export interface LoadOptions {
  /** Side of the square images to store. */
  readonly size: number;
  readonly channels: 1 | 3;
  readonly mode?: ResizeMode;
  /** Label order; default: read from the entries (classNames[entry.label] = entry.className). */
  readonly classNames?: readonly string[];
  readonly onProgress?: (progress: LoadProgress) => void;
  /** Checked between files: loading stops and returns what was decoded so far. */
  readonly signal?: AbortSignal;
}

/** What loadImageSet returns. */
export interface LoadResult {
  readonly set: ImageSet;
  /** Files that could not be read or decoded, with the reason; loading went on without them. */
  readonly skipped: SkippedFile[];
  /** Groups of byte-identical files among those loaded (all kept; the caller decides). */
  readonly duplicates: string[][];
  /** True when the signal stopped loading before the last entry. */
  readonly aborted: boolean;
}

/**
 * Reads, decodes and resizes `entries` (paths relative to `dir`) into an ImageSet, in entry order, through the
 * ingestion pipeline's loader (see loadImages): a corrupt file is skipped and listed, not fatal; the pixel store is
 * allocated once; a cancelled load returns a consistent partial set. For whole datasets prefer `ingest()` with
 * `nodeFolderSource`, which also splits and summarises.
 */
export async function loadImageSet(
  dir: string,
  entries: readonly LayoutEntry[],
  options: LoadOptions,
): Promise<LoadResult> {
  const { size, channels, mode = 'stretch', onProgress, signal } = options;
  const classNames = options.classNames ?? classNamesOf(entries);
  const source = fileListSource(dir, 'folder', async () =>
    entries.map((e) => ({ path: e.path, read: () => readDatasetFile(join(dir, e.path), e.path) })),
  );
  const total = entries.length;
  const loaded = await loadImages(source, entries, {
    decoder: createNodeDecoder(),
    format: { size, channels, mode },
    signal,
    onFile: (done, failed) => onProgress?.({ done, total, skipped: failed }),
  });
  const kept = loaded.loaded.map((i) => entries[i]);
  const duplicates = new DuplicateFinder();
  for (const i of loaded.loaded) duplicates.addKey(entries[i].path, loaded.info.get(i)!.key);
  const set: ImageSet = {
    size,
    channels,
    classNames,
    pixels: loaded.pixels!,
    labels: Int32Array.from(kept, (e) => e.label),
    files: kept.map((e) => e.path),
    count: kept.length,
  };
  return { set, skipped: loaded.skipped, duplicates: duplicates.groups(), aborted: loaded.aborted };
}

/** classNames[label] = className, from the entries; a label no entry carries gets a placeholder name. */
function classNamesOf(entries: readonly LayoutEntry[]): string[] {
  const names: string[] = [];
  for (const e of entries) names[e.label] = e.className;
  return Array.from(names, (n, i) => n ?? `class${i}`);
}
