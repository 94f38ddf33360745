/**
 * --out is proved writable before anything is decoded, fails with one line naming it, never hangs, and leaves no
 * folder behind that the run did not finish writing (a full disk, a write error, Ctrl-C).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOutDir, writeOutputs } from '../../src/cli/write-out';
import { runCliCaptured } from '../helpers/run-cli';
import { mountTmpfs, readOnlyFolder, TMPFS_SKIP } from '../helpers/tmpfs';
import { writeDataset } from '../helpers/write-dataset';

let root: string;
let data: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xray-out-'));
  data = join(root, 'phantom');
  await writeDataset(data, { perClass: 10, size: 16, seed: 2 });
});
afterAll(() => rm(root, { recursive: true, force: true }));

const failure = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: Error) => err.message,
  );

describe('checkOutDir', () => {
  it('accepts a new nested folder, and leaves nothing behind', async () => {
    const out = join(root, 'new', 'deeper', 'results');
    await checkOutDir(out, { expectedBytes: 1000 });
    expect(existsSync(join(root, 'new'))).toBe(false);
  });

  it('accepts an existing folder and leaves its contents as they were', async () => {
    const out = join(root, 'existing');
    await mkdir(out);
    await writeFile(join(out, 'keep.txt'), 'mine');
    await checkOutDir(out);
    expect(await readdir(out)).toEqual(['keep.txt']);
  });

  it('refuses a file, and a path through a file', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, 'x');
    expect(await failure(checkOutDir(file))).toBe(`--out ${file}: ${file} exists and is not a folder`);
    expect(await failure(checkOutDir(join(file, 'results')))).toBe(
      `--out ${join(file, 'results')}: ${file} exists and is not a folder`,
    );
  });

  it.skipIf(!existsSync('/proc/self'))('refuses /proc/xray-results at once instead of hanging', async () => {
    expect(await failure(checkOutDir('/proc/xray-results'))).toBe(
      '--out /proc/xray-results: cannot create the folder /proc/xray-results (ENOENT: /proc does not take new folders)',
    );
  });

  it('refuses an existing folder nobody may write into', async (ctx) => {
    const ro = readOnlyFolder();
    if (!ro) return ctx.skip('no read-only folder can be made here (not root and chmod ineffective)');
    try {
      const message = await failure(checkOutDir(ro.dir));
      expect(message).toMatch(
        new RegExp(
          `^--out ${ro.dir}: the folder is not writable \\((EROFS: read-only file system|EACCES: permission denied)\\)$`,
        ),
      );
      expect(await failure(checkOutDir(join(ro.dir, 'sub')))).toMatch(/cannot create the folder .*\((EROFS|EACCES)/);
    } finally {
      ro.release();
    }
  });

  it('gives up after its time limit when the file system does not answer', async () => {
    // A named pipe where the probe file goes: opening it to write waits for a reader that never comes, as a call
    // on a hung network drive would.
    const out = join(root, 'hung');
    await mkdir(out);
    const probe = join(out, `.xray-lab-probe-${process.pid}`);
    execFileSync('mkfifo', [probe]);
    const started = Date.now();
    expect(await failure(checkOutDir(out, { timeoutMs: 300 }))).toBe(
      `--out ${out}: no answer from the file system within 0.3 s while writing a probe file`,
    );
    expect(Date.now() - started).toBeLessThan(60_000);
    // Let the abandoned write finish (it gets its reader), so no thread stays blocked.
    const reader = await open(probe, constants.O_RDONLY | constants.O_NONBLOCK);
    await new Promise((r) => setTimeout(r, 50));
    await reader.close();
  });

  it.skipIf(TMPFS_SKIP !== '')('refuses a disk without room for the expected results', async () => {
    const disk = mountTmpfs('1m')!;
    try {
      expect(await failure(checkOutDir(join(disk.dir, 'out'), { expectedBytes: 5_000_000 }))).toMatch(
        new RegExp(`^--out ${disk.dir}/out: only 1\\.\\d+ MB free on its disk; the results need about 5\\.00 MB$`),
      );
      expect(existsSync(join(disk.dir, 'out'))).toBe(false);
    } finally {
      disk.release();
    }
  });
});

describe('writeOutputs', () => {
  it('creates the folders and places every file', async () => {
    const out = join(root, 'written', 'here');
    await writeOutputs(
      out,
      new Map<string, string | Uint8Array>([
        ['results.json', '{}'],
        ['models/a/weights.bin', new Uint8Array(10)],
      ]),
    );
    expect(await readFile(join(out, 'results.json'), 'utf8')).toBe('{}');
    expect((await readdir(out)).sort()).toEqual(['models', 'results.json']);
  });

  it.skipIf(TMPFS_SKIP !== '')(
    'on a full disk: one line naming the file and ENOSPC, and no folder or partial file left',
    async () => {
      const disk = mountTmpfs('1m')!;
      try {
        const out = join(disk.dir, 'results');
        const files = new Map<string, string | Uint8Array>([
          ['results.json', '{}'],
          ['models/big/weights.bin', new Uint8Array(3_000_000)],
        ]);
        expect(await failure(writeOutputs(out, files))).toBe(
          `--out ${out}: cannot write models/big/weights.bin (ENOSPC: no space left on the disk); no result file was written`,
        );
        expect(await readdir(disk.dir)).toEqual([]);
      } finally {
        disk.release();
      }
    },
  );
});

describe('xray-lab compare and --out', () => {
  it.skipIf(!existsSync('/proc/self'))('--out /proc/xray-results: exit 2 with one line, no hang', async () => {
    const { code, stderr } = await runCliCaptured([
      'compare',
      '--data',
      data,
      '--models',
      'light-k1',
      '--size',
      '16',
      '--out',
      '/proc/xray-results',
    ]);
    expect(code).toBe(2);
    expect(stderr).not.toMatch(/epoch 1/);
    expect(stderr.trim().split('\n').pop()).toBe(
      'xray-lab compare: --out /proc/xray-results: cannot create the folder /proc/xray-results (ENOENT: /proc does not take new folders)',
    );
  });

  it('an existing read-only --out: exit 2 with one line before any training', async (ctx) => {
    const ro = readOnlyFolder();
    if (!ro) return ctx.skip('no read-only folder can be made here');
    try {
      const { code, stderr } = await runCliCaptured([
        'compare',
        '--data',
        data,
        '--models',
        'light-k1',
        '--size',
        '16',
        '--out',
        ro.dir,
      ]);
      expect(code).toBe(2);
      expect(stderr).not.toMatch(/epoch 1/);
      expect(stderr.trim().split('\n').pop()).toMatch(
        new RegExp(`^xray-lab compare: --out ${ro.dir}: the folder is not writable`),
      );
    } finally {
      ro.release();
    }
  });

  it('Ctrl-C while training leaves no --out behind', async () => {
    const out = join(root, 'interrupted', 'results');
    const child = spawn(
      process.execPath,
      [
        'bin/xray-lab.mjs',
        'compare',
        '--data',
        data,
        '--models',
        'light-k1',
        '--size',
        '16',
        '--epochs',
        '10000',
        '--batch',
        '4',
        '--bootstrap',
        '0',
        '--out',
        out,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    const ended = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/epoch 1\//.test(stderr)) resolve();
      });
      child.on('exit', () => reject(new Error(`the run ended before training: ${stderr}`)));
    });
    child.kill('SIGINT');
    await ended;
    expect(existsSync(join(root, 'interrupted'))).toBe(false);
  }, 120_000);
});
