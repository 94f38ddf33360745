import { describe, expect, it } from 'vitest';
import { arrangeBySplit } from '../../src/lab/data/arrange';
import { DataError } from '../../src/lab/data/errors';
import { selectImages, type ImageSet } from '../../src/lab/data/image-set';
import { createNodeDecoder } from '../../src/lab/data/node/decode';
import { patientId } from '../../src/lab/data/patient-id';
import { generatePhantomImages } from '../../src/lab/data/phantom';
import { ingest, type IngestOptions } from '../../src/lab/data/pipeline';
import type { IngestProgress } from '../../src/lab/data/scan';
import { encodePng } from '../helpers/png-encode';
import { memorySource, shuffledDecoder } from '../helpers/memory-source';
import { encodeImage } from '../helpers/write-dataset';

/** A phantom dataset as image files in memory: `<prefix><CLASS>/<name>`. */
function phantomFiles(
  perClass: number,
  options: { classNames?: string[]; seed?: number; split?: (i: number, name: string) => string } = {},
): Map<string, Uint8Array> {
  const set = generatePhantomImages({
    perClass,
    size: 16,
    channels: 1,
    seed: options.seed ?? 3,
    classNames: options.classNames,
  });
  const files = new Map<string, Uint8Array>();
  for (let i = 0; i < set.count; i++) {
    const name = set.files[i]
      .split('/')
      .pop()!
      .replace(/\.png$/, i % 2 ? '.jpeg' : '.png');
    files.set(
      `${options.split?.(i, name) ?? ''}${set.classNames[set.labels[i]]}/${name}`,
      encodeImage(set, i, i % 2 ? 'jpeg' : 'png'),
    );
  }
  return files;
}

const grey16 = Array.from({ length: 64 }, (_, i) => i * 1000);
const rgba = Array.from({ length: 64 * 4 }, (_, i) => (i % 4 === 3 ? (i * 5) % 256 : (i * 37) % 256));
function withBadFiles(): Map<string, Uint8Array> {
  const files = phantomFiles(6);
  const jpeg = [...files.values()][1];
  files.set('NORMAL/empty.jpeg', new Uint8Array(0));
  files.set('NORMAL/notes.jpeg', new TextEncoder().encode('not a picture at all\n'));
  files.set('PNEUMONIA/truncated.jpeg', jpeg.slice(0, jpeg.length >> 1));
  files.set('NORMAL/deep-16bit.png', encodePng({ width: 8, height: 8, colorType: 0, bitDepth: 16, samples: grey16 }));
  files.set('PNEUMONIA/rgba.png', encodePng({ width: 8, height: 8, colorType: 6, bitDepth: 8, samples: rgba }));
  return files;
}

const run = (files: Map<string, Uint8Array>, options: Partial<IngestOptions> = {}) =>
  ingest(memorySource('data', files), { decoder: createNodeDecoder(), format: { size: 8, channels: 1 }, ...options });

function pixelsOf(set: ImageSet, path: string): Uint8Array {
  const i = set.files.indexOf(path);
  const per = set.size * set.size * set.channels;
  return set.pixels.subarray(i * per, (i + 1) * per);
}

describe('ingest: odd files', () => {
  it('decodes a 16-bit PNG and an RGBA PNG, and names the empty, text and truncated files while the rest loads', async () => {
    const { images, summary } = await run(withBadFiles());
    expect(images!.count).toBe(12 + 2);
    expect([...pixelsOf(images!, 'NORMAL/deep-16bit.png')]).toEqual(grey16.map((v) => Math.round((v * 255) / 65535)));
    const luma = Array.from({ length: 64 }, (_, p) =>
      Math.round(0.299 * rgba[p * 4] + 0.587 * rgba[p * 4 + 1] + 0.114 * rgba[p * 4 + 2]),
    );
    expect([...pixelsOf(images!, 'PNEUMONIA/rgba.png')]).toEqual(luma);
    expect(Object.fromEntries(summary.skipped.map((s) => [s.path, s.reason.replace(/ \(.*$/, '')]))).toEqual({
      'NORMAL/empty.jpeg': 'empty file',
      'NORMAL/notes.jpeg': 'not a JPEG or PNG image',
      'PNEUMONIA/truncated.jpeg': 'corrupt or truncated JPEG',
    });
    expect(summary.formats).toEqual({ png: 8, jpeg: 6 });
    expect(summary.imageSize).toEqual({ minWidth: 8, maxWidth: 16, minHeight: 8, maxHeight: 16 });
  });

  it('finds the same bad files from headers alone when only scanning', async () => {
    const { images, summary } = await run(withBadFiles(), { decoder: null });
    expect(images).toBeNull();
    expect(summary.images).toBe(14);
    expect(summary.store).toBeNull();
    expect(summary.skipped.map((s) => s.path)).toEqual([
      'NORMAL/empty.jpeg',
      'NORMAL/notes.jpeg',
      'PNEUMONIA/truncated.jpeg',
    ]);
  });
});

describe('ingest: progress, cancellation, memory', () => {
  it('reports listing, then every file with counts and bytes', async () => {
    const files = withBadFiles();
    const events: IngestProgress[] = [];
    await run(files, { onProgress: (p) => events.push(p) });
    expect(events[0].phase).toBe('listing');
    const loading = events.filter((e) => e.phase === 'loading');
    expect(loading.map((e) => e.decoded + e.skipped)).toEqual(Array.from({ length: 18 }, (_, i) => i));
    expect(events.at(-1)).toMatchObject({ phase: 'done', decoded: 14, skipped: 3, total: 17 });
    const bytes = [...files.values()].reduce((n, b) => n + b.length, 0);
    expect(loading.at(-1)!.bytes).toBe(bytes);
    expect(loading.at(-1)!.totalBytes).toBe(bytes);
  });

  it('stops on abort with a consistent partial set, decoded out of order by a pool', async () => {
    const files = phantomFiles(12);
    const reference = (await run(files)).images!;
    const controller = new AbortController();
    const decoder = shuffledDecoder(4);
    const result = await run(files, {
      decoder,
      signal: controller.signal,
      onProgress: (p) => p.decoded >= 5 && controller.abort(),
    });
    const set = result.images!;
    expect(result.aborted).toBe(true);
    expect(result.summary.aborted).toBe(true);
    expect(set.count).toBeGreaterThanOrEqual(5);
    expect(set.count).toBeLessThan(24);
    expect(decoder.calls).toBe(set.count);
    expect(set.files).toHaveLength(set.count);
    expect(set.labels).toHaveLength(set.count);
    expect(set.pixels.length).toBe(set.count * 64);
    for (const path of set.files) expect(pixelsOf(set, path)).toEqual(pixelsOf(reference, path));
    expect(result.summary.images).toBe(set.count);
    expect(result.train!.count + result.val!.count + result.test!.count).toBe(set.count);
  });

  it('refuses a store too large for memory before decoding, with the estimate and a smaller size', async () => {
    const decoder = shuffledDecoder(1);
    const err = await run(phantomFiles(6), {
      decoder,
      format: { size: 512, channels: 3 },
      memoryLimitBytes: 1_000_000,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toBe(
      'data: too large for memory: 12 images at 512×512×3 need ≈ 9.44 MB (limit ≈ 1.00 MB); size 160 would need ≈ 922 kB',
    );
    expect(decoder.calls).toBe(0);
    await expect(
      run(phantomFiles(6), { format: { size: 160, channels: 3 }, memoryLimitBytes: 1_000_000 }),
    ).resolves.toBeTruthy();
  });
});

describe('ingest: splits', () => {
  it('keeps every patient and every byte-identical copy in one split, in contiguous views', async () => {
    const files = phantomFiles(20, { seed: 8 });
    const paths = [...files.keys()];
    // A copy saved under another patient's name joins the two patients. These copies are in the other class too
    // (label conflicts, left out by default): kept here, since the split must hold them together either way.
    files.set('PNEUMONIA/person999_virus_1.jpeg', files.get(paths[0])!);
    files.set('NORMAL/IM-9999-0001.png', files.get(paths.at(-1)!)!);
    const result = await run(files, {
      split: { valFraction: 0.2, testFraction: 0.3, seed: 5 },
      keepLabelConflicts: true,
    });
    expect(result.summary.labelConflicts.list).toHaveLength(2);
    expect(result.summary.duplicates).toMatchObject({ groups: 2, files: 4, redundant: 2 });
    expect(result.summary.leaks).toEqual({ patients: 0, duplicateGroups: 0 });
    const splitOf = new Map<string, string>();
    for (const name of ['train', 'val', 'test'] as const) for (const f of result[name]!.files) splitOf.set(f, name);
    for (const group of result.duplicateGroups) expect(new Set(group.map((p) => splitOf.get(p))).size).toBe(1);
    const byPatient = new Map<string, Set<string>>();
    for (const [f, s] of splitOf) byPatient.set(patientId(f), (byPatient.get(patientId(f)) ?? new Set()).add(s));
    for (const splits of byPatient.values()) expect(splits.size).toBe(1);
    expect(result.train!.pixels.buffer).toBe(result.images!.pixels.buffer);
    expect(result.train!.count + result.val!.count + result.test!.count).toBe(42);
    expect(result.summary.splits.val.count).toBeGreaterThan(0);
  });

  it('keeps a test/ folder, re-splits train+val by default, keeps val/ on request', async () => {
    // Split folders by patient, as Kermany's are.
    const byPatient = (_: number, name: string) =>
      ['train/', 'train/', 'val/', 'test/'][Number(/\d+/.exec(patientId(name))![0]) % 4];
    const files = phantomFiles(16, { split: byPatient });
    const folder = (s: string) => [...files.keys()].filter((p) => p.startsWith(s)).sort();
    const pooled = await run(files);
    expect([...pooled.test!.files].sort()).toEqual(folder('test/'));
    expect(pooled.summary).toMatchObject({ valOrigin: 'carved', testOrigin: 'folder', hasSplitFolders: true });
    expect(pooled.val!.files.some((f) => f.startsWith('train/'))).toBe(true);
    const kept = await run(files, { split: { keepOfficialVal: true } });
    expect([...kept.val!.files].sort()).toEqual(folder('val/'));
    expect(kept.summary.valOrigin).toBe('folder');
  });

  it('moves pool files of a patient found in test/ into test, so no patient straddles', async () => {
    const files = phantomFiles(16, { split: (i) => ['train/', 'train/', 'val/', 'test/'][i % 4] });
    const result = await run(files);
    const inFolder = [...files.keys()].filter((p) => p.startsWith('test/'));
    expect(result.test!.files).toEqual(expect.arrayContaining(inFolder));
    expect(result.test!.count).toBeGreaterThan(inFolder.length);
    expect(result.summary.leaks).toEqual({ patients: 0, duplicateGroups: 0 });
  });

  it('takes any classes ≥ 2, PNEUMONIA positive when present, else the second class or the one chosen', async () => {
    const three = await run(phantomFiles(3, { classNames: ['NORMAL', 'COVID', 'PNEUMONIA'] }), { decoder: null });
    expect(three.summary.classNames).toEqual(['COVID', 'NORMAL', 'PNEUMONIA']);
    expect(three.summary.positiveClass).toBe(2);
    const animals = phantomFiles(3, { classNames: ['cat', 'dog', 'fox'] });
    expect((await run(animals, { decoder: null })).summary.positiveClass).toBe(1);
    expect((await run(animals, { decoder: null, positiveClass: 'FOX' })).summary.positiveClass).toBe(2);
    await expect(run(animals, { decoder: null, positiveClass: 'owl' })).rejects.toThrow(
      'data: no class named "owl" to score as positive (classes: cat, dog, fox)',
    );
    await expect(run(animals, { decoder: null, classNames: ['cat', 'dog'] })).rejects.toThrow(
      /its classes \(cat, dog, fox\) differ/,
    );
  });

  it('applies a class-stratified limit before decoding', async () => {
    const decoder = shuffledDecoder(2);
    const { images } = await run(phantomFiles(20), { decoder, limit: 10 });
    expect(images!.count).toBe(10);
    expect(decoder.calls).toBe(10);
    expect([...images!.labels].filter((l) => l === 0)).toHaveLength(5);
  });
});

describe('arrangeBySplit', () => {
  it('reorders in place into blocks equal to selectImages copies', () => {
    const set = generatePhantomImages({ perClass: 7, size: 8, channels: 3, seed: 2 });
    const copy = { ...set, pixels: set.pixels.slice() };
    const assignment = Array.from(
      { length: set.count },
      (_, i) => (['test', 'train', 'val', 'train'] as const)[(i * 5) % 4],
    );
    const { train, val, test, all } = arrangeBySplit(set, assignment);
    const pick = (name: string) => assignment.flatMap((s, i) => (s === name ? [i] : []));
    for (const [view, name] of [
      [train, 'train'],
      [val, 'val'],
      [test, 'test'],
    ] as const) {
      const expected = selectImages(copy, pick(name));
      expect(view.files).toEqual(expected.files);
      expect(view.labels).toEqual(expected.labels);
      expect(view.pixels).toEqual(expected.pixels);
    }
    expect(all.pixels.buffer).toBe(set.pixels.buffer);
  });
});
