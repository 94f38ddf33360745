import { rmSync } from 'node:fs';
import { rename, rm, statfs, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { formatBytes } from '../lab/data/memory';
import {
  errnoOf,
  explainErrno,
  FolderError,
  makeFolders,
  removeEmptyFolders,
  withTimeLimit,
} from '../lab/util/node/folders';
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

/** A FolderError (or any file-system error) as the one line the CLI prints for --out. */
function outError(out: string, err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof FolderError) return new CliError(`--out ${out}: ${err.message}`);
  return new CliError(`--out ${out}: ${explainErrno(errnoOf(err))}`);
}

/** makeFolders for --out, its failures worded for the CLI. */
async function makeOutFolders(out: string, dir: string, ms: number): Promise<string[]> {
  try {
    return await makeFolders(dir, ms);
  } catch (err) {
    throw outError(out, err);
  }
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
  const created = await makeOutFolders(out, out, ms);
  try {
    const probe = join(out, `.xray-lab-probe-${process.pid}`);
    try {
      await withTimeLimit(writeFile(probe, 'xray-lab write check\n'), ms, out, 'writing a probe file');
      await withTimeLimit(unlink(probe), ms, out, 'removing the probe file');
    } catch (err) {
      if (err instanceof FolderError) throw outError(out, err);
      await rm(probe, { force: true }).catch(() => undefined);
      throw new CliError(`--out ${out}: the folder is not writable (${explainErrno(errnoOf(err))})`);
    }
    if (options.expectedBytes != null) {
      const fs = await withTimeLimit(statfs(out), ms, out, 'reading the free space').catch((err: unknown) => {
        throw outError(out, err);
      });
      const free = fs.bavail * fs.bsize;
      if (free < options.expectedBytes) {
        throw new CliError(
          `--out ${out}: only ${formatBytes(free)} free on its disk; the results need about ${formatBytes(options.expectedBytes)}`,
        );
      }
    }
  } finally {
    await removeEmptyFolders(created);
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
  const created = await makeOutFolders(out, out, OUT_CHECK_TIMEOUT_MS);
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
      await makeOutFolders(out, dirname(target), OUT_CHECK_TIMEOUT_MS);
      await withTimeLimit(writeFile(target, contents), WRITE_TIMEOUT_MS, target, `writing ${rel}`);
    }
    moving = true;
    for (const rel of files.keys()) {
      current = rel;
      const final = join(out, rel);
      await makeOutFolders(out, dirname(final), OUT_CHECK_TIMEOUT_MS);
      await withTimeLimit(rename(join(staging, rel), final), WRITE_TIMEOUT_MS, final, `moving ${rel} into place`);
    }
    done = true;
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (err instanceof FolderError && err.code === 'TIMEOUT') throw outError(out, err);
    const left =
      moving && created.length === 0
        ? '; the files before it were already moved into place'
        : '; no result file was written';
    throw new CliError(`--out ${out}: cannot write ${current} (${explainErrno(errnoOf(err))})${left}`);
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    if (!done)
      for (const folder of [...created].reverse())
        await rm(folder, { recursive: true, force: true }).catch(() => undefined);
  }
}
