import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary } from '../../src/lab/data/summary';
import { makeKaggleZip } from '../helpers/kaggle-zip';
import { runCliCaptured } from '../helpers/run-cli';
import { writeDataset } from '../helpers/write-dataset';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xray-scan-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('xray-lab scan on generated data', () => {
  it('summarises a Kaggle-like zip: nested copy and __MACOSX counted once, test folder kept', async () => {
    const zip = makeKaggleZip({ perClass: 10, seed: 6 });
    const path = join(root, 'archive.zip');
    await writeFile(path, zip.bytes);
    const { code, stdout, stderr } = await runCliCaptured(['scan', path, '--json']);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout) as DatasetSummary;
    expect(summary.kind).toBe('zip');
    expect(summary.images).toBe(zip.images.length);
    expect(summary.nestedCopy).toBe('chest_xray/chest_xray/');
    expect(summary.testOrigin).toBe('folder');
    expect(summary.splits.test.count).toBe(zip.images.filter((p) => p.includes('/test/')).length);
    expect(summary.leaks).toEqual({ patients: 0, duplicateGroups: 0 });
  });

  it('prints a readable table, and with --decode names broken files', async () => {
    const dir = join(root, 'folder');
    const written = await writeDataset(dir, { perClass: 8, junk: true, format: 'mixed' });
    const { code, stdout } = await runCliCaptured(['scan', dir, '--decode', '--size', '16', '--channels', '1']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\s+train\s+val\s+test\s+total$/m);
    expect(stdout).toMatch(/^\s+PNEUMONIA\*/m);
    expect(stdout).toMatch(/no patient and no byte-identical copy is in two splits/);
    expect(stdout).toMatch(/stored as uint8 16×16×1/);
    for (const bad of [written.junk!.empty, written.junk!.text, written.junk!.truncated]) expect(stdout).toContain(bad);
  });

  it('refuses a missing path, no path, and a file that is no dataset, with one line and exit 2', async () => {
    for (const [args, message] of [
      [['scan', join(root, 'nope')], /nope: folder does not exist/],
      [['scan'], /give one PATH/],
      [['scan', join(root, 'folder', 'README.txt')], /not a folder or a zip archive/],
    ] as const) {
      const { code, stderr } = await runCliCaptured([...args]);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(message);
    }
  });
});

const TRAIN = resolve(process.cwd(), '../shared/data/chest-xray-224/train');
if (!existsSync(TRAIN)) console.warn(`skipping the real-data scan test: ${TRAIN} is absent`);
describe.skipIf(!existsSync(TRAIN))(
  `xray-lab scan on the real Kermany training folder (skipped when ${TRAIN} is absent)`,
  () => {
    it('finds 1,341 NORMAL and 3,875 PNEUMONIA, skips .DS_Store, and 24 duplicate groups (50 files, 26 redundant)', async () => {
      const { code, stdout, stderr } = await runCliCaptured(['scan', TRAIN, '--json']);
      expect(code, stderr).toBe(0);
      const s = JSON.parse(stdout) as DatasetSummary;
      expect(s.classNames).toEqual(['NORMAL', 'PNEUMONIA']);
      expect(s.perClass).toEqual([1341, 3875]);
      expect(s.classNames[s.positiveClass]).toBe('PNEUMONIA');
      expect(s.skipped).toEqual([{ path: '.DS_Store', reason: 'macOS folder settings (.DS_Store)' }]);
      expect(s.duplicates).toMatchObject({ groups: 24, files: 50, redundant: 26 });
      expect(s.imageSize).toEqual({ minWidth: 224, maxWidth: 224, minHeight: 224, maxHeight: 224 });
      // After splitting: no patient and no duplicate in two splits, class shares kept.
      expect(s.leaks).toEqual({ patients: 0, duplicateGroups: 0 });
      expect(s.splits.train.patients + s.splits.val.patients + s.splits.test.patients).toBe(s.patients);
      expect(s.splits.val.count / s.images).toBeCloseTo(0.1, 1);
      expect(s.splits.test.perClass[0] / s.splits.test.count).toBeCloseTo(1341 / 5216, 1);
    });
  },
);

describe('xray-lab scan reads the experiment flags', () => {
  it("takes compare's bounds and refuses a training-only setting, naming it", async () => {
    const bounds = await runCliCaptured(['scan', '.', '--val-fraction', '0.95']);
    expect(bounds.code).toBe(2);
    expect(bounds.stderr.trim()).toBe('xray-lab scan: --val-fraction must be a number from 0 to 0.9 (got 0.95)');
    const training = await runCliCaptured(['scan', '.', '--epochs', '3']);
    expect(training.code).toBe(2);
    expect(training.stderr.trim()).toBe(
      'xray-lab scan: --epochs is a training setting; scan does not use it (see xray-lab scan --help)',
    );
  });
});
