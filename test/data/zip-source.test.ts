import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobZipSource } from '../../src/lab/data/browser/picked';
import { DataError } from '../../src/lab/data/errors';
import { NESTED_COPY_REASON } from '../../src/lab/data/layout';
import { createNodeDecoder } from '../../src/lab/data/node/decode';
import { nodeZipSource, openNodeSource } from '../../src/lab/data/node/sources';
import { ingest } from '../../src/lab/data/pipeline';
import type { DataSource } from '../../src/lab/data/source';
import { zipSource } from '../../src/lab/data/zip-source';
import { makeKaggleZip, type KaggleZip } from '../helpers/kaggle-zip';

let dir: string;
let kaggle: KaggleZip;
let zipPath: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xray-zip-'));
  kaggle = makeKaggleZip({ perClass: 12, seed: 4 });
  zipPath = join(dir, 'archive.zip');
  await writeFile(zipPath, kaggle.bytes);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The archive served in chunks of `size` bytes, counting how many were pulled. */
function chunked(bytes: Uint8Array, size: number): { source: DataSource; pulled: () => number } {
  let pulled = 0;
  const source = zipSource(
    'archive.zip',
    async function* () {
      for (let at = 0; at < bytes.length; at += size) {
        pulled++;
        yield bytes.slice(at, at + size);
      }
    },
    bytes.length,
  );
  return { source, pulled: () => pulled };
}

const load = (source: DataSource) =>
  ingest(source, { decoder: createNodeDecoder(), format: { size: 12, channels: 1 } });

describe('a zip laid out like the Kaggle archive', () => {
  it('yields every image exactly once, and lists the nested copy, __MACOSX and .DS_Store with reasons', async () => {
    const result = await load(nodeZipSource(zipPath));
    const { summary } = result;
    expect([...result.images!.files].sort()).toEqual(kaggle.images);
    expect(summary.images).toBe(kaggle.images.length);
    expect(summary.nestedCopy).toBe('chest_xray/chest_xray/');
    expect(summary.hasSplitFolders).toBe(true);
    expect(summary.testOrigin).toBe('folder');
    const reasons = new Map(summary.skipped.map((s) => [s.path, s.reason]));
    for (const path of kaggle.nested) expect(reasons.get(path)).toBe(NESTED_COPY_REASON);
    for (const path of kaggle.junk) expect(reasons.get(path) ?? reasons.get('__MACOSX/')).toMatch(/macOS/);
    expect(summary.skipped).toHaveLength(kaggle.nested.length + kaggle.junk.length);
    expect(summary.leaks).toEqual({ patients: 0, duplicateGroups: 0 });
  });

  it('reads the same from a Blob (the browser path), from tiny chunks, and from a streamed zip with data descriptors', async () => {
    const reference = (await load(nodeZipSource(zipPath))).images!;
    const fromBlob = (await load(blobZipSource(new Blob([kaggle.bytes as Uint8Array<ArrayBuffer>]), 'archive.zip')))
      .images!;
    expect(fromBlob.files).toEqual(reference.files);
    expect(fromBlob.pixels).toEqual(reference.pixels);
    const tiny = (await load(chunked(kaggle.bytes, 333).source)).images!;
    expect(tiny.files).toEqual(reference.files);
    const streamed = makeKaggleZip({ perClass: 12, seed: 4, streamed: true });
    const fromStream = (await load(chunked(streamed.bytes, 4096).source)).images!;
    expect(fromStream.files).toEqual(reference.files);
    expect(fromStream.pixels).toEqual(reference.pixels);
  });

  it('loads a file that only the nested copy holds, once', async () => {
    const zip = makeKaggleZip({ perClass: 6, seed: 2, nestedOnly: ['train/NORMAL/IM-9999-0001.jpeg'] });
    const { images } = await load(chunked(zip.bytes, 1 << 16).source);
    expect(images!.files.filter((f) => f.endsWith('IM-9999-0001.jpeg'))).toEqual([
      'chest_xray/chest_xray/train/NORMAL/IM-9999-0001.jpeg',
    ]);
    expect(images!.count).toBe(zip.images.length + 1);
  });

  it('streams: stopping after the first entry leaves most of the archive unread', async () => {
    const { source, pulled } = chunked(kaggle.bytes, 1024);
    const total = Math.ceil(kaggle.bytes.length / 1024);
    for await (const entry of source.open([kaggle.images[0]])) {
      expect((await entry.read()).length).toBeGreaterThan(0);
      break;
    }
    expect(pulled()).toBeLessThan(total / 2);
  });

  it('lists entries without inflating them', async () => {
    const paths: string[] = [];
    for await (const entry of nodeZipSource(zipPath).list()) {
      paths.push(entry.path);
      if (!entry.path.endsWith('/')) await expect(entry.read()).rejects.toThrow(/open\(\)/);
    }
    expect(paths).toEqual(expect.arrayContaining([...kaggle.images, ...kaggle.nested, 'chest_xray/']));
  });
});

describe('broken archives', () => {
  it('a truncated download, a file that is no zip, an empty archive', async () => {
    const cut = join(dir, 'cut.zip');
    await writeFile(cut, kaggle.bytes.subarray(0, Math.floor(kaggle.bytes.length * 0.6)));
    const err = await load(nodeZipSource(cut)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toMatch(
      /^cut\.zip: the archive ends early after \d+ bytes \(an incomplete download\?\)/,
    );

    const text = join(dir, 'notes.zip');
    await writeFile(text, 'PK\u0003\u0004 but really just text');
    await expect(load(await openNodeSource(text))).rejects.toThrow(/notes\.zip: /);

    const empty = join(dir, 'empty.zip');
    await writeFile(empty, zipSync({}));
    await expect(load(await openNodeSource(empty))).rejects.toThrow(/empty\.zip: not a zip archive, or an empty one/);
  });

  it('a file that is neither a folder nor a zip', async () => {
    const other = join(dir, 'picture.jpeg');
    await writeFile(other, new Uint8Array([0xff, 0xd8, 0xff, 0xe0]));
    await expect(openNodeSource(other)).rejects.toThrow(`${other}: not a folder or a zip archive`);
  });
});
