/**
 * The stored dataset: IndexedDB database `xray-lab-dataset`, apart from the project store so its layout (and version)
 * are its own and "Clear stored data" can drop hundreds of MB in one go. One meta record and the pixels in chunks of
 * CHUNK_BYTES, all written in ONE transaction: a quota error or a crash mid-write leaves the previous dataset whole.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { allOrNothing, storageError, StorageError } from './project-store';
import {
  CHUNK_BYTES,
  megabytes,
  storedBytes,
  storedMetaProblem,
  type StoredDataset,
  type StoredDatasetMeta,
} from './dataset-record';

export const DATASET_DB = 'xray-lab-dataset';
const DATASET_DB_VERSION = 1;

interface DatasetDb extends DBSchema {
  meta: { key: string; value: StoredDatasetMeta };
  chunks: { key: number; value: Uint8Array };
}

/** What happened to a dataset offered for storing. */
export type SaveOutcome = { stored: true; bytes: number } | { stored: false; bytes: number; reason: string };

export class DatasetStore {
  private constructor(private readonly db: IDBPDatabase<DatasetDb>) {}

  static async open(): Promise<DatasetStore> {
    if (typeof indexedDB === 'undefined')
      throw new StorageError('This browser has no IndexedDB: the dataset is not kept between visits.', 'refused');
    try {
      return new DatasetStore(
        await openDB<DatasetDb>(DATASET_DB, DATASET_DB_VERSION, {
          upgrade(db) {
            db.createObjectStore('meta');
            db.createObjectStore('chunks');
          },
        }),
      );
    } catch (err) {
      throw storageError(err, 'the dataset');
    }
  }

  close(): void {
    this.db.close();
  }

  /**
   * Stores `data` when it fits `budget` and the browser's `free` quota (null: unknown); otherwise removes any earlier
   * dataset (it no longer matches what is loaded) and says why. A failed write throws a StorageError and keeps the
   * previous dataset.
   */
  async save(data: StoredDataset, budget: number, free: number | null): Promise<SaveOutcome> {
    const { meta, pixels } = data;
    const bytes = storedBytes(meta);
    const what = `the dataset (${megabytes(bytes)})`;
    if (bytes > budget || (free != null && bytes > free)) {
      await this.clear();
      const limit =
        bytes > budget ? `the storage budget of ${megabytes(budget)}` : `the ${megabytes(free!)} the browser has free`;
      return {
        stored: false,
        bytes,
        reason: `The dataset (${megabytes(bytes)}) is larger than ${limit}: only its fingerprint is kept, and a reload asks for the folder again.`,
      };
    }
    const chunks = Math.ceil(pixels.byteLength / CHUNK_BYTES);
    const record: StoredDatasetMeta = {
      ...meta,
      version: 1,
      pixelBytes: pixels.byteLength,
      chunks,
      savedAt: new Date().toISOString(),
    };
    const tx = this.db.transaction(['meta', 'chunks'], 'readwrite');
    try {
      await allOrNothing(tx, (writes) => {
        writes.push(
          tx.objectStore('meta').clear(),
          tx.objectStore('chunks').clear(),
          tx.objectStore('meta').put(record, 'current'),
        );
        // slice(): each chunk its own small buffer (a subarray would clone the whole store each time).
        for (let i = 0; i < chunks; i++)
          writes.push(tx.objectStore('chunks').put(pixels.slice(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES), i));
      });
    } catch (err) {
      throw storageError(err, what);
    }
    return { stored: true, bytes };
  }

  /** The stored dataset, checked; null when none; throws an Error naming the problem when it is damaged. */
  async load(): Promise<StoredDataset | null> {
    const tx = this.db.transaction(['meta', 'chunks'], 'readonly');
    const meta = await tx.objectStore('meta').get('current');
    if (meta == null) return null;
    const problem = storedMetaProblem(meta);
    if (problem) throw new Error(`the stored dataset could not be read (${problem})`);
    const pixels = new Uint8Array(meta.pixelBytes);
    for (let i = 0; i < meta.chunks; i++) {
      const chunk = await tx.objectStore('chunks').get(i);
      const expected = Math.min(CHUNK_BYTES, meta.pixelBytes - i * CHUNK_BYTES);
      if (!(chunk instanceof Uint8Array) || chunk.byteLength !== expected)
        throw new Error(`the stored dataset could not be read (chunk ${i} is missing or cut short)`);
      pixels.set(chunk, i * CHUNK_BYTES);
    }
    await tx.done;
    return { meta, pixels };
  }

  /** Bytes the stored dataset takes (0 when none). */
  async bytes(): Promise<number> {
    const meta = await this.db.get('meta', 'current');
    return meta && storedMetaProblem(meta) == null ? storedBytes(meta) : 0;
  }

  clear(): Promise<void> {
    return (async () => {
      try {
        const tx = this.db.transaction(['meta', 'chunks'], 'readwrite');
        await Promise.all([tx.objectStore('meta').clear(), tx.objectStore('chunks').clear(), tx.done]);
      } catch (err) {
        throw storageError(err, 'the change');
      }
    })();
  }
}
