/**
 * Backbone features kept between runs, keyed by everything that changes them: the backbone and its weights, the
 * input size, the preprocessing, and the images themselves. Change any of them and the key changes, so a stale
 * entry is never read. One interface, two stores: in memory (everywhere, tested in Node) and IndexedDB (the page's
 * worker, `idb-stores.ts`).
 */
import type { PixelRange } from '../data/batches';
import { featureSetBytes, type FeatureSet } from '../train/feature-set';

export interface FeatureCache {
  get(key: string): Promise<FeatureSet | null>;
  put(key: string, set: FeatureSet): Promise<void>;
  /** Keys held, most recently used last. */
  keys(): Promise<string[]>;
  clear(): Promise<void>;
}

/** What a feature-cache key is made of. */
export interface FeatureKeyParts {
  backboneId: string;
  /** BackboneWeights.weightsId: a content fingerprint, so other weights under the same name do not collide. */
  weightsId: string;
  size: number;
  range: PixelRange;
  /** fingerprintImageSet of the images. */
  dataset: string;
  /** Which activations: the pooled vector (default) or a layer's map kept for fine-tuning (e.g. 'mixed8'). */
  output?: string;
}

export function featureCacheKey(p: FeatureKeyParts): string {
  return `features/${p.backboneId}/${p.weightsId}/${p.size}px/${p.range}/${p.dataset}${p.output ? `/${p.output}` : ''}`;
}

/**
 * In-memory cache with a byte budget (default 1 GiB): the least recently used entries go first. InceptionV3 features
 * of the whole Kermany set (5,856 × 2,048 floats) take 48 MB.
 */
export class MemoryFeatureCache implements FeatureCache {
  private readonly entries = new Map<string, FeatureSet>();

  constructor(private readonly budgetBytes = 1 << 30) {}

  async get(key: string): Promise<FeatureSet | null> {
    const hit = this.entries.get(key);
    if (!hit) return null;
    // Re-insert to mark as most recently used.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit;
  }

  async put(key: string, set: FeatureSet): Promise<void> {
    this.entries.delete(key);
    if (featureSetBytes(set) > this.budgetBytes) return; // would evict everything and still not fit
    this.entries.set(key, set);
    let total = 0;
    for (const s of this.entries.values()) total += featureSetBytes(s);
    for (const [k, s] of this.entries) {
      if (total <= this.budgetBytes) break;
      this.entries.delete(k);
      total -= featureSetBytes(s);
    }
  }

  async keys(): Promise<string[]> {
    return [...this.entries.keys()];
  }

  async clear(): Promise<void> {
    this.entries.clear();
  }
}
