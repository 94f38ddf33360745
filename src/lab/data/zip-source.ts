import {
  Unzip,
  UnzipInflate,
  UnzipPassThrough,
  type UnzipDecoder,
  type UnzipDecoderConstructor,
  type UnzipFile,
} from 'fflate';
import { DataError } from './errors';
import { normalisePath } from './file-kinds';
import { fileSizeProblem, MAX_IMAGE_FILE_BYTES } from './limits';
import { formatBytes } from './memory';
import type { DataSource, ListProgress, SourceEntry } from './source';

/** A fresh stream of the archive's bytes, chunk by chunk (fs.createReadStream, Blob.stream()). */
export type ChunkStream = () => AsyncIterable<Uint8Array>;

const EMPTY = new Uint8Array(new ArrayBuffer(0));

/**
 * A zip archive as a DataSource, read with fflate's streaming Unzip from a chunk stream: the archive is never held
 * whole. `list()` streams it once without inflating anything; `open(paths)` streams it again and inflates only the
 * requested entries, yielding each as soon as it is complete. Works on any archive fflate reads (stored and deflated
 * entries, data descriptors, zip64).
 */
export function zipSource(name: string, chunks: ChunkStream, totalBytes?: number): DataSource {
  return {
    name,
    kind: 'zip',
    totalBytes,
    list: (onProgress) => streamEntries(name, chunks, null, onProgress, totalBytes),
    open: (paths) => streamEntries(name, chunks, new Set(paths), undefined, totalBytes),
  };
}

const notReadable = (): Promise<Uint8Array> =>
  Promise.reject(new Error('zip entries are read through open(), not list()'));

async function* streamEntries(
  name: string,
  chunks: ChunkStream,
  select: ReadonlySet<string> | null,
  onProgress: ListProgress | undefined,
  totalBytes: number | undefined,
): AsyncGenerator<SourceEntry> {
  const ready: SourceEntry[] = [];
  // Raw entry names to inflate. fflate builds a decoder per entry, passing it the name, so a decoder that is told to
  // skip can drop the bytes: every entry is started (fflate would otherwise keep an unstarted entry's compressed bytes
  // until the end), yet nothing unwanted is inflated.
  const inflate = new Set<string>();
  // Entries cut off while inflating (over the per-file limit: a zip bomb); their decoder stops inflating.
  const stopped = new Set<string>();
  const unzip = new Unzip((file: UnzipFile) => {
    const path = normalisePath(file.name);
    const wanted = select !== null && select.has(path) && !path.endsWith('/');
    if (select === null) ready.push({ path, size: file.originalSize, read: notReadable });
    const refuse = (problem: string): void =>
      void ready.push({ path, size: file.originalSize, read: () => Promise.reject(new DataError(path, problem)) });
    // A declared size over the limit is refused without inflating a byte.
    const declared =
      wanted && file.originalSize != null ? fileSizeProblem(file.originalSize, 'declares an unpacked size of') : null;
    if (wanted && !declared) inflate.add(file.name);
    const parts: Uint8Array[] = [];
    let inflated = 0;
    let failed = declared !== null;
    if (declared) refuse(`${declared} (a zip bomb?); not unpacked`);
    file.ondata = (err, data, final) => {
      if (!wanted || failed) return;
      if (err) {
        failed = true;
        const why = err.message.replace(/^unknown compression type (\d+)$/, 'unsupported zip compression method $1');
        ready.push({ path, size: file.originalSize, read: () => Promise.reject(new Error(`cannot unpack (${why})`)) });
        return;
      }
      inflated += data.length;
      if (inflated > MAX_IMAGE_FILE_BYTES) {
        // The declared size lied, or was not given (streamed zips): stop at the limit, never hold more.
        failed = true;
        parts.length = 0;
        stopped.add(file.name);
        refuse(
          `unpacks to more than ${formatBytes(MAX_IMAGE_FILE_BYTES)}, the limit for one image file (a zip bomb?); unpacking stopped`,
        );
        return;
      }
      if (data.length > 0) parts.push(data);
      if (final) {
        const bytes = concat(parts);
        ready.push({ path, size: bytes.length, read: () => Promise.resolve(bytes) });
      }
    };
    file.start();
  });
  unzip.register(selective(UnzipInflate, inflate, stopped));
  unzip.register(selective(UnzipPassThrough, inflate, stopped));

  let read = 0;
  let seen = 0;
  // The stream's last bytes, where the end-of-central-directory record must be: a cut-off download lacks it.
  let tail: Uint8Array = EMPTY;
  for await (const chunk of chunks()) {
    read += chunk.length;
    tail = keepTail(tail, chunk);
    push(unzip, chunk, false, name, read);
    onProgress?.(read, totalBytes);
    seen += ready.length;
    while (ready.length > 0) yield ready.shift() as SourceEntry;
  }
  const complete = hasEndRecord(tail);
  try {
    push(unzip, EMPTY, true, name, read);
  } catch (err) {
    if (complete || read === 0) throw err;
  }
  if (!complete && read > 0 && (seen > 0 || ready.length > 0)) {
    throw new DataError(name, `the archive ends early after ${read} bytes (an incomplete download?)`);
  }
  seen += ready.length;
  while (ready.length > 0) yield ready.shift() as SourceEntry;
  if (select === null && seen === 0) throw new DataError(name, 'not a zip archive, or an empty one (no entries found)');
}

function push(unzip: Unzip, chunk: Uint8Array, final: boolean, name: string, read: number): void {
  try {
    unzip.push(chunk, final);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new DataError(name, `not a readable zip archive (${why} near byte ${read})`);
  }
}

/** The end-of-central-directory record sits in the last 22 bytes plus a comment of up to 65,535. */
const TAIL_BYTES = 22 + 0xffff;

function keepTail(tail: Uint8Array, chunk: Uint8Array): Uint8Array {
  if (chunk.length >= TAIL_BYTES) return chunk.slice(chunk.length - TAIL_BYTES);
  const joined = concat([tail, chunk]);
  return joined.length > TAIL_BYTES ? joined.slice(joined.length - TAIL_BYTES) : joined;
}

/** True when the end-of-central-directory signature (PK 5 6) occurs in `tail`. */
function hasEndRecord(tail: Uint8Array): boolean {
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 5 && tail[i + 3] === 6) return true;
  }
  return false;
}

/**
 * A decoder class for `Base`'s compression method that inflates only the entries named in `inflate`, and stops
 * inflating an entry once it is named in `stopped` (cut off at the size limit).
 */
function selective(
  Base: UnzipDecoderConstructor,
  inflate: ReadonlySet<string>,
  stopped: ReadonlySet<string>,
): UnzipDecoderConstructor {
  return class Selective implements UnzipDecoder {
    static readonly compression = Base.compression;
    ondata: UnzipDecoder['ondata'] = () => undefined;
    private readonly inner: UnzipDecoder | null;
    private readonly entryName: string;

    constructor(entryName: string) {
      this.entryName = entryName;
      this.inner = inflate.has(entryName) ? new Base(entryName) : null;
      if (this.inner) this.inner.ondata = (err, data, final) => this.ondata(err, data, final);
    }

    push(chunk: Uint8Array, final: boolean): void {
      if (this.inner && !stopped.has(this.entryName)) this.inner.push(chunk, final);
      else if (final) this.ondata(null, EMPTY, true);
    }
  };
}

/** One buffer from several (no copy when there is just one). */
function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
