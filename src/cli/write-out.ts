import { rmSync } from 'node:fs';
import { lstat, mkdir, rename, rm, rmdir, statfs, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { formatBytes } from '../lab/data/memory';
import { CliError } from './cli-error';

/** Files to place in --out: relative path → contents. */
export type OutputFiles = Map<string, string | Uint8Array>;

/** How long one file-system call on --out may take before the folder counts as unusable (a hung network drive). */
export const OUT_CHECK_TIMEOUT_MS = 10_000;
/** The same for each file written at the end (a model's weights can be 100 MB). */
const WRITE_TIMEOUT_MS = 120_000;

export interface CheckOutOptions {
  /** Time limit for each file-system call of the check; default OUT_CHECK_TIMEOUT_MS. */
  readonly timeoutMs?: number;
  /** Bytes the results will take (models' weights, reports); when given, the disk must have that much free. */
  readonly expectedBytes?: number;
}

const codeOf = (err: unknown): string => (err as NodeJS.ErrnoException)?.code ?? 'error';

/** An errno code in words, for the one line the user reads. */
function explain(code: string): string {
  const words: Record<string, string> = {
    EACCES: 'permission denied', EPERM: 'not permitted', EROFS: 'read-only file system', ENOSPC: 'no space left on the disk',
    EDQUOT: 'disk quota exceeded', ENOTDIR: 'a part of the path is a file', EEXIST: 'already exists',
  };
  return words[code] ? `${code}: ${words[code]}` : code;
}

/** `work` or a CliError naming --out and `what` when it takes longer than `ms` (the call itself is left behind). */
async function withTimeLimit<T>(work: Promise<T>, ms: number, out: string, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CliError(`--out ${out}: no answer from the file system within ${ms / 1000} s while ${what}`)), ms);
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
 * Creates `dir` and its missing parents one level at a time (never `mkdir -p`: Node 20's recursive mkdir loops
 * forever on a path under /proc) and returns the folders it created, outermost first. Throws a CliError naming --out.
 */
async function makeFolders(out: string, dir: string, ms: number): Promise<string[]> {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    const info = await withTimeLimit(lstat(at).catch((err: unknown) => (['ENOENT', 'ENOTDIR'].includes(codeOf(err)) ? null : Promise.reject(err))), ms, out, `looking at ${at}`)
      .catch((err: unknown) => {
        if (err instanceof CliError) throw err;
        throw new CliError(`--out ${out}: cannot look at ${at} (${explain(codeOf(err))})`);
      });
    if (info?.isDirectory()) break;
    if (info) throw new CliError(`--out ${out}: ${at} exists and is not a folder`);
    missing.unshift(at);
    if (dirname(at) === at) break;
    at = dirname(at);
  }
  const created: string[] = [];
  for (const folder of missing) {
    try {
      await withTimeLimit(mkdir(folder), ms, out, `creating ${folder}`);
    } catch (err) {
      await removeFolders(created);
      if (err instanceof CliError) throw err;
      const code = codeOf(err);
      // ENOENT with the parent present: a file system that takes no new folders (/proc, /sys).
      const why = code === 'ENOENT' ? `ENOENT: ${dirname(folder)} does not take new folders` : explain(code);
      throw new CliError(`--out ${out}: cannot create the folder ${folder} (${why})`);
    }
    created.push(folder);
  }
  return created;
}

/** Removes folders this run created (innermost first) when they are still empty; best effort. */
async function removeFolders(created: readonly string[]): Promise<void> {
  for (const folder of [...created].reverse()) await rmdir(folder).catch(() => undefined);
}

/**
 * Proves before any image is decoded that --out can take the results: it is a folder or can be created, a probe file
 * can be written and removed in it, and (given `expectedBytes`) its disk has room. Each call has a time limit, so a
 * hung mount fails in seconds instead of hanging. Leaves nothing behind: folders it had to create are removed again
 * (writeOutputs creates them at the end), so a run stopped with Ctrl-C leaves no empty --out. Throws a CliError
 * whose one line names --out and the problem.
 */
export async function checkOutDir(out: string, options: CheckOutOptions = {}): Promise<void> {
  const ms = options.timeoutMs ?? OUT_CHECK_TIMEOUT_MS;
  const created = await makeFolders(out, out, ms);
  try {
    const probe = join(out, `.xray-lab-probe-${process.pid}`);
    try {
      await withTimeLimit(writeFile(probe, 'xray-lab write check\n'), ms, out, 'writing a probe file');
      await withTimeLimit(unlink(probe), ms, out, 'removing the probe file');
    } catch (err) {
      if (err instanceof CliError) throw err;
      await rm(probe, { force: true }).catch(() => undefined);
      throw new CliError(`--out ${out}: the folder is not writable (${explain(codeOf(err))})`);
    }
    if (options.expectedBytes != null) {
      const fs = await withTimeLimit(statfs(out), ms, out, 'reading the free space');
      const free = fs.bavail * fs.bsize;
      if (free < options.expectedBytes) {
        throw new CliError(`--out ${out}: only ${formatBytes(free)} free on its disk; the results need about ${formatBytes(options.expectedBytes)}`);
      }
    }
  } finally {
    await removeFolders(created);
  }
}

/**
 * Writes every file into a hidden staging folder inside --out, then renames each into place, so an interrupted or
 * failed run never leaves a half-written results.json or model next to older complete ones. Folders are created here
 * (checkOutDir leaves none), one level at a time; on failure, or on Ctrl-C while writing, the staging folder and the
 * folders this call created are removed again. A failure throws a CliError naming --out, the file and the reason.
 */
export async function writeOutputs(out: string, files: OutputFiles): Promise<void> {
  const staging = join(out, `.xray-lab-staging-${process.pid}`);
  const created = await makeFolders(out, out, OUT_CHECK_TIMEOUT_MS);
  // Ctrl-C between here and the end: remove what this call made (synchronously: the process is about to end).
  const onInterrupt = (): void => {
    rmSync(staging, { recursive: true, force: true });
    for (const folder of [...created].reverse()) rmSync(folder, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  let done = false;
  let moving = false;
  let current = '';
  try {
    await rm(staging, { recursive: true, force: true });
    for (const [rel, contents] of files) {
      current = rel;
      const target = join(staging, rel);
      await makeFolders(out, dirname(target), OUT_CHECK_TIMEOUT_MS);
      await withTimeLimit(writeFile(target, contents), WRITE_TIMEOUT_MS, out, `writing ${rel}`);
    }
    moving = true;
    for (const rel of files.keys()) {
      current = rel;
      const final = join(out, rel);
      await makeFolders(out, dirname(final), OUT_CHECK_TIMEOUT_MS);
      await withTimeLimit(rename(join(staging, rel), final), WRITE_TIMEOUT_MS, out, `moving ${rel} into place`);
    }
    done = true;
  } catch (err) {
    if (err instanceof CliError) throw err;
    const left = moving && created.length === 0 ? '; the files before it were already moved into place' : '; no result file was written';
    throw new CliError(`--out ${out}: cannot write ${current} (${explain(codeOf(err))})${left}`);
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    if (!done) for (const folder of [...created].reverse()) await rm(folder, { recursive: true, force: true }).catch(() => undefined);
  }
}
