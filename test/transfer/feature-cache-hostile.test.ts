/**
 * --feature-cache on hostile ground: a file, /proc, a read-only folder, a full disk. A cache is a shortcut: where it
 * cannot be written the run goes on with one warning; where it cannot exist at all, one line before any work.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testRunConfig } from '../helpers/run-config';
import { runModel } from '../../src/lab/experiment/run-model';
import { buildMobileNetV2Backbone } from '../../src/lab/models/mobilenet-v2';
import type { FeatureSet } from '../../src/lab/train/feature-set';
import { loadWeightsFromFiles } from '../../src/lab/transfer/load-weights';
import {
  checkFeatureCacheDir,
  FileFeatureCache,
  openFileFeatureCache,
} from '../../src/lab/transfer/node/file-feature-cache';
import { forgetBackboneWeights, provideBackboneWeights } from '../../src/lab/transfer/transfer-context';
import { kerasWeightsH5 } from '../helpers/keras-h5';
import { useCpuBackend } from '../helpers/tf-cpu';
import { mountTmpfs, readOnlyFolder, TMPFS_SKIP } from '../helpers/tmpfs';
import { makeToyImageSet } from '../helpers/toy-images';

const features = (count: number, dim: number): FeatureSet => ({
  features: Float32Array.from({ length: count * dim }, (_, i) => Math.cos(i)),
  dim,
  labels: Int32Array.from({ length: count }, (_, i) => i % 2),
  classNames: ['NORMAL', 'PNEUMONIA'],
  count,
});

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xray-fcache-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('checkFeatureCacheDir / openFileFeatureCache', () => {
  it('refuses a file and a folder that cannot be created, in one line naming the option', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, 'x');
    await expect(checkFeatureCacheDir(file)).rejects.toThrow(
      `--feature-cache ${file}: ${file} exists and is not a folder`,
    );
    if (existsSync('/proc/self')) {
      await expect(checkFeatureCacheDir('/proc/xray-cache')).rejects.toThrow(
        '--feature-cache /proc/xray-cache: cannot create the folder /proc/xray-cache (ENOENT: /proc does not take new folders)',
      );
    }
  });

  it('accepts a new folder and leaves nothing behind', async () => {
    expect(await checkFeatureCacheDir(join(root, 'new', 'cache'))).toEqual({ writable: true });
    expect(existsSync(join(root, 'new'))).toBe(false);
  });

  it('opens a read-only folder for reading, says so once, and never fails a put', async (ctx) => {
    const ro = readOnlyFolder();
    if (!ro) return ctx.skip('no read-only folder can be made here');
    try {
      const lines: string[] = [];
      const cache = await openFileFeatureCache(ro.dir, (l) => lines.push(l));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^--feature-cache ${ro.dir}: not writable \\((EROFS: read-only file system|EACCES: permission denied)\\); cached features are read from it, new ones are not saved$`,
        ),
      );
      await cache.put('k', features(4, 3));
      expect(await cache.get('k')).toBeNull();
      expect(lines).toHaveLength(1);
    } finally {
      ro.release();
    }
  });
});

describe.skipIf(TMPFS_SKIP !== '')('a full disk', () => {
  it('a put that does not fit warns once, leaves no partial file, and a later one that fits is saved', async () => {
    const disk = mountTmpfs('1m')!;
    try {
      const lines: string[] = [];
      const cache = new FileFeatureCache(disk.dir, { onWarning: (l) => lines.push(l) });
      await cache.put('big', features(1000, 500)); // 2 MB
      await cache.put('big2', features(1000, 500));
      expect(lines).toEqual([
        `--feature-cache ${disk.dir}: cannot save features (ENOSPC: no space left on the disk); the run goes on without caching them`,
      ]);
      expect(await readdir(disk.dir)).toEqual([]);
      await cache.put('small', features(10, 4));
      expect((await cache.get('small'))?.count).toBe(10);
    } finally {
      disk.release();
    }
  });

  describe('a transfer model whose cache folder is full', () => {
    const settings = testRunConfig({
      size: 32,
      channels: 1,
      epochs: 2,
      batchSize: 8,
      learningRate: 1e-2,
      bootstrapIterations: 0,
    });
    beforeAll(async () => {
      await useCpuBackend();
      const model = buildMobileNetV2Backbone({ size: 32, alpha: 0.35, seed: 3 });
      const bytes = await kerasWeightsH5(model);
      model.dispose();
      provideBackboneWeights(await loadWeightsFromFiles('mobilenet-v2', [{ name: 'seed-3.h5', bytes }]));
    });
    afterEach(() => forgetBackboneWeights());

    it('still trains and is tested; the cache only warns', async () => {
      const disk = mountTmpfs('64k')!;
      try {
        const lines: string[] = [];
        const featureCache = new FileFeatureCache(disk.dir, { onWarning: (l) => lines.push(l) });
        const data = {
          train: makeToyImageSet(24, 32, 1, 1),
          val: makeToyImageSet(8, 32, 1, 2),
          test: makeToyImageSet(16, 32, 1, 3),
        };
        const run = await runModel('mobilenet-v2', data, settings, {}, undefined, { featureCache });
        expect(run.record.status, run.record.error).toBe('ok');
        expect(run.record.test?.count).toBe(16);
        expect(lines[0]).toBe(
          `--feature-cache ${disk.dir}: cannot save features (ENOSPC: no space left on the disk); the run goes on without caching them`,
        );
        run.model?.dispose();
      } finally {
        disk.release();
      }
    }, 120_000);
  });
});
