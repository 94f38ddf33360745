/**
 * Features of one split, from the cache when the same images went through the same weights at the same size
 * before, else computed once and cached. The backbone is built only when something must be computed.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../data/image-set';
import type { FeatureSet } from '../train/feature-set';
import type { BackboneWeights } from './backbone-weights';
import { extractFeatures } from './extract-features';
import { featureCacheKey, type FeatureCache } from './feature-cache';
import { fingerprintImageSet } from './set-fingerprint';

export type SplitName = 'train' | 'val' | 'test';

/** Progress of the backbone pass over one split. */
export interface FeatureProgress {
  split: SplitName;
  done: number;
  total: number;
  /** True when the split came from the cache (then done = total at once). */
  cached: boolean;
}

export interface SplitFeaturesOptions {
  split: SplitName;
  cache: FeatureCache | null;
  batchSize: number;
  onProgress?: (progress: FeatureProgress) => void | Promise<void>;
  signal?: AbortSignal;
  /** Cache-key part naming a non-pooled output (an activation map for fine-tuning); omit for pooled vectors. */
  output?: string;
}

/** The cache key of `set` through `weights` (the size is the set's), for the pooled vectors or a named map. */
export function splitFeatureKey(weights: BackboneWeights, set: ImageSet, output?: string): string {
  return featureCacheKey({
    backboneId: weights.backboneId,
    weightsId: weights.weightsId,
    size: set.size,
    range: weights.preprocessing.range,
    dataset: fingerprintImageSet(set),
    output,
  });
}

/**
 * Features of `set`; `backbone()` is called only on a cache miss. A cancelled extraction throws and caches nothing.
 * @returns the features and whether they came from the cache
 */
export async function splitFeatures(
  set: ImageSet,
  weights: BackboneWeights,
  backbone: () => tf.LayersModel,
  dim: number,
  options: SplitFeaturesOptions,
): Promise<{ features: FeatureSet; cached: boolean }> {
  const key = splitFeatureKey(weights, set, options.output);
  const hit = await options.cache?.get(key);
  // A hit of the wrong shape (another variant under a colliding key, a damaged store) is recomputed.
  if (hit && hit.count === set.count && hit.dim === dim && hit.features.length === set.count * dim) {
    await options.onProgress?.({ split: options.split, done: set.count, total: set.count, cached: true });
    return { features: hit, cached: true };
  }
  const features = await extractFeatures(backbone(), set, {
    range: weights.preprocessing.range,
    batchSize: options.batchSize,
    signal: options.signal,
    onProgress: (done, total) => options.onProgress?.({ split: options.split, done, total, cached: false }),
  });
  await options.cache?.put(key, features);
  return { features, cached: false };
}
