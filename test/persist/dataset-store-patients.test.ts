/**
 * A dataset labelled by a table keeps its patient keys (salted hashes) through the browser store, so a re-split after
 * a reload still keeps every patient on one side.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DATASET_DB, DatasetStore } from '../../src/lab/persist/dataset-store';
import { loadDataset, resplit, type LoadedDataset } from '../../src/worker/dataset';
import { fromStored, toStored } from '../../src/worker/dataset-autosave';

vi.mock('../../src/worker/rpc', () => ({ emit: () => undefined }));

const SPLIT = { valFraction: 0.2, testFraction: 0.3, seed: 3, keepOfficialVal: false };

let store: DatasetStore | null = null;
afterEach(async () => {
  store?.close();
  store = null;
  indexedDB.deleteDatabase(DATASET_DB);
});

describe('a stored dataset with table patients', () => {
  it('comes back with its patient keys, and a re-split keeps each patient on one side', async () => {
    const demo = (await loadDataset(
      { kind: 'demo', perClass: 30, seed: 5 },
      { format: { size: 16, channels: 1 }, split: SPLIT },
    ))!;
    // Ten patients across both classes, keyed as a table would key them.
    const patients = new Map(demo.images.files.map((f, i) => [f, `patient:${String(i % 10).padStart(16, '0')}`]));
    const ds: LoadedDataset = { ...demo, patients };
    store = await DatasetStore.open();
    expect((await store.save(toStored(ds), 500e6, null)).stored).toBe(true);
    const back = fromStored((await store.load())!);
    expect(back.patients).toEqual(patients);
    for (const seed of [4, 5, 6]) {
      const again = resplit(back, { ...SPLIT, seed });
      expect(again.summary.leaks.patients).toBe(0);
      expect(again.summary.patients).toBe(10);
      const sides = new Map<string, Set<string>>();
      for (const side of ['train', 'val', 'test'] as const) {
        for (const f of again.sets[side].files)
          sides.set(patients.get(f)!, (sides.get(patients.get(f)!) ?? new Set()).add(side));
      }
      expect([...sides.values()].every((s) => s.size === 1)).toBe(true);
    }
  });
});
