/**
 * The same image file in two classes is a label conflict, named as one and left out of every split by default
 * (it used to be reported as "duplicates … each kept in one split" and trained under both labels).
 */
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_CONFLICT_REASON } from '../../src/lab/data/label-conflicts';
import { createNodeDecoder, decodeImage } from '../../src/lab/data/node/decode';
import { nodeFolderSource } from '../../src/lab/data/node/sources';
import { ingest } from '../../src/lab/data/pipeline';
import { toSquare } from '../../src/lab/data/resize';
import { formatSummary } from '../../src/lab/data/summary-text';
import { runCliCaptured } from '../helpers/run-cli';
import { writeDataset, type WrittenDataset } from '../helpers/write-dataset';

let base: string;
let dir: string;
let written: WrittenDataset;
const FORMAT = { size: 16, channels: 1 as const };
const LINE =
  'label conflict: NORMAL/conflict.png (NORMAL) and PNEUMONIA/conflict-copy.png (PNEUMONIA) are the same file';

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'xray-lab-conflict-'));
  dir = join(base, 'data');
  written = await writeDataset(dir, { perClass: 10, size: 16, seed: 8 });
  // One NORMAL file, saved again under PNEUMONIA; and a plain duplicate inside NORMAL (not a conflict).
  await copyFile(join(dir, written.images[0]), join(dir, 'NORMAL', 'conflict.png'));
  await copyFile(join(dir, written.images[0]), join(dir, 'PNEUMONIA', 'conflict-copy.png'));
  await rm(join(dir, written.images[0]));
  await copyFile(join(dir, written.images[1]), join(dir, 'NORMAL', 'plain-copy.png'));
});
afterAll(() => rm(base, { recursive: true, force: true }));

describe('a file in NORMAL and in PNEUMONIA', () => {
  it('is named as a label conflict and both copies are left out, the plain duplicate kept', async () => {
    const result = await ingest(nodeFolderSource(dir), { decoder: createNodeDecoder(), format: FORMAT });
    const { summary, images } = result;
    // 20 written − 1 moved + 2 conflicting + 1 plain copy = 22 files, 2 left out.
    expect(summary.images).toBe(20);
    expect(images!.files).not.toContain('NORMAL/conflict.png');
    expect(images!.files).not.toContain('PNEUMONIA/conflict-copy.png');
    expect(summary.labelConflicts).toEqual({
      kept: false,
      list: [
        [
          { path: 'NORMAL/conflict.png', className: 'NORMAL' },
          { path: 'PNEUMONIA/conflict-copy.png', className: 'PNEUMONIA' },
        ],
      ],
    });
    expect(summary.duplicates.list).toEqual([[written.images[1], 'NORMAL/plain-copy.png']]);
    expect(
      summary.skipped
        .filter((s) => s.reason === LABEL_CONFLICT_REASON)
        .map((s) => s.path)
        .sort(),
    ).toEqual(['NORMAL/conflict.png', 'PNEUMONIA/conflict-copy.png']);
    const text = formatSummary(summary);
    expect(text).toContain(`  ${LINE}\n`);
    expect(text).toContain('the 2 files with a label conflict are left out of training, validation and test');
    expect(text).toContain('duplicates: 1 groups of byte-identical files');
  });

  it('closes the store up around the left-out files: every image is still the pixels of its file', async () => {
    const { images } = await ingest(nodeFolderSource(dir), { decoder: createNodeDecoder(), format: FORMAT });
    const per = FORMAT.size * FORMAT.size;
    for (let i = 0; i < images!.count; i++) {
      const expected = toSquare(
        decodeImage(await readFile(join(dir, images!.files[i])), images!.files[i]),
        FORMAT.size,
        1,
      );
      expect(images!.pixels.subarray(i * per, (i + 1) * per)).toEqual(expected);
      expect(images!.classNames[images!.labels[i]]).toBe(images!.files[i].split('/')[0]);
    }
  });

  it('keeps them under both labels when asked, still naming the conflict', async () => {
    const { summary } = await ingest(nodeFolderSource(dir), {
      decoder: createNodeDecoder(),
      format: FORMAT,
      keepLabelConflicts: true,
    });
    expect(summary.images).toBe(22);
    expect(summary.labelConflicts.kept).toBe(true);
    expect(formatSummary(summary)).toContain('WARNING: 2 files with a label conflict are kept under both labels');
  });

  it('`scan` prints the conflict', async () => {
    const { code, stdout } = await runCliCaptured(['scan', dir]);
    expect(code).toBe(0);
    expect(stdout).toContain(LINE);
    expect(stdout).toMatch(/: 20 images, 2 classes/);
  });

  it('`compare` names the left-out files (it loads through the same pipeline, so it trains without them)', async () => {
    const { code, stderr } = await runCliCaptured([
      'compare',
      '--data',
      dir,
      '--models',
      'light-k1',
      '--size',
      '16',
      '--channels',
      '1',
      '--epochs',
      '1',
      '--bootstrap',
      '0',
      '--out',
      join(base, 'out'),
      '--json',
    ]);
    expect(code).toBe(0);
    expect(stderr).toContain(`NORMAL/conflict.png (${LABEL_CONFLICT_REASON})`);
    expect(stderr).toContain(`PNEUMONIA/conflict-copy.png (${LABEL_CONFLICT_REASON})`);
  });
});
