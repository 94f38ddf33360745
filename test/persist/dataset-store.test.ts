/**
 * The stored dataset on fake-indexeddb: a loaded dataset goes in (in chunks) and comes back byte for byte, with its
 * labels, names, split, summary and identity; one over the budget or the free quota keeps nothing and says why; a
 * quota error mid-write keeps the dataset stored before; a damaged entry is refused with a message.
 */
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHUNK_BYTES } from '../../src/lab/persist/dataset-record';
import { DATASET_DB, DatasetStore } from '../../src/lab/persist/dataset-store';
import { loadDataset, type LoadedDataset } from '../../src/worker/dataset';
import { DatasetAutosave, fromStored, toStored } from '../../src/worker/dataset-autosave';
import { withDiskFullAtPut } from '../helpers/disk-full';

// The worker's message plumbing needs a worker scope; loading the demo set never sends anything.
vi.mock('../../src/worker/rpc', () => ({ emit: () => undefined }));

const SPLIT = { valFraction: 0.1, testFraction: 0.2, seed: 3, keepOfficialVal: false };

async function demo(perClass: number, size = 32, seed = 7): Promise<LoadedDataset> {
  return (await loadDataset({ kind: 'demo', perClass, seed }, { format: { size, channels: 1 }, split: SPLIT }))!;
}

/**
 * The two-chunk dataset (2 × 1100 images at 64 px grey = 9.0 MB), generated once for the file: the demo generator
 * is the slow part of these tests, and no test changes what it is given.
 */
let twoChunkDemo: Promise<LoadedDataset> | null = null;
const twoChunks = () => (twoChunkDemo ??= demo(1100, 64));

let store: DatasetStore | null = null;
afterEach(async () => {
  store?.close();
  store = null;
  indexedDB.deleteDatabase(DATASET_DB);
});

describe('stored dataset', () => {
  it('comes back byte for byte, in train | val | test order, over several chunks', async () => {
    const ds = await twoChunks();
    expect(ds.images.pixels.byteLength).toBeGreaterThan(CHUNK_BYTES);
    store = await DatasetStore.open();
    const outcome = await store.save(toStored(ds), 500e6, null);
    expect(outcome.stored).toBe(true);
    expect(await store.bytes()).toBe(outcome.bytes);
    const back = fromStored((await store.load())!);
    expect(Buffer.from(back.images.pixels).equals(Buffer.from(ds.images.pixels))).toBe(true);
    expect([...back.images.labels]).toEqual([...ds.images.labels]);
    expect(back.images.files).toEqual(ds.images.files);
    for (const split of ['train', 'val', 'test'] as const) {
      expect(back.sets[split].count).toBe(ds.sets[split].count);
      expect(back.sets[split].files).toEqual(ds.sets[split].files);
      expect(Buffer.from(back.sets[split].pixels).equals(Buffer.from(ds.sets[split].pixels))).toBe(true);
    }
    expect(back.identity).toEqual(ds.identity);
    expect(back.summary).toEqual(ds.summary);
    expect(back.source).toEqual(ds.source);
  });

  it('over the budget or the free quota keeps nothing (not even the one before) and says why', async () => {
    store = await DatasetStore.open();
    expect((await store.save(toStored(await demo(10)), 500e6, null)).stored).toBe(true);
    const big = toStored(await demo(100));
    const over = await store.save(big, 100_000, null);
    expect(over).toMatchObject({ stored: false });
    expect(over.stored ? '' : over.reason).toMatch(
      /^The dataset \(0\.2 MB\) is larger than the storage budget of 0\.1 MB: only its fingerprint is kept/,
    );
    expect(await store.load()).toBeNull();
    expect(await store.bytes()).toBe(0);
    const noRoom = await store.save(big, 500e6, 50_000);
    expect(noRoom.stored ? '' : noRoom.reason).toMatch(/larger than the 0\.1 MB the browser has free/);
    expect(await store.load()).toBeNull();
  });

  it('a quota error mid-write says so and keeps the dataset stored before', async () => {
    store = await DatasetStore.open();
    const first = await demo(10);
    await store.save(toStored(first), 500e6, null);
    const next = toStored(await twoChunks());
    expect(next.meta.identity.fingerprint).not.toBe(first.identity.fingerprint); // a different dataset
    // The meta record and the first chunk go in; the second chunk finds the disk full.
    await withDiskFullAtPut(3, () =>
      expect(store!.save(next, 500e6, null)).rejects.toThrow(
        /Browser storage is full: the dataset \(9\.\d MB\) was not saved \(what was saved before is kept\)/,
      ),
    );
    const back = fromStored((await store.load())!);
    expect(back.identity.fingerprint).toBe(first.identity.fingerprint);
    expect(Buffer.from(back.images.pixels).equals(Buffer.from(first.images.pixels))).toBe(true);
  });

  it('a damaged entry is refused with a message; the autosave says so and restores nothing', async () => {
    store = await DatasetStore.open();
    await store.save(toStored(await demo(10)), 500e6, null);
    store.close();
    store = null;
    const db = await openDB(DATASET_DB);
    await db.delete('chunks', 0);
    db.close();
    const reported: string[] = [];
    const autosave = new DatasetAutosave((m) => reported.push(m));
    expect(await autosave.restore()).toBeNull();
    expect(autosave.note).toMatch(
      /the stored dataset could not be read \(chunk 0 is missing or cut short\): load the folder or zip again/,
    );
    await autosave.close();
  });

  it('the worker autosave stores a load after the budget is raised, restores it, and drops it when the budget is lowered', async () => {
    const autosave = new DatasetAutosave(() => undefined);
    autosave.budget = 10_000;
    const ds = await demo(20);
    await autosave.save(ds);
    expect(autosave.note).toMatch(/larger than the storage budget of 0\.0 MB/);
    expect(await autosave.bytes()).toBe(0);
    await autosave.setBudget(500e6, ds);
    expect(autosave.note).toBeNull();
    expect(await autosave.bytes()).toBeGreaterThan(ds.images.pixels.byteLength);
    const back = await autosave.restore();
    expect(back!.identity.fingerprint).toBe(ds.identity.fingerprint);
    // A lower budget drops the stored copy: only the fingerprint (in the experiment card) stays.
    await autosave.setBudget(1_000, back);
    expect(autosave.note).toMatch(/only its fingerprint is kept/);
    expect(await autosave.bytes()).toBe(0);
    await autosave.setBudget(500e6, back);
    await autosave.clear();
    expect(await autosave.bytes()).toBe(0);
    await autosave.close();
  });

  it('a dataset offered while the stored one is read back stays the one a raised budget stores', async () => {
    const first = new DatasetAutosave(() => undefined);
    const a = await demo(20);
    await first.save(a);
    await first.close();

    // A new page: the start-up restore reads `a` while an opened project's images `b` arrive, over the budget.
    const page = new DatasetAutosave(() => undefined);
    page.budget = 10_000;
    const b = await demo(24);
    const restoring = page.restore();
    void page.save(b);
    expect((await restoring)?.identity.fingerprint).toBe(a.identity.fingerprint);
    await page.flush();
    await page.setBudget(500e6, b);
    await page.close();
    const next = new DatasetAutosave(() => undefined);
    expect((await next.restore())?.identity.fingerprint).toBe(b.identity.fingerprint);
    await next.clear();
    await next.close();
  });
});
