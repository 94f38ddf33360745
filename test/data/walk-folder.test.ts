/**
 * The folder walk never follows a link out of the chosen folder and never reads a real path twice (issue 14, item 1):
 * a link back up (`NORMAL/loop -> ..`) once turned 16 files into 65,520 "images", every file under both labels.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
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

describe('a folder with links back up in both class folders (the issue\'s case)', () => {
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
      { path: 'NORMAL/loop', reason: 'link to a folder already read (the chosen folder itself); not followed' },
      { path: 'PNEUMONIA/loop', reason: 'link to a folder already read (the chosen folder itself); not followed' },
    ]);
  });

  it('`scan` counts 16 images and names the links instead of "nothing skipped"', async () => {
    const { code, stdout } = await runCliCaptured(['scan', dir]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/: 16 images, 2 classes/);
    expect(stdout).not.toContain('nothing skipped');
    expect(stdout).toContain('2 × link to a folder already read (the chosen folder itself); not followed: NORMAL/loop, PNEUMONIA/loop');
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

  it('follows only the link into the folder, and names why each other one is not read', async () => {
    const layout = await scanFolder(dir);
    const entries = layout.entries.map((e) => e.path);
    expect(entries.filter((p) => p.startsWith('PNEUMONIA/extra/'))).toHaveLength(2);
    expect(entries).toHaveLength(written.images.length + 2);
    const reasons = Object.fromEntries(layout.skipped.map((s) => [s.path, s.reason]));
    expect(reasons['NORMAL/borrowed']).toBe(`link leads outside the chosen folder (to ${join(outside, 'NORMAL')}); not followed`);
    expect(reasons['NORMAL/borrowed.png']).toMatch(/^link leads outside the chosen folder/);
    expect(reasons['NORMAL/again.png']).toBe(`link to a file already read (${written.images[5]}); not loaded twice`);
    expect(reasons['NORMAL/dangling.png']).toBe('broken link (its target does not exist); not followed');
    expect(reasons['NORMAL/self.png']).toBe('link loop (it leads back to itself); not followed');
    expect(reasons['NORMAL/pipes/pipe.png']).toBe('not a regular file (a named pipe); not read');
  });

  it('the pipeline reads the same, never waits on the pipe, and the summary groups the reasons', async () => {
    const result = await ingest(nodeFolderSource(dir), { decoder: null });
    expect(result.summary.images).toBe(written.images.length + 2);
    const text = formatSummary(result.summary);
    expect(text).toContain(`2 × link leads outside the chosen folder: NORMAL/borrowed (to ${join(outside, 'NORMAL')}); not followed, NORMAL/borrowed.png (to `);
    expect(text).toContain('1 × link loop (it leads back to itself); not followed: NORMAL/self.png');
    expect(text).not.toContain('nothing skipped');
  });

  it('says which links were not followed when they leave too little for a layout', async () => {
    const lonely = join(base, 'lonely');
    await writeDataset(lonely, { perClass: 2, size: 16, seed: 7 });
    await rm(join(lonely, 'NORMAL'), { recursive: true });
    await symlink(join(outside, 'NORMAL'), join(lonely, 'NORMAL'));
    await expect(scanFolder(lonely)).rejects.toThrow(
      `${lonely}: only one class folder (PNEUMONIA); at least 2 classes are needed; also not read: NORMAL (link leads outside the chosen folder (to ${join(outside, 'NORMAL')}); not followed)`,
    );
  });
});
