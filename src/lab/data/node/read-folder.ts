import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DuplicateFinder } from '../duplicates';
import { DataError } from '../errors';
import { folderSkipReason } from '../file-kinds';
import type { ImageSet } from '../image-set';
import { detectLayout, type Layout, type LayoutEntry, type SkippedFile } from '../layout';
import { loadImages } from '../load-images';
import type { ResizeMode } from '../resize';
import { fileListSource } from '../source';
import { createNodeDecoder } from './decode';

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
  const { root, paths } = await listFolder(dir);
  return { ...detectLayout(paths, { root: dir }), root };
}

/**
 * Every file (`a/b.jpeg`) and folder (`a/`) below `dir`, sorted, junk folders listed but not walked; `root` is `dir`
 * resolved. Throws a DataError naming `dir` when it is missing, not a folder, or empty.
 */
export async function listFolder(dir: string): Promise<{ root: string; paths: string[] }> {
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
  return { root, paths };
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
 * Reads, decodes and resizes `entries` (paths relative to `dir`) into an ImageSet, in entry order, through the
 * ingestion pipeline's loader (see loadImages): a corrupt file is skipped and listed, not fatal; the pixel store is
 * allocated once; a cancelled load returns a consistent partial set. For whole datasets prefer `ingest()` with
 * `nodeFolderSource`, which also splits and summarises.
 */
export async function loadImageSet(dir: string, entries: readonly LayoutEntry[], options: LoadOptions): Promise<LoadResult> {
  const { size, channels, mode = 'stretch', onProgress, signal } = options;
  const classNames = options.classNames ?? classNamesOf(entries);
  const source = fileListSource(dir, 'folder', async () =>
    entries.map((e) => ({ path: e.path, read: async () => new Uint8Array(await readFile(join(dir, e.path))) })),
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
