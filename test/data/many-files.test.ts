/**
 * A folder of 50,000 tiny files: listed as a stream with progress (not one silent pass), every file read once, the
 * summary exact. Generated in a temporary folder and removed. Time and memory are printed, not asserted (the machine
 * is shared).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/run-cli';
import { encodePng } from '../helpers/png-encode';

const PER_CLASS = 25_000;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xray-lab-50k-'));
  for (const cls of ['NORMAL', 'PNEUMONIA']) {
    await mkdir(join(dir, cls));
    // 4×4 grey PNGs whose pixels spell the file's number and class: no two files alike.
    for (let start = 0; start < PER_CLASS; start += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, PER_CLASS - start) }, (_, k) => {
          const i = start + k;
          const samples = [
            i & 255,
            (i >> 8) & 255,
            (i >> 16) & 255,
            cls === 'NORMAL' ? 0 : 1,
            ...new Array(12).fill(7),
          ];
          return writeFile(
            join(dir, cls, `IM-${String(i).padStart(5, '0')}-0001.png`),
            encodePng({ width: 4, height: 4, colorType: 0, bitDepth: 8, samples }),
          );
        }),
      );
    }
  }
}, 600_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('50,000 tiny files', () => {
  it('`scan` lists them with progress and counts every one', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const { code, stdout, stderr } = await runCliCaptured(['scan', dir]);
    const seconds = (performance.now() - started) / 1000;
    const heapAfter = process.memoryUsage().heapUsed;
    console.log(
      `scan of 50,000 files: ${seconds.toFixed(1)} s; heap ${(heapBefore / 2 ** 20).toFixed(0)} → ${(heapAfter / 2 ** 20).toFixed(0)} MiB`,
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/: 50000 images, 2 classes/);
    expect(stdout).toContain('nothing skipped');
    expect(stdout).toContain('no byte-identical files');
    // Listing progress every 10,000 entries (50,002 with the two class folders), then reading progress.
    expect(stderr).toContain('listing: 10000 files and folders so far');
    expect(stderr).toContain('listing: 50000 files and folders so far');
    expect(stderr).toContain('read 49000/50000');
  }, 600_000);
});
