/**
 * Small file systems for tests of what a full or read-only disk does: a tmpfs of a given size mounted on a temporary
 * folder. Mounting needs root (or CAP_SYS_ADMIN); where it is not permitted the helpers return null and the caller
 * skips with a message.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Mounted {
  readonly dir: string;
  /** Unmounts and removes the mount point. */
  release(): void;
}

/** A tmpfs (`size` like '1m', `ro` for read-only) on a fresh temporary folder, or null when mounting is not permitted. */
export function mountTmpfs(size: string, readOnly = false): Mounted | null {
  const dir = mkdtempSync(join(tmpdir(), 'xray-lab-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${readOnly ? ',ro' : ''}`, 'tmpfs', dir], {
      stdio: 'pipe',
    });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    release() {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Why tmpfs tests are skipped here, or '' when mounting works. Probed once. */
export const TMPFS_SKIP = (() => {
  const probe = mountTmpfs('64k');
  if (!probe) return 'mounting a tmpfs is not permitted here (needs root): full-disk tests skipped';
  probe.release();
  return '';
})();

/**
 * A folder nobody may write into: chmod 555 for an ordinary user; for root (whom permissions do not stop) a read-only
 * tmpfs. Null when neither works.
 */
export function readOnlyFolder(): Mounted | null {
  if (process.getuid?.() !== 0) {
    const dir = mkdtempSync(join(tmpdir(), 'xray-lab-ro-'));
    chmodSync(dir, 0o555);
    return {
      dir,
      release() {
        chmodSync(dir, 0o755);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  return mountTmpfs('64k', true);
}
