/**
 * Node only: writes a whole export folder (a PyTorch project, a model's files) so that it appears complete or not
 * at all — every file goes into a hidden staging folder beside the target, which is renamed into place at the end.
 * An error or an interruption leaves no half-written folder behind.
 */
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** Thrown for a target that is not an empty or absent folder, or a file path that would leave it. */
export class ExportFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportFolderError';
  }
}

/**
 * Writes `files` (relative '/'-paths → contents) as the folder `dir`. `dir` must not exist, or be an empty folder;
 * an existing non-empty folder is left untouched and reported.
 */
export async function writeFolderAtomically(
  dir: string,
  files: ReadonlyMap<string, string | Uint8Array>,
): Promise<void> {
  const target = resolve(dir);
  for (const rel of files.keys()) {
    if (
      rel === '' ||
      rel.startsWith('/') ||
      rel.includes('\\') ||
      rel.split('/').some((part) => part === '..' || part === '')
    ) {
      throw new ExportFolderError(
        `${dir}: refusing to write "${rel}" (paths must be relative, '/'-separated, without '..')`,
      );
    }
  }
  const info = await stat(target).catch(() => null);
  if (info && !info.isDirectory()) throw new ExportFolderError(`${dir}: exists and is not a folder`);
  if (info && (await readdir(target)).length > 0)
    throw new ExportFolderError(`${dir}: exists and is not empty; choose a new folder`);

  await mkdir(dirname(target), { recursive: true });
  const staging = join(dirname(target), `.${basename(target)}.partial-${process.pid}-${Date.now()}`);
  try {
    await mkdir(staging);
    for (const [rel, contents] of files) {
      const path = join(staging, rel);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, contents);
    }
    if (info) await rmdir(target); // empty, checked above
    await rename(staging, target);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}
