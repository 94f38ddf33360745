import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { DataError } from '../errors';
import { fileListSource, type DataSource, type ReadableFile } from '../source';
import { zipSource } from '../zip-source';
import { listFolder } from './read-folder';
import { readDatasetFile } from './read-file';
import { walkFolder } from './walk-folder';

/** Archive chunks of 1 MiB: few enough calls, small enough to keep memory flat. */
const CHUNK = 1 << 20;

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/**
 * A folder on disk as a DataSource. `list()` streams the walk (walkFolder: links are followed, but a loop or a second
 * path to what was read is listed as refused), so progress moves while a folder of 50,000 files is listed; `open()`
 * reads the files the walk found (readDatasetFile: named when gone, unreadable or too large).
 */
export function nodeFolderSource(dir: string): DataSource {
  const root = resolve(dir);
  let walked: ReadableFile[] | null = null;
  // Each file's size is read while listing: a dataset's identity (data-identity.ts) fingerprints names and sizes,
  // as the page does from File.size.
  const readable = async (path: string): Promise<ReadableFile> => ({
    path,
    size: path.endsWith('/')
      ? undefined
      : await stat(join(root, path)).then(
          (s) => s.size,
          () => undefined,
        ),
    read: () => readDatasetFile(join(root, path), path),
  });
  const base = fileListSource(dir, 'folder', async () => {
    if (walked) return walked;
    const { paths } = await listFolder(dir);
    return Promise.all(paths.map(readable));
  });
  return {
    ...base,
    async *list() {
      const files: ReadableFile[] = [];
      let count = 0;
      for await (const entry of walkFolder(dir)) {
        count++;
        if (entry.refused) {
          yield { path: entry.path, refused: entry.refused, read: refusedRead(entry.refused) };
          continue;
        }
        const file = await readable(entry.path);
        files.push(file);
        yield file;
      }
      if (count === 0) throw new DataError(dir, 'folder is empty');
      walked ??= files;
    },
  };
}

const refusedRead = (reason: string) => (): Promise<Uint8Array> => Promise.reject(new Error(reason));

/**
 * A zip file on disk as a DataSource, streamed with fs.createReadStream in 1 MiB chunks through fflate: the
 * archive is never read into memory whole. `name` (default the file name) is how errors and the summary call it.
 */
export function nodeZipSource(path: string, size?: number, name = basename(path)): DataSource {
  return zipSource(name, () => chunksOf(path, name), size);
}

async function* chunksOf(path: string, name: string): AsyncGenerator<Uint8Array> {
  const stream = createReadStream(path, { highWaterMark: CHUNK });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    throw new DataError(
      name,
      `cannot read the archive (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  } finally {
    // Reached also when the consumer stops early: close the file descriptor.
    stream.destroy();
  }
}

/**
 * A folder or a zip archive, whichever `path` is (an archive is recognised by its first bytes, whatever its name).
 * Throws a DataError naming `path` when it does not exist or is another kind of file.
 */
export async function openNodeSource(path: string): Promise<DataSource> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new DataError(
      path,
      err.code === 'ENOENT'
        ? 'folder does not exist (nor a zip file of that name)'
        : `cannot open (${err.code ?? 'error'})`,
    );
  });
  if (info.isDirectory()) return nodeFolderSource(path);
  const head = new Uint8Array(4);
  const handle = await open(path, 'r');
  try {
    await handle.read(head, 0, 4, 0);
  } finally {
    await handle.close();
  }
  const isZip =
    ZIP_MAGIC.every((b, i) => head[i] === b) ||
    (head[0] === 0x50 && head[1] === 0x4b && head[2] === 5 && head[3] === 6);
  if (isZip) return nodeZipSource(path, info.size, path);
  throw new DataError(path, 'not a folder or a zip archive (expected a folder of class folders, or a .zip of one)');
}
