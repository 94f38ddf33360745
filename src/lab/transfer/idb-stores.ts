/**
 * IndexedDB versions of the weights cache and the feature cache, for the page's worker: loaded ImageNet weights
 * (87 MB for InceptionV3) and computed features survive a reload, and "Clear cache" empties both. Browser-only
 * (Node has no indexedDB); the in-memory versions share their interfaces and their tests.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { FeatureSet } from '../train/feature-set';
import type { BackboneWeights } from './backbone-weights';
import type { BackboneId } from './backbones';
import type { FeatureCache } from './feature-cache';
import type { WeightsCache } from './weights-cache';

interface TransferDb extends DBSchema {
  weights: {
    key: string;
    value: { key: string; backboneId: BackboneId; savedAt: number; weights: BackboneWeights };
    indexes: { backbone: BackboneId };
  };
  features: { key: string; value: { key: string; savedAt: number; set: FeatureSet } };
}

const DB_NAME = 'xray-lab-transfer';

function open(): Promise<IDBPDatabase<TransferDb>> {
  return openDB<TransferDb>(DB_NAME, 1, {
    upgrade(db) {
      db.createObjectStore('weights', { keyPath: 'key' }).createIndex('backbone', 'backboneId');
      db.createObjectStore('features', { keyPath: 'key' });
    },
  });
}

/** True where IndexedDB exists (a page or a worker; not Node). */
export function hasIndexedDb(): boolean {
  return typeof indexedDB !== 'undefined';
}

export class IdbWeightsCache implements WeightsCache {
  private readonly db = open();

  async get(key: string): Promise<BackboneWeights | null> {
    return (await (await this.db).get('weights', key))?.weights ?? null;
  }

  async put(key: string, weights: BackboneWeights): Promise<void> {
    await (await this.db).put('weights', { key, backboneId: weights.backboneId, savedAt: Date.now(), weights });
  }

  async latest(backboneId: BackboneId): Promise<BackboneWeights | null> {
    const records = await (await this.db).getAllFromIndex('weights', 'backbone', backboneId);
    records.sort((a, b) => a.savedAt - b.savedAt);
    return records.pop()?.weights ?? null;
  }

  async keys(): Promise<string[]> {
    return (await (await this.db).getAllKeys('weights')).map(String);
  }

  async clear(): Promise<void> {
    await (await this.db).clear('weights');
  }
}

export class IdbFeatureCache implements FeatureCache {
  private readonly db = open();

  async get(key: string): Promise<FeatureSet | null> {
    return (await (await this.db).get('features', key))?.set ?? null;
  }

  async put(key: string, set: FeatureSet): Promise<void> {
    // Quota errors are not fatal: the run goes on with features it already holds.
    try {
      await (await this.db).put('features', { key, savedAt: Date.now(), set });
    } catch (err) {
      console.warn(`feature cache: could not store ${key}: ${(err as Error).message}`);
    }
  }

  async keys(): Promise<string[]> {
    return (await (await this.db).getAllKeys('features')).map(String);
  }

  async clear(): Promise<void> {
    await (await this.db).clear('features');
  }
}
