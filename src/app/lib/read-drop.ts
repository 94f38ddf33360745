/**
 * Turns what the user dropped or picked into files the worker can ingest: a folder (walked through the
 * FileSystemEntry API, which workers lack), a folder picked with <input webkitdirectory>, or a zip archive.
 */
import type { SourceFile } from '../../worker/protocol';

export type Dropped =
  | { kind: 'folder'; name: string; files: SourceFile[] }
  | { kind: 'zip'; file: File }
  | { kind: 'files'; files: SourceFile[] };

const isZip = (f: File) => /\.zip$/i.test(f.name) || f.type === 'application/zip';

/** Files picked with an <input type=file>: a zip, a folder (webkitRelativePath set) or loose files. */
export function fromFileList(list: FileList): Dropped | null {
  const files = [...list];
  if (files.length === 0) return null;
  if (files.length === 1 && isZip(files[0])) return { kind: 'zip', file: files[0] };
  const withPaths = files.filter((f) => f.webkitRelativePath !== '');
  if (withPaths.length > 0) {
    const name = withPaths[0].webkitRelativePath.split('/')[0];
    return { kind: 'folder', name, files: withPaths.map((f) => ({ path: f.webkitRelativePath, blob: f })) };
  }
  return { kind: 'files', files: files.map((f) => ({ path: f.name, blob: f })) };
}

/** What was dropped on a drop zone. Folders keep their relative paths, so class folders survive. */
export async function fromDataTransfer(data: DataTransfer): Promise<Dropped | null> {
  const entries = [...data.items]
    .map((item) => (item.kind === 'file' ? item.webkitGetAsEntry?.() : null))
    .filter((e): e is FileSystemEntry => e != null);
  if (entries.length === 0) return data.files.length > 0 ? fromFileList(data.files) : null;
  if (entries.length === 1 && entries[0].isFile) {
    const file = await entryFile(entries[0] as FileSystemFileEntry);
    if (isZip(file)) return { kind: 'zip', file };
  }
  const files: SourceFile[] = [];
  for (const entry of entries) await walk(entry, files);
  const folder = entries.find((e) => e.isDirectory);
  return folder ? { kind: 'folder', name: entries.length === 1 ? folder.name : 'dropped files', files } : { kind: 'files', files };
}

async function walk(entry: FileSystemEntry, out: SourceFile[]): Promise<void> {
  const path = entry.fullPath.replace(/^\//, '');
  if (entry.isFile) {
    out.push({ path, blob: await entryFile(entry as FileSystemFileEntry) });
    return;
  }
  // Folders are listed too (with a trailing slash) so an empty class folder can be reported.
  out.push({ path: `${path}/`, blob: new Blob([]) });
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns at most ~100 entries per call: keep reading until it returns none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) await walk(child, out);
  }
}

function entryFile(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}
