import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { selectImages } from '../../src/lab/data/image-set';
import type { FeatureSet } from '../../src/lab/train/feature-set';
import { featureCacheKey, MemoryFeatureCache } from '../../src/lab/transfer/feature-cache';
import { Fingerprint } from '../../src/lab/util/fingerprint';
import { fingerprintImageSet } from '../../src/lab/transfer/set-fingerprint';
import { FileFeatureCache } from '../../src/lab/transfer/node/file-feature-cache';
import { makeToyImageSet } from '../helpers/toy-images';

const features = (count: number, dim: number, seed = 1): FeatureSet => ({
  features: Float32Array.from({ length: count * dim }, (_, i) => Math.sin(i * seed)),
  dim,
  labels: Int32Array.from({ length: count }, (_, i) => i % 2),
  classNames: ['NORMAL', 'PNEUMONIA'],
  count,
});

describe('dataset fingerprints', () => {
  it('depend on the content, not on the object, and change with one pixel or one label', () => {
    const set = makeToyImageSet(10, 16, 1, 3);
    const copy = selectImages(
      set,
      Array.from({ length: 10 }, (_, i) => i),
    );
    expect(fingerprintImageSet(copy)).toBe(fingerprintImageSet(set));
    const pixel = { ...copy, pixels: copy.pixels.slice() };
    pixel.pixels[77] ^= 1;
    expect(fingerprintImageSet(pixel)).not.toBe(fingerprintImageSet(set));
    const label = { ...copy, labels: copy.labels.slice() };
    label.labels[3] = 1 - label.labels[3];
    expect(fingerprintImageSet(label)).not.toBe(fingerprintImageSet(set));
  });

  it('hash the same bytes the same way whether or not the view is 4-byte aligned', () => {
    const bytes = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) % 251);
    const unaligned = new Uint8Array(3001);
    unaligned.set(bytes, 1);
    expect(new Fingerprint().update(unaligned.subarray(1)).digest()).toBe(new Fingerprint().update(bytes).digest());
    expect(new Fingerprint().update(bytes.subarray(1)).digest()).not.toBe(new Fingerprint().update(bytes).digest());
  });
});

describe('feature cache keys', () => {
  it('name backbone, weights, size, pixel range and dataset', () => {
    const parts = { backboneId: 'inception-v3', weightsId: 'abc', size: 299, range: '-1,1' as const, dataset: 'd1' };
    const key = featureCacheKey(parts);
    expect(
      new Set([
        key,
        featureCacheKey({ ...parts, size: 224 }),
        featureCacheKey({ ...parts, weightsId: 'abd' }),
        featureCacheKey({ ...parts, range: '0,1' }),
        featureCacheKey({ ...parts, dataset: 'd2' }),
      ]).size,
    ).toBe(5);
  });
});

describe('MemoryFeatureCache', () => {
  it('returns what was put and evicts the least recently used entries beyond its byte budget', async () => {
    const one = features(10, 100); // 4,000 + 40 bytes
    const cache = new MemoryFeatureCache(10_000);
    await cache.put('a', one);
    await cache.put('b', features(10, 100, 2));
    expect(await cache.get('a')).toBe(one); // 'a' is now the most recent
    await cache.put('c', features(10, 100, 3));
    expect(await cache.keys()).toEqual(['a', 'c']);
    await cache.put('huge', features(100, 100));
    expect(await cache.get('huge')).toBeNull();
    await cache.clear();
    expect(await cache.keys()).toEqual([]);
  });
});

describe('FileFeatureCache', () => {
  let dir: string;
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('round-trips feature sets through files and survives a new instance (a second CLI run)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'xray-features-'));
    const set = features(7, 2048);
    await new FileFeatureCache(dir).put('features/inception-v3/w/299px/-1,1/d', set);
    const reopened = new FileFeatureCache(dir);
    const got = await reopened.get('features/inception-v3/w/299px/-1,1/d');
    expect(got).toEqual({ ...set, classNames: [...set.classNames] });
    expect(await reopened.get('features/inception-v3/w/224px/-1,1/d')).toBeNull();
    expect(await reopened.keys()).toEqual(['features/inception-v3/w/299px/-1,1/d']);
    await reopened.clear();
    expect(await reopened.keys()).toEqual([]);
  });
});
