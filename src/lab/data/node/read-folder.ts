import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DuplicateFinder } from '../duplicates';
import { DataError } from '../errors';
import { folderSkipReason } from '../file-kinds';
import { imageBytes, type ImageSet } from '../image-set';
import { detectLayout, type Layout, type LayoutEntry, type SkippedFile } from '../layout';
import { toSquare, type ResizeMode } from '../resize';
import { decodeImage } from './decode';

/** A layout read from a folder on disk. */
export interface FolderLayout extends Layout {
  /** The folder, resolved to an absolute path; entry paths are relative to it. */
  readonly root: string;
}

/** Deeper than any sane dataset; stops a symlink loop. */
const MAX_DEPTH = 24;

function codeOf(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : 'error';
}

/**
 * Walks `dir` recursively and reads its dataset layout (see detectLayout). Junk folders (`__MACOSX`, hidden ones)
 * are listed as skipped without being walked. Throws a DataError naming `dir` when it is missing, not a folder, or
 * empty, and the layout's DataErrors otherwise.
 */
export async function scanFolder(dir: string): Promise<FolderLayout> {
  const root = resolve(dir);
  let info;
  try {
    info = await stat(root);
  } catch (err) {
    const code = codeOf(err);
    throw new DataError(dir, code === 'ENOENT' ? 'folder does not exist' : `cannot open folder (${code})`);
  }
  if (!info.isDirectory()) throw new DataError(dir, 'not a folder (it is a file)');
  const paths: string[] = [];
  await walk(root, '', 0, paths, dir);
  if (paths.length === 0) throw new DataError(dir, 'folder is empty');
  return { ...detectLayout(paths, { root: dir }), root };
}

/** Appends files (`a/b.jpeg`) and folders (`a/`) below `abs` to `out`, relative to the scan root. */
async function walk(abs: string, rel: string, depth: number, out: string[], shown: string): Promise<void> {
  let items;
  try {
    items = await readdir(abs, { withFileTypes: true });
  } catch (err) {
    throw new DataError(rel === '' ? shown : `${shown}/${rel}`, `cannot read folder (${codeOf(err)})`);
  }
  // Sorted so the walk (and anything derived from its order) is the same on every file system.
  items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const item of items) {
    const path = rel === '' ? item.name : `${rel}/${item.name}`;
    let isDir = item.isDirectory();
    let isFile = item.isFile();
    if (item.isSymbolicLink()) {
      const target = await stat(join(abs, item.name)).catch(() => null);
      isDir = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    if (isFile) out.push(path);
    else if (isDir) {
      out.push(`${path}/`);
      if (folderSkipReason(item.name) === null && depth < MAX_DEPTH) await walk(join(abs, item.name), path, depth + 1, out, shown);
    }
  }
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
 * Reads, decodes and resizes `entries` (paths relative to `dir`) into an ImageSet. A corrupt file is skipped and
 * listed, not fatal. The pixel store is allocated once for all entries and trimmed at the end if some were skipped
 * or loading was cancelled, so peak memory stays near the final size plus one decoded image.
 */
export async function loadImageSet(dir: string, entries: readonly LayoutEntry[], options: LoadOptions): Promise<LoadResult> {
  const { size, channels, mode = 'stretch', onProgress, signal } = options;
  const classNames = options.classNames ?? classNamesOf(entries);
  const per = imageBytes(size, channels);
  const total = entries.length;
  const pixels = new Uint8Array(total * per);
  const labels = new Int32Array(total);
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  const duplicates = new DuplicateFinder();
  const read = (i: number): Promise<Uint8Array> => readFile(join(dir, entries[i].path));

  let count = 0;
  let aborted = false;
  // Read the next file while this one decodes: the disk works while the CPU does.
  let next: Promise<Uint8Array> | null = total > 0 ? read(0) : null;
  for (let i = 0; i < total; i++) {
    if (signal?.aborted) {
      aborted = true;
      next?.catch(() => undefined); // the prefetch is abandoned; do not leave its failure unhandled
      break;
    }
    const entry = entries[i];
    const pending = next as Promise<Uint8Array>;
    next = i + 1 < total ? read(i + 1) : null;
    try {
      const bytes = await pending;
      const image = toSquare(decodeImage(bytes, entry.path), size, channels, mode);
      pixels.set(image, count * per);
      labels[count] = entry.label;
      files.push(entry.path);
      duplicates.add(entry.path, bytes);
      count++;
    } catch (err) {
      const reason = err instanceof DataError ? err.problem : `cannot read file (${codeOf(err)})`;
      skipped.push({ path: entry.path, reason });
    }
    onProgress?.({ done: i + 1, total, skipped: skipped.length });
  }

  const set: ImageSet = {
    size,
    channels,
    classNames,
    // Trim only when needed: slice copies, and the full store is dropped right after.
    pixels: count === total ? pixels : pixels.slice(0, count * per),
    labels: count === total ? labels : labels.slice(0, count),
    files,
    count,
  };
  return { set, skipped, duplicates: duplicates.groups(), aborted };
}

/** classNames[label] = className, from the entries; a label no entry carries gets a placeholder name. */
function classNamesOf(entries: readonly LayoutEntry[]): string[] {
  const names: string[] = [];
  for (const e of entries) names[e.label] = e.className;
  return Array.from(names, (n, i) => n ?? `class${i}`);
}
