/**
 * Reads a zip archive chunk by chunk with fflate's streaming Unzip, so the archive itself is never held whole as
 * one buffer. Every file entry becomes a Blob (the browser may keep those out of the JS heap).
 */
import { Unzip, UnzipInflate, type UnzipFile } from 'fflate';
import { DataError } from '../lab/data/errors';
import type { SourceFile } from './protocol';

/** Lists the files of `zip` with their contents; folders appear as paths ending in `/`. */
export async function unzipToFiles(name: string, zip: Blob, onProgress?: (read: number, total: number) => void): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  const pending: Promise<void>[] = [];
  const unzip = new Unzip((entry: UnzipFile) => {
    if (entry.name.endsWith('/')) {
      files.push({ path: entry.name, blob: new Blob([]) });
      return;
    }
    pending.push(
      new Promise<void>((resolve, reject) => {
        const chunks: Uint8Array[] = [];
        entry.ondata = (err, chunk, final) => {
          if (err) {
            reject(new DataError(`${name}/${entry.name}`, `cannot unpack (${err.message})`));
            return;
          }
          chunks.push(chunk);
          if (final) {
            files.push({ path: entry.name, blob: new Blob(chunks as BlobPart[]) });
            resolve();
          }
        };
      }),
    );
    entry.start();
  });
  unzip.register(UnzipInflate);

  const reader = zip.stream().getReader();
  let read = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      read += value.length;
      unzip.push(value, false);
      onProgress?.(read, zip.size);
    }
    unzip.push(new Uint8Array(0), true);
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(name, `not a readable zip archive (${(err as Error).message})`);
  }
  await Promise.all(pending);
  if (files.length === 0) throw new DataError(name, 'the archive is empty or not a zip file');
  return files;
}
