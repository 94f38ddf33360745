/**
 * The loaded-dataset core the worker and the CLI share: loading a scanned source into one store with split views,
 * a budget subset loaded through `only`, cancelling, re-splitting in place, and a generated set.
 */
import { describe, expect, it } from 'vitest';
import { budgetSubset } from '../../src/lab/data/budget-subset';
import { planLoad } from '../../src/lab/data/decode-plan';
import { generatedDataset } from '../../src/lab/data/generated-dataset';
import { loadScanned, requireDecodedImages, type LoadedDataset } from '../../src/lab/data/loaded-dataset';
import { createNodeDecoder } from '../../src/lab/data/node/decode';
import { patientId } from '../../src/lab/data/patient-id';
import { generatePhantomImages } from '../../src/lab/data/phantom';
import { entriesToLoad } from '../../src/lab/data/pipeline';
import { resplitDataset, sameSplit } from '../../src/lab/data/resplit-dataset';
import { scanSource } from '../../src/lab/data/scan';
import { memorySource, shuffledDecoder } from '../helpers/memory-source';
import { encodeImage } from '../helpers/write-dataset';

const SPLIT = { valFraction: 0.2, testFraction: 0.2, seed: 4, keepOfficialVal: false };
const FORMAT = { size: 8, channels: 1 as const };

/** Phantom image files in memory, in train/ and test/ folders by patient (every fifth patient in test/). */
function splitFolders(perClass: number): Map<string, Uint8Array> {
  const set = generatePhantomImages({ perClass, size: 16, channels: 1, seed: 2 });
  const testPatients = new Set([...new Set(set.files.map(patientId))].filter((_, k) => k % 5 === 0));
  const files = new Map<string, Uint8Array>();
  for (let i = 0; i < set.count; i++) {
    const folder = testPatients.has(patientId(set.files[i])) ? 'test' : 'train';
    files.set(
      `${folder}/${set.classNames[set.labels[i]]}/${set.files[i].split('/').pop()}`,
      encodeImage(set, i, 'png'),
    );
  }
  return files;
}

/** Every split's images, with the pixels each view shows. */
function sidesOf(ds: LoadedDataset): Map<string, { side: string; pixels: number[] }> {
  const out = new Map<string, { side: string; pixels: number[] }>();
  const per = ds.images.size * ds.images.size * ds.images.channels;
  for (const side of ['train', 'val', 'test'] as const) {
    const set = ds.sets[side];
    set.files.forEach((f, i) => out.set(f, { side, pixels: [...set.pixels.subarray(i * per, (i + 1) * per)] }));
  }
  return out;
}

describe('loading a scanned source', () => {
  it('gives one store arranged train | val | test, the official test folder kept, with what a re-split needs', async () => {
    const files = splitFolders(12);
    const scanned = await scanSource(memorySource('data', files));
    const ds = (await loadScanned(scanned, { decoder: shuffledDecoder(3), format: FORMAT, split: SPLIT }))!;
    expect(ds.images.count).toBe(files.size);
    const { train, val, test } = ds.sets;
    expect(train.count + val.count + test.count).toBe(files.size);
    // The splits are views of the one store, in that order.
    expect(train.pixels.buffer).toBe(ds.images.pixels.buffer);
    expect(val.pixels.byteOffset).toBe(train.pixels.byteOffset + train.pixels.byteLength);
    expect(test.pixels.byteOffset).toBe(val.pixels.byteOffset + val.pixels.byteLength);
    expect(test.files.every((f) => f.startsWith('test/'))).toBe(true);
    expect(test.count).toBe([...files.keys()].filter((f) => f.startsWith('test/')).length);
    expect([...ds.presets.values()].filter((s) => s === 'test')).toHaveLength(test.count);
    expect(ds.split).toEqual(SPLIT);
    expect(ds.summary.leaks).toEqual({ patients: 0, duplicateGroups: 0 });
    expect(ds.identity.files).toBe(files.size);
  });

  it('loads exactly the planned budget subset through `only`: whole patients, every class, test folder still test', async () => {
    const files = splitFolders(15);
    const scanned = await scanSource(memorySource('data', files));
    const plan = planLoad([{ layout: scanned.layout, select: { split: SPLIT } }], {
      classNames: scanned.layout.classNames,
      ...FORMAT,
      seed: SPLIT.seed,
      budget: { bytes: 1e9, name: 'memory budget' },
      subset: 12,
    });
    const only = plan.only[0]!;
    const entries = entriesToLoad(scanned.layout, { split: SPLIT });
    expect([...only].sort()).toEqual(budgetSubset(entries, 12, SPLIT.seed).map((i) => entries[i].path));
    const ds = (await loadScanned(scanned, { decoder: createNodeDecoder(), format: FORMAT, split: SPLIT, only }))!;
    expect(new Set(ds.images.files)).toEqual(only);
    expect(ds.summary.perClass.every((n) => n > 0)).toBe(true);
    const patientsIn = new Set(ds.images.files.map(patientId));
    const patientsWhole = [...files.keys()].filter((f) => patientsIn.has(patientId(f)));
    expect(new Set(patientsWhole)).toEqual(only);
    expect(ds.sets.test.files.every((f) => f.startsWith('test/'))).toBe(true);
    expect(ds.sets.test.count).toBeGreaterThan(0);
    // The identity is of every file, not the subset: the card can still tell the data apart from other data.
    expect(ds.identity.files).toBe(files.size);
  });

  it('gives null when cancelled, and names the reasons when no image could be read', async () => {
    const files = splitFolders(10);
    const controller = new AbortController();
    const cancelled = await loadScanned(await scanSource(memorySource('data', files)), {
      decoder: shuffledDecoder(2),
      format: FORMAT,
      split: SPLIT,
      signal: controller.signal,
      onProgress: (p) => p.decoded >= 4 && controller.abort(),
    });
    expect(cancelled).toBeNull();

    const broken = new Map([
      ['NORMAL/a.png', new Uint8Array([1, 2, 3])],
      ['PNEUMONIA/b.png', new Uint8Array([4, 5, 6])],
    ]);
    const none = (await loadScanned(await scanSource(memorySource('broken', broken)), {
      decoder: createNodeDecoder(),
      format: FORMAT,
      split: SPLIT,
    }))!;
    expect(none.images.count).toBe(0);
    expect(() => requireDecodedImages(none.summary)).toThrow(/broken: none of its images could be read: 2 × /);
  });
});

describe('re-splitting a loaded dataset', () => {
  it('deals the same images anew in place: pixels follow their files, patients stay on one side, test folder kept', async () => {
    const scanned = await scanSource(memorySource('data', splitFolders(12)));
    const ds = (await loadScanned(scanned, { decoder: createNodeDecoder(), format: FORMAT, split: SPLIT }))!;
    const before = sidesOf(ds);
    expect(resplitDataset(ds, { ...SPLIT })).toBe(ds);
    const again = resplitDataset(ds, { ...SPLIT, seed: 9, valFraction: 0.3 });
    expect(again).not.toBe(ds);
    expect(again.images.pixels.buffer).toBe(ds.images.pixels.buffer);
    expect(again.split.seed).toBe(9);
    expect(again.summary.splitSettings.valFraction).toBe(0.3);
    const after = sidesOf(again);
    expect(after.size).toBe(before.size);
    for (const [file, { side, pixels }] of after) {
      expect(pixels).toEqual(before.get(file)!.pixels);
      if (file.startsWith('test/')) expect(side).toBe('test');
    }
    expect([...after].some(([f, { side }]) => before.get(f)!.side !== side)).toBe(true);
    expect(again.summary.leaks.patients).toBe(0);
    expect(again.summary.splits.val.count).toBe(again.sets.val.count);
  });

  it('sameSplit compares every setting', () => {
    expect(sameSplit(SPLIT, { ...SPLIT })).toBe(true);
    for (const change of [{ seed: 5 }, { valFraction: 0.1 }, { testFraction: 0.3 }, { keepOfficialVal: true }])
      expect(sameSplit(SPLIT, { ...SPLIT, ...change })).toBe(false);
  });
});

describe('a generated dataset', () => {
  it('is split by patient and summarised like loaded data, with the identity of its generator settings', () => {
    const make = () => generatePhantomImages({ perClass: 20, size: 8, channels: 1, seed: 3 });
    const ds = generatedDataset(make(), SPLIT, 'phantoms');
    expect(ds.summary.source).toBe('phantoms');
    expect(ds.summary.images).toBe(40);
    expect(ds.sets.train.count + ds.sets.val.count + ds.sets.test.count).toBe(40);
    expect(ds.summary.leaks.patients).toBe(0);
    expect(ds.summary.store).toEqual({ size: 8, channels: 1, bytes: 40 * 64 });
    expect(generatedDataset(make(), SPLIT, 'phantoms').identity).toEqual(ds.identity);
  });
});
