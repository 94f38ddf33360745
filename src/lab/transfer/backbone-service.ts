/**
 * The few verbs the page's worker (and any other host) needs for pretrained backbones: load weights from a URL or
 * from dropped files and make them current, restore what a previous visit cached, list what is loaded, and clear
 * the caches. Each returns plain data (BackboneWeightsInfo) that can be posted to the page.
 */
import { describeBackboneWeights, type BackboneWeightsInfo } from './backbone-weights';
import { BACKBONES, type BackboneId } from './backbones';
import type { FeatureCache } from './feature-cache';
import { loadWeightsFromFiles, loadWeightsFromUrl, type LoadWeightsOptions, type WeightsFile } from './load-weights';
import {
  currentFeatureCache,
  forgetBackboneWeights,
  loadedBackboneWeights,
  provideBackboneWeights,
} from './transfer-context';
import type { WeightsCache } from './weights-cache';

/**
 * Downloads (or takes from `options.cache`) a TF.js layers model and makes its weights the backbone's. On any
 * failure the weights loaded before stay current and nothing is cached.
 * @param url absolute, or relative to `location` — which in a worker is the worker script's URL, so the page should
 *   send `new URL(BACKBONES[id].defaultUrl, document.baseURI).href`
 */
export async function useBackboneFromUrl(
  backboneId: BackboneId,
  url = BACKBONES[backboneId].defaultUrl,
  options: LoadWeightsOptions = {},
): Promise<BackboneWeightsInfo> {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  const absolute = base ? new URL(url, base).href : url;
  const weights = await loadWeightsFromUrl(backboneId, absolute, options);
  provideBackboneWeights(weights);
  return describeBackboneWeights(weights);
}

/** Reads dropped files (a Keras .h5, or model.json + shards) and makes them the backbone's weights. */
export async function useBackboneFromFiles(
  backboneId: BackboneId,
  files: WeightsFile[],
  options: LoadWeightsOptions = {},
): Promise<BackboneWeightsInfo> {
  const weights = await loadWeightsFromFiles(backboneId, files, options);
  provideBackboneWeights(weights);
  return describeBackboneWeights(weights);
}

/** Makes the most recently cached weights of each backbone current (after a reload); returns what it restored. */
export async function restoreCachedBackbones(cache: WeightsCache): Promise<BackboneWeightsInfo[]> {
  const restored: BackboneWeightsInfo[] = [];
  for (const id of Object.keys(BACKBONES) as BackboneId[]) {
    const weights = await cache.latest(id);
    if (weights) {
      provideBackboneWeights(weights);
      restored.push(describeBackboneWeights(weights));
    }
  }
  return restored;
}

/** What is loaded now, one entry per backbone that has weights. */
export function loadedBackbones(): BackboneWeightsInfo[] {
  return (Object.keys(BACKBONES) as BackboneId[]).flatMap((id) => {
    const weights = loadedBackboneWeights(id);
    return weights ? [describeBackboneWeights(weights)] : [];
  });
}

/**
 * The page's "Clear cache": empties the weights cache and the feature cache, and forgets the loaded weights too
 * unless `keepLoaded` (so the next run either reloads or says "backbone not loaded").
 */
export async function clearTransferCaches(
  weightsCache: WeightsCache | null,
  featureCache: FeatureCache = currentFeatureCache(),
  keepLoaded = false,
): Promise<void> {
  await Promise.all([weightsCache?.clear(), featureCache.clear()]);
  if (!keepLoaded) forgetBackboneWeights();
}
