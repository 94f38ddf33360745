import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

/** Debian's R (r-base-core); pROC comes from r-cran-proc. */
export const RSCRIPT = '/usr/bin/Rscript';

/** True when Rscript exists and loads every package listed. */
export function rHas(...packages: string[]): boolean {
  if (!existsSync(RSCRIPT)) return false;
  try {
    execFileSync(RSCRIPT, ['-e', packages.map((p) => `suppressMessages(library(${p}))`).join(';')], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

const execFileAsync = promisify(execFile);

/** Runs an R script given as text; resolves with its stdout, rejects with its stderr in the message. */
export async function runR(script: string, timeoutMs = 120_000): Promise<string> {
  try {
    const { stdout } = await execFileAsync(RSCRIPT, ['--vanilla', '-e', script], {
      timeout: timeoutMs,
      maxBuffer: 1 << 24,
    });
    return stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string; code?: number };
    throw new Error(`Rscript failed (exit ${String(e.code)}):\n${e.stderr ?? ''}`, { cause: err });
  }
}
