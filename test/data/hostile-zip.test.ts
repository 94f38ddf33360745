/**
 * Archives that try to hurt: an archive inside the archive (a message once did not name it), and zip
 * bombs — an entry that declares gigabytes, and one that really inflates past the per-file limit. Each gets one line
 * naming the entry, and the rest of the archive loads.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Zip, ZipDeflate, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_REASON } from '../../src/lab/data/file-kinds';
import { MAX_IMAGE_FILE_BYTES } from '../../src/lab/data/limits';
import { nodeZipSource } from '../../src/lab/data/node/sources';
import { ingest } from '../../src/lab/data/pipeline';
import { scanSource } from '../../src/lab/data/scan';
import { zipSource } from '../../src/lab/data/zip-source';
import { runCliCaptured } from '../helpers/run-cli';
import { makeKaggleZip } from '../helpers/kaggle-zip';
import { generatePhantomImages } from '../../src/lab/data/phantom';
import { encodeImage } from '../helpers/write-dataset';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xray-hostile-zip-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A small valid dataset as zip entries: `NORMAL/…png`, `PNEUMONIA/…png`. */
function datasetEntries(perClass = 3): Record<string, Uint8Array> {
  const set = generatePhantomImages({ perClass, size: 16, channels: 1, seed: 9 });
  return Object.fromEntries(
    set.files.map((f, i) => [`${set.classNames[set.labels[i]]}/${f.split('/').pop()}`, encodeImage(set, i, 'png')]),
  );
}

const fromBytes = (name: string, bytes: Uint8Array) =>
  zipSource(
    name,
    async function* () {
      yield bytes;
    },
    bytes.length,
  );

describe('an archive inside the archive', () => {
  it('names the inner archive when it is all there is (scan, and the CLI in one line)', async () => {
    const inner = makeKaggleZip({ perClass: 4, seed: 2 }).bytes;
    const outerPath = join(dir, 'outer.zip');
    await writeFile(outerPath, zipSync({ 'download/archive.zip': inner }));
    await expect(scanSource(nodeZipSource(outerPath))).rejects.toThrow(
      'outer.zip: no images (.jpg, .jpeg, .png, .dcm) found (1 other files skipped); it holds another archive, download/archive.zip, which is not opened: unpack it and choose the result',
    );
    const { code, stderr } = await runCliCaptured(['scan', outerPath]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `xray-lab scan: ${outerPath}: no images (.jpg, .jpeg, .png, .dcm) found (1 other files skipped); it holds another archive, download/archive.zip, which is not opened: unpack it and choose the result\n`,
    );
  });

  it('lists it as skipped, with the reason, when images load beside it', async () => {
    const bytes = zipSync({ ...datasetEntries(), 'NORMAL/more.zip': zipSync({ 'a.txt': new Uint8Array(3) }) });
    const { summary } = await ingest(fromBytes('mixed.zip', bytes), { decoder: null });
    expect(summary.images).toBe(6);
    expect(summary.skipped).toEqual([{ path: 'NORMAL/more.zip', reason: ARCHIVE_REASON }]);
  });

  it('names it when it is all a class folder holds', async () => {
    const bytes = zipSync({ ...datasetEntries(), 'COVID/covid.zip': zipSync({ 'a.txt': new Uint8Array(3) }) });
    await expect(scanSource(fromBytes('three.zip', bytes))).rejects.toThrow(
      'three.zip/COVID: class folder holds no images (.jpg, .jpeg, .png, .dcm); it holds an archive, COVID/covid.zip, which is not opened: unpack it there',
    );
  });
});

describe('zip bombs', () => {
  it('an entry declaring 4.29 GB is refused without inflating it; the rest loads', async () => {
    const bytes = zipSync({ ...datasetEntries(), 'NORMAL/huge.png': new Uint8Array(1000) }, { level: 0 });
    // Patch the local header's uncompressed size of the last entry (what a streaming reader sees first).
    const view = new DataView(bytes.buffer);
    const at = findLocalHeader(bytes, 'NORMAL/huge.png');
    view.setUint32(at + 22, 0xffffff00, true);
    const { summary } = await ingest(fromBytes('declared.zip', bytes), { decoder: null });
    expect(summary.images).toBe(6);
    expect(summary.skipped).toEqual([
      {
        path: 'NORMAL/huge.png',
        reason:
          'declares an unpacked size of 4.29 GB, over the 250 MB limit for one image file (a zip bomb?); not unpacked',
      },
    ]);
  });

  it('an entry that really inflates past the limit is cut off there, streaming, and the rest loads', async () => {
    // 300 MB of zeros deflate to ~0.3 MB; written as a stream (data descriptor), so no size is declared up front.
    const parts: Uint8Array[] = [];
    const zip = new Zip((err, chunk) => {
      if (err) throw err;
      parts.push(chunk);
    });
    for (const [name, data] of Object.entries(datasetEntries())) {
      const entry = new ZipDeflate(name, { level: 1 });
      zip.add(entry);
      entry.push(data, true);
    }
    const bomb = new ZipDeflate('PNEUMONIA/bomb.png', { level: 1 });
    zip.add(bomb);
    const zeros = new Uint8Array(4 << 20);
    const total = MAX_IMAGE_FILE_BYTES + (50 << 20);
    for (let done = 0; done < total; done += zeros.length) bomb.push(zeros, done + zeros.length >= total);
    zip.end();
    const path = join(dir, 'bomb.zip');
    await writeFile(path, Buffer.concat(parts));
    const { summary } = await ingest(nodeZipSource(path), { decoder: null });
    expect(summary.images).toBe(6);
    expect(summary.skipped).toEqual([
      {
        path: 'PNEUMONIA/bomb.png',
        reason: 'unpacks to more than 250 MB, the limit for one image file (a zip bomb?); unpacking stopped',
      },
    ]);
  }, 120_000);
});

/** Offset of the local file header of `name` in a zip. */
function findLocalHeader(bytes: Uint8Array, name: string): number {
  const encoded = new TextEncoder().encode(name);
  for (let i = 0; i + 30 < bytes.length; i++) {
    if (bytes[i] !== 0x50 || bytes[i + 1] !== 0x4b || bytes[i + 2] !== 3 || bytes[i + 3] !== 4) continue;
    const length = bytes[i + 26] | (bytes[i + 27] << 8);
    if (length === encoded.length && encoded.every((b, k) => bytes[i + 30 + k] === b)) return i;
  }
  throw new Error(`no local header for ${name}`);
}
