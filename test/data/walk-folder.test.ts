/**
 * The folder walk never reads a real path twice: a link back up (`NORMAL/loop -> ..`) once turned
 * 16 files into 65,520 "images", every file under both labels. Links are followed wherever they lead; a loop is
 * found by real path, reported once, and the walk ends.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanFolder } from '../../src/lab/data/node/read-folder';
import { nodeFolderSource } from '../../src/lab/data/node/sources';
import { ingest } from '../../src/lab/data/pipeline';
import { formatSummary } from '../../src/lab/data/summary-text';
import { runCliCaptured } from '../helpers/run-cli';
import { writeDataset, type WrittenDataset } from '../helpers/write-dataset';

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'xray-lab-walk-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("a folder with links back up in both class folders (the issue's case)", () => {
  let dir: string;
  let written: WrittenDataset;
  beforeAll(async () => {
    dir = join(base, 'loops');
    written = await writeDataset(dir, { perClass: 8, size: 16, seed: 3 });
    await symlink('..', join(dir, 'NORMAL', 'loop'));
    await symlink('..', join(dir, 'PNEUMONIA', 'loop'));
  });

  it('lists every real file once, each under its own class, and the two links as not followed', async () => {
    const layout = await scanFolder(dir);
    expect(layout.entries.map((e) => e.path).sort()).toEqual([...written.images].sort());
    for (const e of layout.entries) expect(e.path.startsWith(`${e.className}/`)).toBe(true);
    expect(layout.skipped).toEqual([
      {
        path: 'NORMAL/loop',
        reason: 'link loop (it leads back to the chosen folder itself, a folder that holds it); not followed',
      },
      {
        path: 'PNEUMONIA/loop',
        reason: 'link loop (it leads back to the chosen folder itself, a folder that holds it); not followed',
      },
    ]);
  });

  it('`scan` counts 16 images and names the links instead of "nothing skipped"', async () => {
    const { code, stdout } = await runCliCaptured(['scan', dir]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/: 16 images, 2 classes/);
    expect(stdout).not.toContain('nothing skipped');
    expect(stdout).toContain(
      '2 × link loop (it leads back to the chosen folder itself, a folder that holds it); not followed: NORMAL/loop, PNEUMONIA/loop',
    );
  });
});

describe('every other kind of link, and a named pipe', () => {
  let dir: string;
  let outside: string;
  let written: WrittenDataset;
  beforeAll(async () => {
    dir = join(base, 'links');
    outside = join(base, 'elsewhere');
    written = await writeDataset(dir, { perClass: 4, size: 16, seed: 4 });
    await writeDataset(outside, { perClass: 3, size: 16, seed: 5 });
    // Images parked in a hidden folder (not walked) and linked in as a class sub-folder: inside the folder, read once.
    const stash = await writeDataset(join(dir, '.stash'), { perClass: 2, size: 16, seed: 6 });
    expect(stash.images).toHaveLength(4);
    await symlink('../.stash/PNEUMONIA', join(dir, 'PNEUMONIA', 'extra'));
    await symlink(join(outside, 'NORMAL'), join(dir, 'NORMAL', 'borrowed'));
    await symlink(join(outside, written.images[0]), join(dir, 'NORMAL', 'borrowed.png'));
    await symlink(`../${written.images[5]}`, join(dir, 'NORMAL', 'again.png'));
    await symlink('gone.png', join(dir, 'NORMAL', 'dangling.png'));
    await symlink('self.png', join(dir, 'NORMAL', 'self.png'));
    await mkdir(join(dir, 'NORMAL', 'pipes'));
    execFileSync('mkfifo', [join(dir, 'NORMAL', 'pipes', 'pipe.png')]);
  });

  it('follows links in and out of the folder, and names why each other one is not read', async () => {
    const layout = await scanFolder(dir);
    const entries = layout.entries.map((e) => e.path);
    expect(entries.filter((p) => p.startsWith('PNEUMONIA/extra/'))).toHaveLength(2);
    expect(entries.filter((p) => p.startsWith('NORMAL/borrowed/'))).toHaveLength(3);
    expect(entries).toHaveLength(written.images.length + 2 + 3);
    const reasons = Object.fromEntries(layout.skipped.map((s) => [s.path, s.reason]));
    expect(reasons['NORMAL/borrowed']).toBeUndefined();
    // The same outside file again, through a second link: read once, under the first path found.
    expect(reasons['NORMAL/borrowed.png']).toBe(
      `link to a file already read (${join(outside, written.images[0])}); not loaded twice`,
    );
    expect(reasons['NORMAL/again.png']).toBe(`link to a file already read (${written.images[5]}); not loaded twice`);
    expect(reasons['NORMAL/dangling.png']).toBe('broken link (its target does not exist); not followed');
    expect(reasons['NORMAL/self.png']).toBe('link loop (it leads back to itself); not followed');
    expect(reasons['NORMAL/pipes/pipe.png']).toBe('not a regular file (a named pipe); not read');
  });

  it('the pipeline reads the same, never waits on the pipe, and the summary groups the reasons', async () => {
    const result = await ingest(nodeFolderSource(dir), { decoder: null });
    expect(result.summary.images).toBe(written.images.length + 2 + 3);
    const text = formatSummary(result.summary);
    expect(text).not.toContain('outside the chosen folder');
    expect(text).toContain('1 × link loop (it leads back to itself); not followed: NORMAL/self.png');
    expect(text).not.toContain('nothing skipped');
  });

  it('says which links were not followed when they leave too little for a layout', async () => {
    const lonely = join(base, 'lonely');
    await writeDataset(lonely, { perClass: 2, size: 16, seed: 7 });
    await rm(join(lonely, 'NORMAL'), { recursive: true });
    await symlink('gone', join(lonely, 'NORMAL'));
    await expect(scanFolder(lonely)).rejects.toThrow(
      `${lonely}: only one class folder (PNEUMONIA); at least 2 classes are needed; also not read: NORMAL (broken link (its target does not exist); not followed)`,
    );
  });
});

describe('class folders built from links into one image store', () => {
  let store: string;
  let dir: string;
  let stored: WrittenDataset;
  beforeAll(async () => {
    store = join(base, 'store');
    dir = join(base, 'linked');
    stored = await writeDataset(store, { perClass: 6, size: 16, seed: 8 });
    // NORMAL: a real folder of file links; PNEUMONIA: one link to the store's folder.
    await mkdir(join(dir, 'NORMAL'), { recursive: true });
    for (const image of stored.images.filter((p) => p.startsWith('NORMAL/')))
      await symlink(join(store, image), join(dir, image));
    await symlink(join(store, 'PNEUMONIA'), join(dir, 'PNEUMONIA'));
  });

  it('loads every linked image under the class its link names, each read through the link', async () => {
    const layout = await scanFolder(dir);
    expect(layout.classNames).toEqual(['NORMAL', 'PNEUMONIA']);
    expect(layout.entries.map((e) => e.path).sort()).toEqual([...stored.images].sort());
    expect(layout.skipped).toEqual([]);
    const result = await ingest(nodeFolderSource(dir), { decoder: null });
    expect(result.summary.perClass).toEqual([6, 6]);
    expect(result.summary.skipped).toEqual([]);
    // Each file's bytes are the store's (read through the link, not a copy).
    const source = nodeFolderSource(dir);
    for await (const file of source.open([stored.images[0]])) {
      expect(Buffer.from(await file.read()).equals(await readFile(join(store, stored.images[0])))).toBe(true);
    }
  });

  it('finds a loop through a folder outside the chosen one, reports it once, and ends the walk', async () => {
    const outer = join(base, 'outer-loop');
    const ext = join(outer, 'ext');
    const looped = join(base, 'looped');
    await writeDataset(ext, { perClass: 2, size: 16, seed: 9 });
    await symlink(ext, join(ext, 'NORMAL', 'back'));
    await symlink('..', join(ext, 'PNEUMONIA', 'up'));
    await mkdir(looped);
    await symlink(join(ext, 'NORMAL'), join(looped, 'NORMAL'));
    await symlink(join(ext, 'PNEUMONIA'), join(looped, 'PNEUMONIA'));
    await symlink('b', join(looped, 'a'));
    await symlink('a', join(looped, 'b'));
    const layout = await scanFolder(looped);
    // The four images, once each: neither loop was entered.
    expect(layout.entries).toHaveLength(4);
    for (const e of layout.entries) expect(e.path).toMatch(/^(NORMAL|PNEUMONIA)\/[^/]+$/);
    expect(layout.skipped).toEqual([
      { path: 'NORMAL/back', reason: `link loop (it leads back to ${ext}, a folder above it); not followed` },
      { path: 'PNEUMONIA/up', reason: `link loop (it leads back to ${ext}, a folder above it); not followed` },
      { path: 'a', reason: 'link loop (it leads back to itself); not followed' },
    ]);
  });

  it('`scan` and `compare` load link-built class folders', async () => {
    const scanned = await runCliCaptured(['scan', dir, '--json']);
    expect(scanned.code).toBe(0);
    const summary = JSON.parse(scanned.stdout);
    expect(summary.classNames).toEqual(['NORMAL', 'PNEUMONIA']);
    expect(summary.perClass).toEqual([6, 6]);
    const out = join(base, 'linked-out');
    const compared = await runCliCaptured([
      'compare',
      '--data',
      dir,
      '--models',
      'light-k1',
      '--size',
      '12',
      '--channels',
      '1',
      '--epochs',
      '1',
      '--batch',
      '8',
      '--bootstrap',
      '0',
      '--out',
      out,
      '--json',
    ]);
    expect(compared.stderr).toMatch(/classes: NORMAL, PNEUMONIA; train \d+ \(NORMAL \d+, PNEUMONIA \d+\)/);
    expect(compared.code).toBe(0);
    const card = JSON.parse(await readFile(join(out, 'experiment.json'), 'utf8'));
    expect(card.data.identity.filesPerClass).toEqual({ NORMAL: 6, PNEUMONIA: 6 });
  });
});
