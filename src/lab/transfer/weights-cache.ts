/**
 * Loaded backbone weights kept so a download happens once: keyed by where they came from (a URL, or a dropped
 * file's name and content id). Written only after a load fully succeeded, so a failed or cancelled download never
 * leaves a partial entry. In memory everywhere; IndexedDB in the page's worker (`idb-stores.ts`).
 */
import type { BackboneWeights } from './backbone-weights';
import type { BackboneId } from './backbones';

export interface WeightsCache {
  get(key: string): Promise<BackboneWeights | null>;
  put(key: string, weights: BackboneWeights): Promise<void>;
  /** The most recently stored weights of a backbone (what the worker restores after a reload), or null. */
  latest(backboneId: BackboneId): Promise<BackboneWeights | null>;
  keys(): Promise<string[]>;
  clear(): Promise<void>;
}

/** Cache key of weights fetched from a URL. */
export function urlWeightsKey(url: string): string {
  return `url:${url}`;
}

/** Cache key of weights read from dropped or local files. */
export function fileWeightsKey(name: string, weightsId: string): string {
  return `file:${name}:${weightsId}`;
}

/** A Map in insertion order: re-putting a key makes it the latest. */
export class MemoryWeightsCache implements WeightsCache {
  private readonly entries = new Map<string, BackboneWeights>();

  async get(key: string): Promise<BackboneWeights | null> {
    return this.entries.get(key) ?? null;
  }

  async put(key: string, weights: BackboneWeights): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, weights);
  }

  async latest(backboneId: BackboneId): Promise<BackboneWeights | null> {
    let found: BackboneWeights | null = null;
    for (const w of this.entries.values()) if (w.backboneId === backboneId) found = w;
    return found;
  }

  async keys(): Promise<string[]> {
    return [...this.entries.keys()];
  }

  async clear(): Promise<void> {
    this.entries.clear();
  }
}
