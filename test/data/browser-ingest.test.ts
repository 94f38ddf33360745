/**
 * The browser pipeline (src/lab/data/browser) in headless Chromium on a tiny bundled page (bench/ingest/page): a
 * generated folder through a webkitdirectory input and a generated Kaggle-like zip through a plain file input,
 * decoded by the worker pool and by the single-threaded decoder, compared with Node's decoding of the same files.
 * Skipped where no Chromium is installed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIngestPage, CHROMIUM, openIngestPage, type IngestPage } from '../../bench/ingest/browser-harness';
import { createNodeDecoder } from '../../src/lab/data/node/decode';
import { nodeFolderSource } from '../../src/lab/data/node/sources';
import { ingest } from '../../src/lab/data/pipeline';
import { makeKaggleZip } from '../helpers/kaggle-zip';
import { encodePng } from '../helpers/png-encode';
import { writeDataset } from '../helpers/write-dataset';

const SIZE = 24;
const FORMAT = { size: SIZE, channels: 1 as const };

describe.skipIf(!CHROMIUM)('browser ingestion in Chromium', () => {
  let work: string;
  let folder: string;
  let lab: IngestPage;
  let nodePixels: Map<string, Uint8Array>;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'xray-browser-ingest-'));
    folder = join(work, 'xrays');
    await writeDataset(folder, { perClass: 6, size: 32, format: 'mixed', junk: true, seed: 3 });
    const grey16 = Array.from({ length: 40 * 30 }, (_, i) => (i * 997) % 65536);
    await writeFile(
      join(folder, 'NORMAL', 'deep-16bit.png'),
      encodePng({ width: 40, height: 30, colorType: 0, bitDepth: 16, samples: grey16 }),
    );
    const rgba = Array.from({ length: 20 * 20 * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 13) % 256));
    await writeFile(
      join(folder, 'PNEUMONIA', 'colour-rgba.png'),
      encodePng({ width: 20, height: 20, colorType: 6, bitDepth: 8, samples: rgba }),
    );
    const reference = await ingest(nodeFolderSource(folder), { decoder: createNodeDecoder(), format: FORMAT });
    const set = reference.images!;
    nodePixels = new Map(set.files.map((f, i) => [f, set.pixels.slice(i * SIZE * SIZE, (i + 1) * SIZE * SIZE)]));
    lab = await openIngestPage(await buildIngestPage(join(work, 'site')));
    await lab.setInput('folder', folder);
  }, 180_000);

  afterAll(async () => {
    await lab?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  for (const workers of [2, 0]) {
    it(`decodes a folder ${workers ? `in a pool of ${workers} workers` : 'on the page thread'}: odd files named, pixels as in Node`, async () => {
      const result = await lab.run({ input: 'folder', workers, ...FORMAT, returnPixels: true });
      expect(result.decoder).toMatch(workers ? /2 workers/ : /calling thread/);
      const { summary } = result;
      expect(summary.images).toBe(12 + 2);
      expect(Object.fromEntries(summary.skipped.map((s) => [s.path, s.reason.replace(/ \(.*$/, '')]))).toEqual({
        '.DS_Store': 'macOS folder settings',
        'README.txt': 'not an image extension',
        'NORMAL/empty.jpeg': 'empty file',
        'NORMAL/notes.jpeg': 'not a JPEG or PNG image',
        'NORMAL/truncated.jpeg': 'corrupt or truncated JPEG',
        '__MACOSX/NORMAL/._IM-0001-0001.png': 'macOS archive metadata',
      });
      expect(summary.leaks).toEqual({ patients: 0, duplicateGroups: 0 });
      for (const [path, pixels] of Object.entries(result.pixels!)) {
        const node = nodePixels.get(path.replace(/^xrays\//, ''))!;
        const diffs = pixels.map((v, i) => Math.abs(v - node[i]));
        const max = Math.max(...diffs);
        // PNG: the same bytes (16-bit: rounding may differ by 1); JPEG: two different IDCTs, a few grey levels.
        if (path.endsWith('.png')) expect(max, path).toBeLessThanOrEqual(1);
        else expect(max, path).toBeLessThanOrEqual(12);
        expect(diffs.reduce((a, b) => a + b, 0) / diffs.length, path).toBeLessThan(2);
      }
    });
  }

  it('cancels with a consistent partial result', async () => {
    const result = await lab.run({ input: 'folder', workers: 2, ...FORMAT, returnPixels: true, abortAfter: 4 });
    expect(result.summary.aborted).toBe(true);
    expect(result.summary.images).toBeGreaterThanOrEqual(4);
    expect(result.summary.images).toBeLessThan(14);
    expect(Object.keys(result.pixels!)).toHaveLength(result.summary.images);
  });

  it('streams a Kaggle-like zip from a File: every image once, nested copy and __MACOSX skipped', async () => {
    const zip = makeKaggleZip({ perClass: 8, seed: 5 });
    const path = join(work, 'archive.zip');
    await writeFile(path, zip.bytes);
    await lab.setInput('file', path);
    const result = await lab.run({ input: 'file', workers: 2, size: 16, channels: 3, returnPixels: true });
    expect(result.summary.kind).toBe('zip');
    expect(Object.keys(result.pixels!).sort()).toEqual(zip.images);
    expect(result.summary.nestedCopy).toBe('chest_xray/chest_xray/');
    expect(result.summary.skipped).toHaveLength(zip.nested.length + zip.junk.length);
  });
});
