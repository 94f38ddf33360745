import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/lab/data/errors';
import { imageBytes } from '../../src/lab/data/image-set';
import { loadImageSet, scanFolder, type LoadProgress } from '../../src/lab/data/node/read-folder';
import { writeDataset, type WrittenDataset } from '../helpers/write-dataset';

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'xray-lab-data-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<DataError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DataError);
  return err as DataError;
}

describe('scanFolder + loadImageSet on a generated folder with junk', () => {
  let dir: string;
  let written: WrittenDataset;
  beforeAll(async () => {
    dir = join(base, 'flat');
    written = await writeDataset(dir, { perClass: 8, size: 32, format: 'mixed', junk: true, seed: 5 });
  });

  it('finds the images and the bad .jpeg files, and lists the clutter with reasons', async () => {
    const layout = await scanFolder(dir);
    const junk = written.junk!;
    expect(layout.classNames).toEqual(['NORMAL', 'PNEUMONIA']);
    expect(layout.hasSplits).toBe(false);
    expect(layout.entries.map((e) => e.path).sort()).toEqual(
      [...written.images, junk.empty, junk.text, junk.truncated].sort(),
    );
    expect(Object.fromEntries(layout.skipped.map((s) => [s.path, s.reason]))).toEqual({
      '.DS_Store': 'macOS folder settings (.DS_Store)',
      '__MACOSX/': 'macOS archive metadata (__MACOSX folder)',
      'README.txt': 'not an image extension (.txt); expected .jpg, .jpeg, .png or .dcm',
    });
  });

  it('loads the good images, lists the bad ones, and reports progress', async () => {
    const layout = await scanFolder(dir);
    const progress: LoadProgress[] = [];
    const { set, skipped, aborted } = await loadImageSet(dir, layout.entries, {
      size: 32,
      channels: 1,
      onProgress: (p) => progress.push(p),
    });
    const junk = written.junk!;
    expect(aborted).toBe(false);
    expect(set.count).toBe(written.images.length);
    expect(set.classNames).toEqual(['NORMAL', 'PNEUMONIA']);
    expect(set.pixels.length).toBe(set.count * imageBytes(32, 1));
    expect(Object.fromEntries(skipped.map((s) => [s.path, s.reason.replace(/ \(.*$/, '')]))).toEqual({
      [junk.empty]: 'empty file',
      [junk.text]: 'not a JPEG or PNG image',
      [junk.truncated]: 'corrupt or truncated JPEG',
    });
    expect(progress).toHaveLength(layout.entries.length);
    expect(progress.at(-1)).toEqual({ done: layout.entries.length, total: layout.entries.length, skipped: 3 });

    // PNGs at their own size come back byte for byte; JPEGs close to it.
    const per = imageBytes(32, 1);
    for (let i = 0; i < set.count; i++) {
      const source = written.images.indexOf(set.files[i]);
      expect(set.labels[i]).toBe(written.set.labels[source]);
      const ours = set.pixels.subarray(i * per, (i + 1) * per);
      const original = written.set.pixels.subarray(source * per, (source + 1) * per);
      const maxDiff = ours.reduce((m, v, k) => Math.max(m, Math.abs(v - original[k])), 0);
      expect(maxDiff).toBeLessThanOrEqual(set.files[i].endsWith('.png') ? 0 : 40);
    }
  });

  it('resizes and converts on the way in', async () => {
    const layout = await scanFolder(dir);
    const { set } = await loadImageSet(dir, layout.entries.slice(0, 4), { size: 20, channels: 3, mode: 'letterbox' });
    expect(set.pixels.length).toBe(4 * 20 * 20 * 3);
    expect(set.pixels[0]).toBe(set.pixels[1]);
  });

  it('stops between files on abort and returns a consistent partial set', async () => {
    const layout = await scanFolder(dir);
    const controller = new AbortController();
    const partial = await loadImageSet(dir, layout.entries, {
      size: 16,
      channels: 1,
      signal: controller.signal,
      onProgress: ({ done }) => done === 5 && controller.abort(),
    });
    const full = await loadImageSet(dir, layout.entries.slice(0, 5), { size: 16, channels: 1 });
    expect(partial.aborted).toBe(true);
    expect(partial.set.count + partial.skipped.length).toBe(5);
    expect(partial.set.files).toEqual(full.set.files);
    expect(partial.set.labels).toEqual(full.set.labels);
    expect(partial.set.pixels).toEqual(full.set.pixels);
    expect(partial.set.pixels.length).toBe(partial.set.count * 256);
  });
});

describe('scanFolder: split folders and duplicates', () => {
  it('reads upper-case split folders', async () => {
    const dir = join(base, 'splits');
    const written = await writeDataset(dir, { perClass: 12, splits: true, splitName: (s) => s.toUpperCase(), seed: 2 });
    const layout = await scanFolder(dir);
    expect(layout.hasSplits).toBe(true);
    expect(layout.entries).toHaveLength(written.images.length);
    for (const e of layout.entries) expect(e.path.startsWith(`${e.split!.toUpperCase()}/${e.className}/`)).toBe(true);
    expect(new Set(layout.entries.map((e) => e.split))).toEqual(new Set(['train', 'val', 'test']));
  });

  it('reports byte-identical files', async () => {
    const dir = join(base, 'dups');
    const written = await writeDataset(dir, { perClass: 3, seed: 9 });
    const copy = written.images[0].replace('.png', '-copy.png');
    await copyFile(join(dir, written.images[0]), join(dir, copy));
    const layout = await scanFolder(dir);
    const { duplicates } = await loadImageSet(dir, layout.entries, { size: 8, channels: 1 });
    expect(duplicates).toEqual([[written.images[0], copy].sort()]);
  });
});

describe('scanFolder: errors name the path', () => {
  it('a missing folder, a file, an empty folder', async () => {
    const missing = join(base, 'nope');
    expect((await rejection(scanFolder(missing))).message).toBe(`${missing}: folder does not exist`);
    const file = join(base, 'file.txt');
    await writeFile(file, 'x');
    expect((await rejection(scanFolder(file))).message).toBe(`${file}: not a folder (it is a file)`);
    const empty = join(base, 'empty');
    await mkdir(empty);
    expect((await rejection(scanFolder(empty))).message).toBe(`${empty}: folder is empty`);
  });

  it('a folder of class folders where one is empty', async () => {
    const dir = join(base, 'one-empty');
    await writeDataset(dir, { perClass: 2 });
    await mkdir(join(dir, 'COVID'));
    expect((await rejection(scanFolder(dir))).message).toBe(
      `${dir}/COVID: class folder holds no images (.jpg, .jpeg, .png, .dcm)`,
    );
  });
});
