/**
 * Keeps the loaded dataset in the browser (off the main thread, in the worker) when it fits the user's budget and the
 * free quota, so a reload restores it — and Resume works — without asking for the folder again. Over the budget only
 * the fingerprint is kept (the experiment card has it) and the storage line says why. Writes queue behind each
 * other and never hold up training; a failure is reported once and the previous stored dataset stays.
 */
import { arrangeBySplit } from '../lab/data/arrange';
import { DEFAULT_DATASET_BUDGET, storedBytes, type StoredDataset } from '../lab/persist/dataset-record';
import { DatasetStore } from '../lab/persist/dataset-store';
import { StorageError } from '../lab/persist/project-store';
import type { LoadedDataset } from './dataset';

export class DatasetAutosave {
  private store: Promise<DatasetStore> | null = null;
  private chain: Promise<void> = Promise.resolve();
  /** What the storage line says about the dataset (why it is not stored, or a failure); null when nothing to say. */
  note: string | null = null;
  budget = DEFAULT_DATASET_BUDGET;
  /** The dataset last offered, so a raised budget can store it after all. */
  private last: LoadedDataset | null = null;
  private storedLast = false;
  private lastBytes = 0;
  /** A save is queued and has not taken its record yet. */
  private pending = false;

  constructor(private readonly report: (message: string) => void) {}

  private open(): Promise<DatasetStore> {
    this.store ??= DatasetStore.open();
    this.store.catch(() => (this.store = null));
    return this.store;
  }

  private enqueue(work: (store: DatasetStore) => Promise<void>, onStart?: () => void): Promise<void> {
    this.chain = this.chain.then(async () => {
      onStart?.();
      try {
        await work(await this.open());
      } catch (err) {
        this.note =
          err instanceof StorageError ? err.message : `The dataset could not be stored: ${(err as Error).message}`;
        this.report(this.note);
      }
    });
    return this.chain;
  }

  /**
   * Stores `ds` (a new load, a new split) if it fits; returns when written (callers need not wait). The record is
   * taken from the newest dataset offered at the moment of writing, in one synchronous step, so a re-split (which
   * reorders the pixels in place) never mixes with it; saves offered while one waits are folded into it.
   */
  save(ds: LoadedDataset): Promise<void> {
    this.last = ds;
    this.storedLast = false;
    if (this.pending) return this.chain;
    this.pending = true;
    return this.enqueue(
      async (store) => {
        const free = await freeQuota();
        const current = this.last!;
        const outcome = await store.save(toStored(current), this.budget, free);
        if (current === this.last) {
          this.storedLast = outcome.stored;
          this.lastBytes = outcome.bytes;
        }
        this.note = outcome.stored ? null : outcome.reason;
      },
      () => (this.pending = false),
    );
  }

  /**
   * A new budget: a loaded dataset that was over the old one and fits now is stored; a stored one over the new
   * budget is dropped (only its fingerprint stays).
   */
  setBudget(bytes: number, current: LoadedDataset | null): Promise<void> {
    this.budget = bytes;
    const stillFits = this.storedLast && this.lastBytes <= bytes;
    if (current && current === this.last && !stillFits) return this.save(current);
    return this.chain;
  }

  /** The stored dataset as the worker's dataset, or null when none (or it cannot be read: then `note` says why). */
  async restore(): Promise<LoadedDataset | null> {
    // Taken before any wait: a dataset offered while this read runs must stay the one a budget change stores.
    const offered = this.last;
    await this.chain;
    try {
      const stored = await (await this.open()).load();
      if (!stored) return null;
      const ds = fromStored(stored);
      if (this.last === offered) {
        this.last = ds;
        this.storedLast = true;
        this.lastBytes = storedBytes(stored.meta);
      }
      return ds;
    } catch (err) {
      this.note = `${(err as Error).message}: load the folder or zip again.`;
      return null;
    }
  }

  async bytes(): Promise<number> {
    await this.chain;
    return (await this.open()).bytes().catch(() => 0);
  }

  async clear(): Promise<void> {
    await this.chain;
    await (await this.open()).clear();
    this.storedLast = false;
    this.note = null;
  }

  /** Closes the database connection (tests: a deleteDatabase waits for every open connection). */
  async close(): Promise<void> {
    await this.chain;
    const store = await this.store?.catch(() => null);
    store?.close();
    this.store = null;
  }

  /** Resolves when every queued write has settled. */
  flush(): Promise<void> {
    return this.chain;
  }
}

/** The browser's free quota (quota − usage), null where navigator.storage.estimate() is not available. */
async function freeQuota(): Promise<number | null> {
  const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
  const estimate = storage?.estimate ? await storage.estimate().catch(() => null) : null;
  return estimate?.quota != null ? Math.max(0, estimate.quota - (estimate.usage ?? 0)) : null;
}

/** The loaded dataset as a record (pixels shared, not copied: the store slices them into chunks). */
export function toStored(ds: LoadedDataset): StoredDataset {
  const { images, sets } = ds;
  const assignment = [
    ...Array<'train'>(sets.train.count).fill('train'),
    ...Array<'val'>(sets.val.count).fill('val'),
    ...Array<'test'>(sets.test.count).fill('test'),
  ];
  const origin =
    ds.source.kind === 'demo'
      ? { kind: 'demo' as const, perClass: ds.source.perClass, seed: ds.source.seed }
      : { kind: 'picked' as const, limit: ds.source.limit };
  return {
    meta: {
      version: 1,
      origin,
      size: images.size,
      channels: images.channels,
      count: images.count,
      classNames: [...images.classNames],
      files: [...images.files],
      labels: images.labels.slice(),
      assignment,
      split: { ...ds.split },
      presets: [...ds.presets.entries()],
      ...(ds.patients && ds.patients.size > 0 ? { patients: [...ds.patients.entries()] } : {}),
      duplicateGroups: ds.duplicateGroups,
      summary: ds.summary,
      identity: ds.identity,
      pixelBytes: images.pixels.byteLength,
      chunks: 0,
      savedAt: '',
    },
    pixels: images.pixels,
  };
}

/** A record back as the worker's dataset: the store is already arranged train | val | test, so this only makes views. */
export function fromStored({ meta, pixels }: StoredDataset): LoadedDataset {
  const set = {
    size: meta.size,
    channels: meta.channels,
    classNames: meta.classNames,
    pixels,
    labels: meta.labels,
    files: meta.files,
    count: meta.count,
  };
  const arranged = arrangeBySplit(set, meta.assignment);
  const source =
    meta.origin.kind === 'demo'
      ? meta.origin
      : { kind: 'stored' as const, name: meta.summary.source, limit: meta.origin.limit, size: meta.size };
  return {
    source,
    images: arranged.all,
    sets: { train: arranged.train, val: arranged.val, test: arranged.test },
    split: meta.split,
    presets: new Map(meta.presets),
    patients: new Map(meta.patients ?? []),
    duplicateGroups: meta.duplicateGroups,
    summary: meta.summary,
    identity: meta.identity,
  };
}
