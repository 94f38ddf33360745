import { normalisePath } from './file-kinds';

/**
 * Where a dataset's files come from, behind one small interface, so the ingestion pipeline runs the same on a Node
 * folder, a Node zip path, a browser file list, a dropped folder and a dropped zip.
 *
 * A source is read in two passes. `list()` names every file and folder without reading image contents (a zip is
 * streamed but nothing is inflated), which is all layout detection needs. `open(paths)` then yields the chosen files
 * with their bytes, in whatever order is cheapest for the source (a zip: archive order, one entry at a time), so an
 * archive is never held in memory as a whole.
 */

/** One file (or, in `list()`, a folder written with a trailing `/`). */
export interface SourceEntry {
  /** Path relative to the source's root, `/`-separated; folders end with `/`. */
  readonly path: string;
  /** Size in bytes when the source knows it without reading (a zip entry's uncompressed size, a File's size). */
  readonly size?: number;
  /**
   * Set by `list()` for an entry the source will not read, with the reason (a link loop, a second link to a file
   * already read, a named pipe): the scan lists it as skipped and layout detection never sees it.
   */
  readonly refused?: string;
  /**
   * The file's bytes. From `open()` always readable; from `list()` only where reading is cheap (not for a zip). A
   * failure rejects with an Error whose message says why (the pipeline lists the file as skipped).
   */
  read(): Promise<Uint8Array>;
}

/** Progress while a source is listed: bytes of the underlying file or archive consumed so far. */
export type ListProgress = (bytesRead: number, totalBytes: number | undefined) => void;

/** A dataset's files: a folder, an archive or a list of files. */
export interface DataSource {
  /** How to name the source to the user (a folder path, `archive.zip`). Errors and the summary use it. */
  readonly name: string;
  readonly kind: 'folder' | 'zip' | 'files';
  /** Size of the archive or folder in bytes, when known before reading. */
  readonly totalBytes?: number;
  /** Every file and folder, without reading image contents. */
  list(onProgress?: ListProgress): AsyncIterable<SourceEntry>;
  /**
   * The files at `paths` (as `list()` spelled them), each readable; paths not found are simply not yielded. Breaking
   * out of the loop releases the underlying file handles.
   */
  open(paths: readonly string[]): AsyncIterable<SourceEntry>;
}

/** A file the pipeline reads through `read()` when it is a plain in-memory or on-disk file (not a zip entry). */
export interface ReadableFile {
  readonly path: string;
  readonly size?: number;
  read(): Promise<Uint8Array>;
}

/** Reads started ahead of the consumer by fileListSource.open(). */
const READ_AHEAD = 8;

/**
 * A DataSource over files that can each be read on their own (a browser File list, a dropped folder, a folder on
 * disk once walked). `list()` yields them as they are, folders included; `open()` yields the requested ones in the
 * order asked, reading a few ahead.
 */
export function fileListSource(
  name: string,
  kind: DataSource['kind'],
  entries: () => Promise<readonly ReadableFile[]>,
  totalBytes?: number,
): DataSource {
  let cached: Promise<readonly ReadableFile[]> | null = null;
  // Walk once: a folder walk or a dropped-directory walk is not free, and both passes need it. Paths are normalised
  // here so `open()` finds them as detectLayout spells them.
  const all = (): Promise<readonly ReadableFile[]> =>
    (cached ??= entries().then((list) =>
      list.map((e) => ({ path: normalisePath(e.path), size: e.size, read: e.read })),
    ));
  return {
    name,
    kind,
    totalBytes,
    async *list() {
      yield* await all();
    },
    async *open(paths) {
      const byPath = new Map((await all()).map((e) => [e.path, e]));
      const files = paths
        .map((p) => byPath.get(p))
        .filter((e): e is ReadableFile => e !== undefined && !e.path.endsWith('/'));
      // Keep READ_AHEAD reads in flight: each read has latency (a disk, a browser File's IPC) that would otherwise
      // stall the decoders one file at a time.
      const reads: (Promise<Uint8Array> | null)[] = [];
      const start = (k: number): void => {
        const pending = files[k].read();
        pending.catch(() => undefined); // a read abandoned by an early stop must not surface as unhandled
        reads.push(pending);
      };
      for (let i = 0; i < files.length; i++) {
        while (reads.length < Math.min(files.length, i + READ_AHEAD)) start(reads.length);
        const pending = reads[i] as Promise<Uint8Array>;
        reads[i] = null;
        yield { path: files[i].path, size: files[i].size, read: () => pending };
      }
    },
  };
}
