/**
 * Node only: creating folders and calling the file system without hanging, for the CLI's --out and the feature
 * cache. Node 20's `mkdir(…, { recursive: true })` loops forever on a path under /proc (mkdir answers ENOENT while
 * the parent exists), and a call on a hung network mount never returns; these helpers do neither.
 */
import { lstat, mkdir, rmdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** A file-system failure: the errno code and the path it concerns (or TIMEOUT when no answer came in time). */
export class FolderError extends Error {
  constructor(
    readonly code: string,
    readonly at: string,
    message: string,
  ) {
    super(message);
    this.name = 'FolderError';
  }
}

export const errnoOf = (err: unknown): string => (err as NodeJS.ErrnoException)?.code ?? 'error';

/** An errno code in words (`ENOSPC: no space left on the disk`), for the one line a user reads. */
export function explainErrno(code: string): string {
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the disk',
    EDQUOT: 'disk quota exceeded',
    ENOTDIR: 'a part of the path is a file',
    EEXIST: 'already exists',
    TIMEOUT: 'no answer in time',
  };
  return words[code] ? `${code}: ${words[code]}` : code;
}

/** `work`, or a FolderError with code TIMEOUT when it takes longer than `ms` (the call itself is left behind). */
export async function withTimeLimit<T>(work: Promise<T>, ms: number, at: string, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new FolderError('TIMEOUT', at, `no answer from the file system within ${ms / 1000} s while ${what}`)),
      ms,
    );
    timer.unref();
  });
  work.catch(() => undefined); // a call abandoned by the time limit must not surface as unhandled
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Creates `dir` and its missing parents one level at a time (never a recursive mkdir) and returns the folders it
 * created, outermost first. Throws a FolderError naming the folder at fault: a file in the way, a folder that cannot
 * be created (ENOENT with the parent present: a file system like /proc that takes no new folders), or no answer
 * within `ms` per call. Folders it created before failing are removed again.
 */
export async function makeFolders(dir: string, ms: number): Promise<string[]> {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    let info;
    try {
      info = await withTimeLimit(lstat(at), ms, at, `looking at ${at}`);
    } catch (err) {
      if (err instanceof FolderError) throw err;
      const code = errnoOf(err);
      if (code !== 'ENOENT' && code !== 'ENOTDIR')
        throw new FolderError(code, at, `cannot look at ${at} (${explainErrno(code)})`);
      info = null;
    }
    if (info?.isDirectory()) break;
    if (info) throw new FolderError('ENOTDIR', at, `${at} exists and is not a folder`);
    missing.unshift(at);
    if (dirname(at) === at) break;
    at = dirname(at);
  }
  const created: string[] = [];
  for (const folder of missing) {
    try {
      await withTimeLimit(mkdir(folder), ms, folder, `creating ${folder}`);
    } catch (err) {
      await removeEmptyFolders(created);
      if (err instanceof FolderError) throw err;
      const code = errnoOf(err);
      const why = code === 'ENOENT' ? `ENOENT: ${dirname(folder)} does not take new folders` : explainErrno(code);
      throw new FolderError(code, folder, `cannot create the folder ${folder} (${why})`);
    }
    created.push(folder);
  }
  return created;
}

/** Removes folders (innermost first) that are still empty; best effort. */
export async function removeEmptyFolders(created: readonly string[]): Promise<void> {
  for (const folder of [...created].reverse()) await rmdir(folder).catch(() => undefined);
}
