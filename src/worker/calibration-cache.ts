/**
 * Auto's measurements kept in IndexedDB from the worker (workers have no localStorage), so a device measures each
 * model/size once. Entries older than a month are measured again (drivers and browsers change).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { MeasurementCache } from '../lab/backend/auto-backend';
import type { BackendMeasurement } from '../lab/backend/calibrate';

interface BackendDb extends DBSchema {
  measurements: { key: string; value: { key: string; savedAt: number; measured: BackendMeasurement[] } };
}

const MAX_AGE_MS = 30 * 24 * 3600 * 1000;

export class IdbMeasurementCache implements MeasurementCache {
  private db: Promise<IDBPDatabase<BackendDb>> | null = null;

  private open(): Promise<IDBPDatabase<BackendDb>> {
    this.db ??= openDB<BackendDb>('xray-lab-backend', 1, {
      upgrade(db) {
        db.createObjectStore('measurements', { keyPath: 'key' });
      },
    });
    return this.db;
  }

  async get(key: string): Promise<BackendMeasurement[] | null> {
    const entry = await (await this.open()).get('measurements', key);
    return entry != null && Date.now() - entry.savedAt < MAX_AGE_MS ? entry.measured : null;
  }

  async put(key: string, measured: BackendMeasurement[]): Promise<void> {
    await (await this.open()).put('measurements', { key, savedAt: Date.now(), measured });
  }
}

/** The cache where IndexedDB exists; null elsewhere (then every run measures). */
export function measurementCache(): MeasurementCache | null {
  return typeof indexedDB === 'undefined' ? null : new IdbMeasurementCache();
}
