import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from './cli-error';

/** Files to place in --out: relative path → contents. */
export type OutputFiles = Map<string, string | Uint8Array>;

/** Fails early (before any training) when --out exists as a file or cannot be created. */
export async function checkOutDir(out: string): Promise<void> {
  const info = await stat(out).catch(() => null);
  if (info && !info.isDirectory()) throw new CliError(`--out ${out}: exists and is not a folder`);
  try {
    await mkdir(out, { recursive: true });
  } catch (err) {
    throw new CliError(`--out ${out}: cannot create folder (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
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
