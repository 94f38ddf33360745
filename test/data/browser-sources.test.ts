import { describe, expect, it } from 'vitest';
import {
  pickFromDirectoryHandle,
  pickFromEntries,
  type DirectoryHandleLike,
  type EntryLike,
} from '../../src/lab/data/browser/drop';
import { pickFromFileList, sourceOfPicked, type Picked } from '../../src/lab/data/browser/picked';
import { createNodeDecoder } from '../../src/lab/data/node/decode';
import { ingest } from '../../src/lab/data/pipeline';
import { makeKaggleZip } from '../helpers/kaggle-zip';
import { encodePng } from '../helpers/png-encode';

/** Browser-side sources, run in Node: File and Blob are the same web classes here; entries and handles are mocks. */
const png = (v: number) =>
  encodePng({ width: 4, height: 4, colorType: 0, bitDepth: 8, samples: new Array(16).fill(v) });
const TREE: Record<string, Uint8Array> = {
  'xrays/NORMAL/IM-0001-0001.png': png(10),
  'xrays/NORMAL/IM-0002-0001.png': png(20),
  'xrays/PNEUMONIA/person1_virus_1.png': png(200),
  'xrays/PNEUMONIA/person2_bacteria_2.png': png(220),
  'xrays/.DS_Store': new Uint8Array([0, 0, 0, 1]),
};

function fileWithPath(path: string, bytes: Uint8Array): File {
  const file = new File([bytes as Uint8Array<ArrayBuffer>], path.split('/').pop()!);
  Object.defineProperty(file, 'webkitRelativePath', { value: path });
  return file;
}

/** A FileSystemEntry tree over TREE, whose readers hand out at most 2 children per call (browsers: ~100). */
function entryTree(): EntryLike {
  const dir = (fullPath: string): EntryLike => ({
    name: fullPath.split('/').pop()!,
    fullPath,
    isFile: false,
    isDirectory: true,
    createReader() {
      const prefix = `${fullPath.slice(1)}/`;
      const names = [
        ...new Set(
          Object.keys(TREE)
            .filter((p) => p.startsWith(prefix))
            .map((p) => p.slice(prefix.length).split('/')[0]),
        ),
      ];
      const children = names.map((n) =>
        Object.keys(TREE).includes(prefix + n) ? file(`/${prefix}${n}`) : dir(`/${prefix}${n}`),
      );
      return { readEntries: (ok: (e: EntryLike[]) => void) => ok(children.splice(0, 2)) };
    },
  });
  const file = (fullPath: string): EntryLike => ({
    name: fullPath.split('/').pop()!,
    fullPath,
    isFile: true,
    isDirectory: false,
    file: (ok: (f: File) => void) =>
      ok(new File([TREE[fullPath.slice(1)] as Uint8Array<ArrayBuffer>], fullPath.split('/').pop()!)),
  });
  return dir('/xrays');
}

function handleTree(prefix = 'xrays'): DirectoryHandleLike {
  const names = [
    ...new Set(
      Object.keys(TREE)
        .filter((p) => p.startsWith(`${prefix}/`))
        .map((p) => p.slice(prefix.length + 1).split('/')[0]),
    ),
  ];
  return {
    kind: 'directory',
    name: prefix.split('/').pop()!,
    async *values() {
      for (const n of names) {
        const path = `${prefix}/${n}`;
        if (TREE[path])
          yield {
            kind: 'file' as const,
            name: n,
            getFile: async () => new File([TREE[path] as Uint8Array<ArrayBuffer>], n),
          };
        else yield handleTree(path);
      }
    },
  };
}

async function loadPicked(picked: Picked) {
  return ingest(sourceOfPicked(picked), {
    decoder: createNodeDecoder(),
    format: { size: 4, channels: 1 },
    split: { valFraction: 0, testFraction: 0.5 },
  });
}

describe('browser sources', () => {
  it('a webkitdirectory file list is read relative to the picked folder', async () => {
    const picked = pickFromFileList(Object.entries(TREE).map(([p, b]) => fileWithPath(p, b)))!;
    expect(picked).toMatchObject({ kind: 'files', name: 'xrays' });
    const { summary, images } = await loadPicked(picked);
    expect(summary.perClass).toEqual([2, 2]);
    expect(summary.skipped).toEqual([{ path: '.DS_Store', reason: 'macOS folder settings (.DS_Store)' }]);
    const expected = Object.keys(TREE)
      .filter((p) => p.endsWith('.png'))
      .map((p) => p.slice('xrays/'.length));
    expect([...images!.files].sort()).toEqual(expected.sort());
  });

  it('a picked folder of loose images (no class folders) gets the layout error naming that folder, not "one class"', async () => {
    const loose = ['xrays/a.png', 'xrays/b.png'].map((p) => fileWithPath(p, png(50)));
    await expect(loadPicked(pickFromFileList(loose)!)).rejects.toThrow(/^xrays: .*class/);
    await expect(loadPicked(pickFromFileList(loose)!)).rejects.not.toThrow(/only one class/);
  });

  it('a dropped folder is walked through its entries, folders included, across several readEntries calls', async () => {
    const picked = (await pickFromEntries([entryTree()]))!;
    expect(picked.kind).toBe('files');
    if (picked.kind !== 'files') return;
    expect(picked.name).toBe('xrays');
    expect(picked.files.map((f) => f.path).sort()).toEqual(
      [...Object.keys(TREE), 'xrays/', 'xrays/NORMAL/', 'xrays/PNEUMONIA/'].sort(),
    );
    expect((await loadPicked(picked)).summary.images).toBe(4);
  });

  it('a folder from showDirectoryPicker is walked through its handle', async () => {
    const picked = await pickFromDirectoryHandle(handleTree());
    expect((await loadPicked(picked)).summary.perClass).toEqual([2, 2]);
  });

  it('one dropped or picked .zip becomes an archive source, streamed from the Blob', async () => {
    const zip = makeKaggleZip({ perClass: 4, seed: 9 });
    const file = new File([zip.bytes as Uint8Array<ArrayBuffer>], 'archive.zip', { type: 'application/zip' });
    const fromList = pickFromFileList([file])!;
    expect(fromList).toMatchObject({ kind: 'zip', name: 'archive.zip' });
    const entry: EntryLike = {
      name: 'archive.zip',
      fullPath: '/archive.zip',
      isFile: true,
      isDirectory: false,
      file: (ok) => ok(file),
    };
    expect(await pickFromEntries([entry])).toMatchObject({ kind: 'zip', name: 'archive.zip' });
    const { summary } = await loadPicked(fromList);
    expect(summary).toMatchObject({ kind: 'zip', images: zip.images.length, nestedCopy: 'chest_xray/chest_xray/' });
  });

  it('loose files without folders are named as picked, and yield the layout error with the expected tree', async () => {
    const picked = pickFromFileList([new File([png(1) as Uint8Array<ArrayBuffer>], 'a.png')])!;
    expect(picked).toMatchObject({ kind: 'files', name: 'selected files' });
    await expect(loadPicked(picked)).rejects.toThrow(/selected files: no class folders found[\s\S]*├── NORMAL\//);
  });
});
