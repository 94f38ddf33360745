import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuplicateFinder } from '../../src/lab/data/duplicates';
import { dirName } from '../../src/lab/data/file-kinds';
import { loadImageSet, scanFolder } from '../../src/lab/data/node/read-folder';
import { patientId } from '../../src/lab/data/patient-id';
import { patientSplit, stratifiedSubset } from '../../src/lab/data/split';

// The real Kermany training folder (224 px copy), read in place; absent on machines without the shared data.
const TRAIN = resolve(process.cwd(), '../shared/data/chest-xray-224/train');
const present = existsSync(TRAIN);
if (!present) console.warn(`skipping the real-data tests: ${TRAIN} is absent`);

describe.skipIf(!present)(`real data in ${TRAIN} (skipped when that folder is absent)`, () => {
  it('scans the training folder: two classes, Kermany counts, .DS_Store skipped', async () => {
    const layout = await scanFolder(TRAIN);
    expect(layout.classNames).toEqual(['NORMAL', 'PNEUMONIA']);
    expect(layout.hasSplits).toBe(false);
    expect(layout.entries.filter((e) => e.label === 0)).toHaveLength(1341);
    expect(layout.entries.filter((e) => e.label === 1)).toHaveLength(3875);
    expect(layout.skipped).toContainEqual({ path: '.DS_Store', reason: 'macOS folder settings (.DS_Store)' });
  });

  it('reads a patient id from every file name and splits without leaks', async () => {
    const layout = await scanFolder(TRAIN);
    const patients = layout.entries.map((e) => patientId(e.path));
    expect(patients.filter((p, i) => p === layout.entries[i].path)).toEqual([]);
    const split = patientSplit(
      layout.entries.map((e, i) => ({ label: e.label, patient: patients[i] })),
      { val: 0.1, test: 0 },
      1,
    );
    const train = new Set(split.train.map((i) => patients[i]));
    expect(split.val.filter((i) => train.has(patients[i]))).toEqual([]);
    expect(split.val.length / layout.entries.length).toBeCloseTo(0.1, 2);
  });

  it('decodes and resizes 100 files (stratified) to 64×64 grey', async () => {
    const layout = await scanFolder(TRAIN);
    const pick = stratifiedSubset(
      layout.entries.map((e) => e.label),
      100,
      1,
    ).map((i) => layout.entries[i]);
    const { set, skipped } = await loadImageSet(TRAIN, pick, { size: 64, channels: 1 });
    expect(skipped).toEqual([]);
    expect(set.count).toBe(100);
    expect([...set.labels].filter((l) => l === 0)).toHaveLength(26);
    // Real radiographs: every image has both dark and bright areas.
    for (let n = 0; n < set.count; n++) {
      const img = set.pixels.subarray(n * 4096, (n + 1) * 4096);
      expect(Math.max(...img) - Math.min(...img)).toBeGreaterThan(100);
    }
  });

  it('finds the 24 groups of byte-identical files, each within one folder and one patient', async () => {
    const layout = await scanFolder(TRAIN);
    const finder = new DuplicateFinder();
    for (const e of layout.entries) finder.add(e.path, await readFile(join(TRAIN, e.path)));
    const groups = finder.groups();
    expect(groups).toHaveLength(24);
    expect(finder.redundantCount()).toBe(26);
    for (const g of groups) {
      expect(new Set(g.map(dirName)).size).toBe(1);
      expect(new Set(g.map(patientId)).size).toBe(1);
    }
  });
});
