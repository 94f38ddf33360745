/**
 * Hostile image files and names, through the real folder source and pipeline: one decode-size limit for scan, the
 * Node decoders and (in e2e) the page; a 65,535-pixel side; 255-byte and non-ASCII names; a
 * newline in a name; files deleted, renamed, turned into a folder or a pipe between listing and reading.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/lab/data/errors';
import { readImageHeader } from '../../src/lab/data/image-header';
import { createNodeDecoder, decodeImage } from '../../src/lab/data/node/decode';
import { createThreadDecoder } from '../../src/lab/data/node/decoder-threads';
import { nodeFolderSource } from '../../src/lab/data/node/sources';
import { ingest } from '../../src/lab/data/pipeline';
import { scanSource } from '../../src/lab/data/scan';
import { formatSummary } from '../../src/lab/data/summary-text';
import { zipSource } from '../../src/lab/data/zip-source';
import { blankPng, smallJpeg, withJpegSize, withPngSize } from '../helpers/hostile-files';
import { runCliCaptured } from '../helpers/run-cli';
import { writeDataset } from '../helpers/write-dataset';

const LIMIT_8000 = '8000×8000 = 64 megapixels is over the 40-megapixel decode limit';
const FORMAT = { size: 16, channels: 1 as const };

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'xray-lab-hostile-'));
});
afterAll(() => rm(base, { recursive: true, force: true }));

const problemOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return (err as DataError).problem;
  }
  throw new Error('expected a DataError');
};

describe('one decode-size limit, named in the message', () => {
  let dir: string;
  beforeAll(async () => {
    dir = join(base, 'big');
    await writeDataset(dir, { perClass: 3, size: 16, seed: 1 });
    await writeFile(join(dir, 'PNEUMONIA', 'huge.png'), blankPng(8000, 8000));
    await writeFile(join(dir, 'NORMAL', 'huge.jpeg'), withJpegSize(smallJpeg(), 8000, 8000));
  });

  it('the header reader and the Node decoder refuse 8000×8000 in the same words', () => {
    const png = blankPng(8000, 8000);
    expect(problemOf(() => readImageHeader(png, 'huge.png'))).toBe(LIMIT_8000);
    expect(problemOf(() => decodeImage(png, 'huge.png'))).toBe(LIMIT_8000);
    expect(problemOf(() => decodeImage(withJpegSize(smallJpeg(), 8000, 8000), 'huge.jpeg'))).toBe(LIMIT_8000);
    expect(problemOf(() => readImageHeader(withPngSize(blankPng(4, 4), 65535, 65535), 'x.png'))).toBe(
      '65535×65535 = 4,295 megapixels is over the 40-megapixel decode limit',
    );
  });

  it('scan (headers), the main-thread decoder and the thread pool skip the same files with the same reason', async () => {
    const reasons = async (decoder: Parameters<typeof ingest>[1]['decoder']) => {
      const { summary } = await ingest(nodeFolderSource(dir), { decoder, format: FORMAT });
      expect(summary.images).toBe(6);
      return Object.fromEntries(summary.skipped.map((s) => [s.path, s.reason]));
    };
    const expected = { 'NORMAL/huge.jpeg': LIMIT_8000, 'PNEUMONIA/huge.png': LIMIT_8000 };
    expect(await reasons(null)).toEqual(expected);
    expect(await reasons(createNodeDecoder())).toEqual(expected);
    const pool = createThreadDecoder({ threads: 2 });
    try {
      expect(await reasons(pool)).toEqual(expected);
    } finally {
      pool.close();
    }
  }, 60_000);

  it('`scan` and `scan --decode` print the limit', async () => {
    for (const args of [[], ['--decode']]) {
      const { code, stdout } = await runCliCaptured(['scan', dir, ...args]);
      expect(code).toBe(0);
      expect(stdout).toContain(`2 × ${LIMIT_8000}: NORMAL/huge.jpeg, PNEUMONIA/huge.png`);
    }
  });
});

describe('a 65,535-pixel side', () => {
  it('65535×2 (0.13 megapixels) is under the limit: it decodes and is resized like any image', async () => {
    const dir = join(base, 'wide');
    await writeDataset(dir, { perClass: 3, size: 16, seed: 2 });
    await writeFile(join(dir, 'NORMAL', 'strip.png'), blankPng(65535, 2, 200));
    const { summary, images } = await ingest(nodeFolderSource(dir), { decoder: createNodeDecoder(), format: FORMAT });
    expect(summary.images).toBe(7);
    expect(summary.imageSize!.maxWidth).toBe(65535);
    const i = images!.files.indexOf('NORMAL/strip.png');
    expect([...images!.pixels.subarray(i * 256, (i + 1) * 256)].every((v) => v === 200)).toBe(true);
  });
});

describe('names', () => {
  const long = `${'x'.repeat(250)}.jpeg`; // 255 bytes, the most ext4 allows
  const accented = `${'é'.repeat(125)}.png`; // 254 bytes in UTF-8
  const unicode = '肺炎-ünïcødé-🫁.png';

  it('255-byte and non-ASCII names load from a folder and from a zip, and are named as they are', async () => {
    const dir = join(base, 'names');
    await writeDataset(dir, { perClass: 3, size: 16, seed: 3, classNames: ['NORMAL', 'PNEUMONÍA'] });
    const good = smallJpeg(16, 170);
    await writeFile(join(dir, 'NORMAL', long), smallJpeg(16, 90));
    await writeFile(join(dir, 'PNEUMONÍA', accented), good);
    await writeFile(join(dir, 'PNEUMONÍA', unicode), 'not an image');
    const fromFolder = await ingest(nodeFolderSource(dir), { decoder: createNodeDecoder(), format: FORMAT });
    expect(fromFolder.summary.classNames).toEqual(['NORMAL', 'PNEUMONÍA']);
    expect(fromFolder.images!.files).toContain(`NORMAL/${long}`);
    expect(fromFolder.images!.files).toContain(`PNEUMONÍA/${accented}`);
    expect(fromFolder.summary.skipped).toEqual([
      { path: `PNEUMONÍA/${unicode}`, reason: 'not a JPEG or PNG image (starts with text "not an image")' },
    ]);

    const zip = zipSync({
      [`NORMAL/${long}`]: smallJpeg(16, 90),
      [`PNEUMONÍA/${accented}`]: good,
      'NORMAL/a.png': blankPng(8, 8, 3),
      [`PNEUMONÍA/${unicode}`]: new TextEncoder().encode('not an image'),
    });
    const fromZip = await ingest(
      zipSource('names.zip', async function* () {
        yield zip;
      }),
      { decoder: createNodeDecoder(), format: FORMAT },
    );
    expect([...fromZip.images!.files].sort()).toEqual(
      ['NORMAL/a.png', `NORMAL/${long}`, `PNEUMONÍA/${accented}`].sort(),
    );
    expect(fromZip.summary.skipped.map((s) => s.path)).toEqual([`PNEUMONÍA/${unicode}`]);
  });

  it('a newline in a file name cannot break a one-line message', async () => {
    const dir = join(base, 'newline');
    await writeDataset(dir, { perClass: 3, size: 16, seed: 4 });
    await writeFile(join(dir, 'NORMAL', 'two\nlines.png'), 'garbage');
    const { summary } = await ingest(nodeFolderSource(dir), { decoder: null });
    const text = formatSummary(summary);
    expect(text).toContain('NORMAL/two\\nlines.png');
    expect(text.split('\n').some((l) => l.startsWith('lines.png'))).toBe(false);
    expect(problemOf(() => readImageHeader(new TextEncoder().encode('garbage'), 'NORMAL/two\nlines.png'))).toMatch(
      /^not a JPEG or PNG/,
    );
    expect(new DataError('NORMAL/two\nlines.png', 'x').message).toBe('NORMAL/two\\nlines.png: x');
  });
});

describe('a file over the per-file size limit', () => {
  it('is refused unread (a sparse 300 MB file costs no disk)', async () => {
    const dir = join(base, 'huge-file');
    await writeDataset(dir, { perClass: 3, size: 16, seed: 6 });
    await writeFile(join(dir, 'NORMAL', 'huge.png'), blankPng(4, 4));
    await truncate(join(dir, 'NORMAL', 'huge.png'), 300_000_000);
    for (const decoder of [null, createNodeDecoder()]) {
      const { summary } = await ingest(nodeFolderSource(dir), { decoder, format: FORMAT });
      expect(summary.images).toBe(6);
      expect(summary.skipped).toEqual([
        { path: 'NORMAL/huge.png', reason: 'is 300 MB, over the 250 MB limit for one image file' },
      ]);
    }
  });
});

describe('files that change between listing and reading', () => {
  it('a deleted, a renamed, a folder and a named pipe in place of files are named; the rest loads, nothing hangs', async () => {
    const dir = join(base, 'changing');
    const written = await writeDataset(dir, { perClass: 5, size: 16, seed: 5 });
    const scanned = await scanSource(nodeFolderSource(dir));
    const [gone, moved, folder, pipe] = written.images;
    await rm(join(dir, gone));
    await rename(join(dir, moved), join(dir, `${moved}.bak`));
    await rm(join(dir, folder));
    await mkdir(join(dir, folder));
    await rm(join(dir, pipe));
    execFileSync('mkfifo', [join(dir, pipe)]);
    const { summary } = await ingest(scanned, { decoder: createNodeDecoder(), format: FORMAT });
    expect(summary.images).toBe(6);
    expect(Object.fromEntries(summary.skipped.map((s) => [s.path, s.reason]))).toEqual({
      [gone]: 'the file was removed or renamed after the folder was listed',
      [moved]: 'the file was removed or renamed after the folder was listed',
      [folder]: 'the file became a folder after the folder was listed',
      [pipe]: 'not a regular file (a pipe, socket or device); not read',
    });
  });
});
