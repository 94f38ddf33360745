import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

/** Debian's Python, which carries python3-torch / python3-h5py (a `python3` on PATH may be another one without them). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** True when /usr/bin/python3 exists and imports every module listed. */
export function pythonHas(...modules: string[]): boolean {
  if (!existsSync(SYSTEM_PYTHON)) return false;
  try {
    execFileSync(SYSTEM_PYTHON, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const execFileAsync = promisify(execFile);

/** Runs /usr/bin/python3 with `args`; resolves with its output, rejects with its stderr in the message. */
export async function runPython(
  args: string[],
  options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync(SYSTEM_PYTHON, args, {
      cwd: options.cwd,
      timeout: options.timeoutMs ?? 300_000,
      maxBuffer: 1 << 26,
      env: options.env ?? process.env,
    });
  } catch (err) {
    const e = err as Error & { stderr?: string; stdout?: string; code?: number };
    throw new Error(`python3 ${args.join(' ')} failed (exit ${String(e.code)}):\n${e.stderr ?? ''}${e.stdout ?? ''}`, {
      cause: err,
    });
  }
}
