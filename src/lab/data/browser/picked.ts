import { DataError } from '../errors';
import { fileSizeProblem } from '../limits';
import { fileListSource, type DataSource } from '../source';
import { zipSource } from '../zip-source';

/**
 * What the user picked or dropped, as plain structured-cloneable data (Blobs and strings), so the page can collect
 * it on the main thread — where FileList, DataTransfer and directory entries live — and post it to a worker that
 * runs the pipeline.
 */
export type Picked =
  | { readonly kind: 'zip'; readonly name: string; readonly file: Blob }
  | { readonly kind: 'files'; readonly name: string; readonly files: readonly PickedFile[] };

/** One picked file with its path relative to the picked folder (`chest_xray/train/NORMAL/a.jpeg`). */
export interface PickedFile {
  readonly path: string;
  readonly file: Blob;
}

/** True for a file that should be read as an archive (by name or type). */
export function isZipFile(file: Blob & { name?: string }): boolean {
  return (
    /\.zip$/i.test(file.name ?? '') || file.type === 'application/zip' || file.type === 'application/x-zip-compressed'
  );
}

/**
 * Files from an `<input type=file>`: one .zip → the archive; files with `webkitRelativePath` (a `webkitdirectory`
 * input) → the folder, paths kept; anything else → loose files by name. Null when the list is empty.
 */
export function pickFromFileList(list: FileList | readonly File[]): Picked | null {
  const files = Array.from(list);
  if (files.length === 0) return null;
  if (files.length === 1 && isZipFile(files[0])) return { kind: 'zip', name: files[0].name, file: files[0] };
  const withPaths = files.filter((f) => f.webkitRelativePath);
  if (withPaths.length > 0) {
    const name = withPaths[0].webkitRelativePath.split('/')[0] || 'folder';
    return { kind: 'files', name, files: withPaths.map((f) => ({ path: f.webkitRelativePath, file: f })) };
  }
  return { kind: 'files', name: 'selected files', files: files.map((f) => ({ path: f.name, file: f })) };
}

/**
 * The pipeline's source for what was picked: a streamed zip (Blob.stream(), entry by entry, never the whole
 * archive in memory) or the files themselves, each read when its turn comes.
 */
export function sourceOfPicked(picked: Picked): DataSource {
  if (picked.kind === 'zip') return blobZipSource(picked.file, picked.name);
  const files = relativeToPickedFolder(picked);
  const total = files.reduce((n, f) => n + f.file.size, 0);
  return fileListSource(
    picked.name,
    files.some((f) => f.path.includes('/')) ? 'folder' : 'files',
    async () => files.map((f) => ({ path: f.path, size: f.file.size, read: () => blobBytes(f.file, f.path) })),
    total,
  );
}

/**
 * Paths below the picked folder itself. Every picker spells paths from the chosen folder's name
 * (`xrays/NORMAL/a.png`); kept, that name would read as a class folder, and a folder of loose images would be
 * misreported as "one class". The source is named after the folder, so messages still say which folder it was.
 */
function relativeToPickedFolder(picked: Extract<Picked, { kind: 'files' }>): readonly PickedFile[] {
  const prefix = `${picked.name}/`;
  if (!picked.files.every((f) => f.path.startsWith(prefix))) return picked.files;
  return picked.files.map((f) => ({ path: f.path.slice(prefix.length), file: f.file })).filter((f) => f.path !== '');
}

/** A zip Blob (a dropped or picked File) read chunk by chunk through its stream. */
export function blobZipSource(blob: Blob, name: string): DataSource {
  return zipSource(name, () => blobChunks(blob), blob.size);
}

async function* blobChunks(blob: Blob): AsyncGenerator<Uint8Array> {
  const reader = blob.stream().getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stopping early (cancel, or a finished selective read) must release the file.
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** A picked file's bytes; a file over the per-file limit is refused unread, as on disk and in a zip. */
async function blobBytes(blob: Blob, path: string): Promise<Uint8Array> {
  const tooLarge = fileSizeProblem(blob.size);
  if (tooLarge) throw new DataError(path, tooLarge);
  try {
    return new Uint8Array(await blob.arrayBuffer());
  } catch (err) {
    // A File whose disk file changed or vanished since it was picked: Chromium's NotReadableError.
    throw new DataError(
      path,
      `the file could not be read (changed, moved or deleted since it was chosen: ${(err as Error).name || 'error'})`,
    );
  }
}
