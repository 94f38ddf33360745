import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DataError } from '../errors';
import { fileListSource, type DataSource } from '../source';
import { zipSource } from '../zip-source';
import { listFolder } from './read-folder';

/** Archive chunks of 1 MiB: few enough calls, small enough to keep memory flat. */
const CHUNK = 1 << 20;

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/** Files stat'ed at once while listing: enough to overlap the calls, few enough to keep descriptors free. */
const STAT_BATCH = 64;

/**
 * A folder on disk as a DataSource (walked once, sorted; files read with fs.readFile). Each file's size is read
 * while listing: a dataset's identity (data-identity.ts) fingerprints names and sizes, as the page does from File.size.
 */
export function nodeFolderSource(dir: string): DataSource {
  return fileListSource(dir, 'folder', async () => {
    const { root, paths } = await listFolder(dir);
    const sizes: (number | undefined)[] = [];
    for (let i = 0; i < paths.length; i += STAT_BATCH) {
      const batch = paths.slice(i, i + STAT_BATCH);
      sizes.push(...await Promise.all(batch.map((p) => (p.endsWith('/') ? undefined : stat(join(root, p)).then((s) => s.size, () => undefined)))));
    }
    return paths.map((path, i) => ({
      path,
      size: sizes[i],
      read: async () => {
        const buffer = await readFile(join(root, path));
        return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      },
    }));
  });
}

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
    throw new DataError(name, `cannot read the archive (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
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
    throw new DataError(path, err.code === 'ENOENT' ? 'folder does not exist (nor a zip file of that name)' : `cannot open (${err.code ?? 'error'})`);
  });
  if (info.isDirectory()) return nodeFolderSource(path);
  const head = new Uint8Array(4);
  const handle = await open(path, 'r');
  try {
    await handle.read(head, 0, 4, 0);
  } finally {
    await handle.close();
  }
  const isZip = ZIP_MAGIC.every((b, i) => head[i] === b) || (head[0] === 0x50 && head[1] === 0x4b && head[2] === 5 && head[3] === 6);
  if (isZip) return nodeZipSource(path, info.size, path);
  throw new DataError(path, 'not a folder or a zip archive (expected a folder of class folders, or a .zip of one)');
}
