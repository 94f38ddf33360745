import { describe, expect, it } from 'vitest';
import { identifyGenerated, identifyLayout, splitManifest } from '../../src/lab/data/data-identity';
import type { ImageSet } from '../../src/lab/data/image-set';
import { detectLayout } from '../../src/lab/data/layout';

const files = ['NORMAL/a.png', 'NORMAL/b.png', 'PNEUMONIA/c.png'];
const sizes = (prefix = '') => new Map(files.map((f, i) => [prefix + f, 100 + i]));

describe('data identity', () => {
  it('counts files per class and fingerprints names and sizes, whatever the listing order', () => {
    const id = identifyLayout(detectLayout(files), sizes());
    expect(id).toMatchObject({ files: 3, filesPerClass: { NORMAL: 2, PNEUMONIA: 1 }, root: '' });
    expect(id.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(identifyLayout(detectLayout([...files].reverse()), sizes()).fingerprint).toBe(id.fingerprint);
  });

  it('changes when a file is renamed, resized, added or removed', () => {
    const base = identifyLayout(detectLayout(files), sizes()).fingerprint;
    const resized = sizes();
    resized.set('NORMAL/a.png', 999);
    expect(identifyLayout(detectLayout(files), resized).fingerprint).not.toBe(base);
    const renamed = ['NORMAL/a2.png', 'NORMAL/b.png', 'PNEUMONIA/c.png'];
    expect(identifyLayout(detectLayout(renamed), new Map(renamed.map((f, i) => [f, 100 + i]))).fingerprint).not.toBe(
      base,
    );
    expect(identifyLayout(detectLayout(files.slice(1)), sizes()).fingerprint).not.toBe(base);
  });

  it('agrees between a folder and an archive that wraps it (chest_xray/…)', () => {
    const wrapped = files.map((f) => `chest_xray/${f}`);
    const fromZip = identifyLayout(detectLayout(wrapped), sizes('chest_xray/'));
    expect(fromZip.root).toBe('chest_xray/');
    expect(fromZip.fingerprint).toBe(identifyLayout(detectLayout(files), sizes()).fingerprint);
  });

  it('identifies a generated set by its names and image bytes', () => {
    const set = (size: number): ImageSet => ({
      size,
      channels: 1,
      classNames: ['A', 'B'],
      pixels: new Uint8Array(2 * size * size),
      labels: Int32Array.of(0, 1),
      files: ['A/0', 'B/1'],
      count: 2,
    });
    expect(identifyGenerated(set(8))).toMatchObject({ files: 2, filesPerClass: { A: 1, B: 1 } });
    expect(identifyGenerated(set(8)).fingerprint).not.toBe(identifyGenerated(set(16)).fingerprint);
  });
});

describe('split manifest', () => {
  const set = (names: string[]): ImageSet => ({
    size: 1,
    channels: 1,
    classNames: ['A', 'B'],
    pixels: new Uint8Array(names.length),
    labels: new Int32Array(names.length),
    files: names,
    count: names.length,
  });

  it('lists each split sorted, relative to the root, with a hash that ignores order but not membership', () => {
    const m = splitManifest({ train: set(['r/b', 'r/a']), val: null, test: set(['r/c']) }, 'r/');
    expect(m).toMatchObject({ train: ['a', 'b'], val: [], test: ['c'] });
    expect(splitManifest({ train: set(['r/a', 'r/b']), val: null, test: set(['r/c']) }, 'r/').hash).toBe(m.hash);
    expect(splitManifest({ train: set(['r/a']), val: set(['r/b']), test: set(['r/c']) }, 'r/').hash).not.toBe(m.hash);
  });
});
