/**
 * What transfer runs share within one realm (the page's worker, or a Node process): the backbone weights loaded so
 * far and the feature cache. The registry asks here whether a backbone is loaded; runModel takes its weights and
 * cache from here unless given others. Kept free of model imports so the registry can import it.
 */
import type { BackboneWeights } from './backbone-weights';
import type { BackboneId } from './backbones';
import { MemoryFeatureCache, type FeatureCache } from './feature-cache';

const loaded = new Map<BackboneId, BackboneWeights>();
let featureCache: FeatureCache = new MemoryFeatureCache();

/**
 * Makes `weights` the ones runs of their backbone use, replacing earlier ones of that backbone only. Call it after a
 * load succeeded: a failed load never gets here, so what was loaded before stays.
 */
export function provideBackboneWeights(weights: BackboneWeights): void {
  loaded.set(weights.backboneId, weights);
}

/** The loaded weights of a backbone, or null. */
export function loadedBackboneWeights(id: BackboneId): BackboneWeights | null {
  return loaded.get(id) ?? null;
}

/** Forgets one backbone's weights, or all of them (the page's "unload"). Cached features stay until cleared. */
export function forgetBackboneWeights(id?: BackboneId): void {
  if (id) loaded.delete(id);
  else loaded.clear();
}

/** The feature cache runs use by default (in memory until the worker installs an IndexedDB one). */
export function currentFeatureCache(): FeatureCache {
  return featureCache;
}

export function setFeatureCache(cache: FeatureCache): void {
  featureCache = cache;
}
