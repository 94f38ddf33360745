import { constants } from 'node:fs';
import { access, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CliError } from './cli-error';

/** Files to place in --out: relative path → contents. */
export type OutputFiles = Map<string, string | Uint8Array>;

/**
 * Fails early (before any image is read) when --out exists as a file, or when it (or, if it does not exist yet, the
 * nearest folder above it) cannot be written. Creates nothing: a run that fails later leaves no empty --out behind.
 */
export async function checkOutDir(out: string): Promise<void> {
  let probe = resolve(out);
  for (;;) {
    const info = await stat(probe).catch(() => null);
    if (info) {
      if (!info.isDirectory()) throw new CliError(`--out ${out}: ${probe === resolve(out) ? 'exists and is not a folder' : `${probe} is not a folder`}`);
      break;
    }
    const parent = dirname(probe);
    if (parent === probe) break;
    probe = parent;
  }
  try {
    await access(probe, constants.W_OK);
  } catch (err) {
    throw new CliError(`--out ${out}: ${probe} is not writable (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * Writes every file into a hidden staging folder inside --out, then renames each into place, so an interrupted or
 * failed run never leaves a half-written results.json or model next to older complete ones.
 */
export async function writeOutputs(out: string, files: OutputFiles): Promise<void> {
  const staging = join(out, `.xray-lab-staging-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  try {
    for (const [rel, contents] of files) {
      const target = join(staging, rel);
      await mkdir(join(target, '..'), { recursive: true });
      await writeFile(target, contents);
    }
    for (const rel of files.keys()) {
      const final = join(out, rel);
      await mkdir(join(final, '..'), { recursive: true });
      await rename(join(staging, rel), final);
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
