import { isZipFile, pickFromFileList, type Picked, type PickedFile } from './picked';

/**
 * Reading what was dropped on the page: a folder (walked through the FileSystemEntry API, folders included so an
 * empty class folder can be reported), several files and folders, or one zip. Main thread only: workers have no
 * DataTransfer.
 */

/** The parts of FileSystemEntry the walk uses (structural, so tests can pass plain objects). */
export interface EntryLike {
  readonly name: string;
  readonly fullPath: string;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  file?(success: (file: File) => void, failure?: (err: unknown) => void): void;
  createReader?(): { readEntries(success: (entries: EntryLike[]) => void, failure?: (err: unknown) => void): void };
}

/**
 * What a drop event carries. Call it synchronously in the `drop` handler, before any `await`: the browser empties
 * the DataTransfer once the handler returns, so the entries are taken first and walked afterwards.
 */
export function pickFromDataTransfer(data: DataTransfer): Promise<Picked | null> {
  const entries = Array.from(data.items)
    .map((item) => (item.kind === 'file' ? (item.webkitGetAsEntry?.() as EntryLike | null) : null))
    .filter((e): e is EntryLike => e != null);
  const files = Array.from(data.files);
  return entries.length > 0 ? pickFromEntries(entries) : Promise.resolve(pickFromFileList(files));
}

/** What dropped entries hold: one zip → the archive; else every file below them with its path. */
export async function pickFromEntries(entries: readonly EntryLike[]): Promise<Picked | null> {
  if (entries.length === 0) return null;
  if (entries.length === 1 && entries[0].isFile) {
    const file = await fileOf(entries[0]);
    if (isZipFile(file)) return { kind: 'zip', name: file.name, file };
  }
  const files: PickedFile[] = [];
  for (const entry of entries) await walk(entry, files);
  const folder = entries.length === 1 && entries[0].isDirectory ? entries[0].name : 'dropped files';
  return { kind: 'files', name: folder, files };
}

async function walk(entry: EntryLike, out: PickedFile[]): Promise<void> {
  const path = entry.fullPath.replace(/^\/+/, '');
  if (entry.isFile) {
    out.push({ path, file: await fileOf(entry) });
    return;
  }
  if (!entry.isDirectory || !entry.createReader) return;
  // A folder travels as a path ending in '/' with no bytes, so detectLayout sees empty class folders.
  out.push({ path: `${path}/`, file: new Blob([]) });
  const reader = entry.createReader();
  // readEntries hands out at most ~100 entries per call: read until it returns none.
  for (;;) {
    const batch = await new Promise<EntryLike[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) await walk(child, out);
  }
}

function fileOf(entry: EntryLike): Promise<File> {
  return new Promise((resolve, reject) => {
    if (!entry.file) reject(new Error(`${entry.fullPath}: not a file`));
    else entry.file(resolve, reject);
  });
}

/** The parts of FileSystemDirectoryHandle (File System Access API, `showDirectoryPicker()`) the walk uses. */
export interface DirectoryHandleLike {
  readonly kind: 'directory';
  readonly name: string;
  values(): AsyncIterable<
    DirectoryHandleLike | { readonly kind: 'file'; readonly name: string; getFile(): Promise<File> }
  >;
}

/** Every file below a folder chosen with `showDirectoryPicker()`, paths starting with the folder's name. */
export async function pickFromDirectoryHandle(root: DirectoryHandleLike): Promise<Picked> {
  const files: PickedFile[] = [];
  const visit = async (dir: DirectoryHandleLike, prefix: string): Promise<void> => {
    files.push({ path: `${prefix}/`, file: new Blob([]) });
    for await (const child of dir.values()) {
      const path = `${prefix}/${child.name}`;
      if (child.kind === 'file') files.push({ path, file: await child.getFile() });
      else await visit(child, path);
    }
  };
  await visit(root, root.name);
  return { kind: 'files', name: root.name, files };
}
