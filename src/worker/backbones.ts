/**
 * Pretrained backbones in the worker: one IndexedDB weights cache and feature cache (so an 87 MB download and the
 * backbone pass happen once), weights restored from an earlier visit, loads from a URL or dropped files with
 * progress and Cancel, and "Clear cache". The core keeps what was loaded when a load fails; this file only adds
 * the bookkeeping the page shows (is it cached?) and tells the page after every change.
 */
import type { BackboneWeightsInfo } from '../lab/transfer/backbone-weights';
import type { FeatureCache } from '../lab/transfer/feature-cache';
import { BACKBONES, type BackboneId } from '../lab/transfer/backbones';
import {
  clearTransferCaches,
  loadedBackbones,
  restoreCachedBackbones,
  useBackboneFromFiles,
  useBackboneFromUrl,
} from '../lab/transfer/backbone-service';
import { FINE_TUNE_CUTS } from '../lab/transfer/fine-tune';
import { hasIndexedDb, IdbFeatureCache, IdbWeightsCache } from '../lab/transfer/idb-stores';
import type { LoadWeightsOptions } from '../lab/transfer/load-weights';
import { currentFeatureCache, setFeatureCache } from '../lab/transfer/transfer-context';
import type { WeightsCache } from '../lab/transfer/weights-cache';
import { forgetMeasurements } from './measure';
import type { BackbonesInfo, BackboneSpecInfo, BackboneStatus, WeightsBlob } from './protocol';
import { emit } from './rpc';

/** Which loaded weights sit in the cache (restored, served from it, or written to it), by weightsId. */
const cachedIds = new Set<string>();

/**
 * The IndexedDB caches, except that a failing store (quota, a browser that refuses IndexedDB in private mode) never
 * fails a load or a run: a read that fails is a miss, a write that fails leaves the data in memory only.
 */
class LenientWeightsCache implements WeightsCache {
  constructor(private readonly inner: WeightsCache) {}
  get: WeightsCache['get'] = (key) => this.inner.get(key).catch(() => null);
  latest: WeightsCache['latest'] = (id) => this.inner.latest(id);
  keys: WeightsCache['keys'] = () => this.inner.keys();
  clear: WeightsCache['clear'] = () => this.inner.clear();
  async put(...args: Parameters<WeightsCache['put']>): Promise<void> {
    try {
      await this.inner.put(...args);
      cachedIds.add(args[1].weightsId); // the page's "cached in this browser"
    } catch (err) {
      console.warn(`weights cache: not stored (${(err as Error).message})`);
    }
  }
}

class LenientFeatureCache implements FeatureCache {
  constructor(private readonly inner: FeatureCache) {}
  get: FeatureCache['get'] = (key) => this.inner.get(key).catch(() => null);
  put: FeatureCache['put'] = (key, set) =>
    this.inner.put(key, set).catch((err: Error) => console.warn(`feature cache: ${err.message}`));
  keys: FeatureCache['keys'] = () => this.inner.keys();
  clear: FeatureCache['clear'] = () => this.inner.clear();
}

const persistent = hasIndexedDb();
const cache = persistent ? new LenientWeightsCache(new IdbWeightsCache()) : null;
if (persistent) setFeatureCache(new LenientFeatureCache(new IdbFeatureCache()));
const downloads = new Map<BackboneId, AbortController>();

// Started at once: a page that trains a transfer model right after reload must find its weights.
const restoring: Promise<string | null> = (async () => {
  if (!cache) return null;
  try {
    for (const info of await restoreCachedBackbones(cache)) cachedIds.add(info.weightsId);
    return null;
  } catch (err) {
    return `cached weights could not be restored: ${(err as Error).message}`;
  }
})();

function specs(): BackboneSpecInfo[] {
  return Object.values(BACKBONES).map((b) => ({
    id: b.id,
    network: b.network,
    defaultUrl: b.defaultUrl,
    nativeSize: b.nativeSize,
    missingWeights: b.missingWeights,
    fineTunable: b.id in FINE_TUNE_CUTS,
  }));
}

function status(info: BackboneWeightsInfo): BackboneStatus {
  return { ...info, cached: cachedIds.has(info.weightsId) };
}

/** The loaded weights last announced, so counts are measured again only when they changed. */
let announced = '';

function announce(): void {
  const loaded = loadedBackbones().map(status);
  const key = loaded.map((b) => `${b.backboneId}:${b.weightsId}`).join(',');
  if (key !== announced) forgetMeasurements();
  announced = key;
  emit({ type: 'backbones', loaded });
}

export async function backbonesInfo(): Promise<BackbonesInfo> {
  const restoreError = await restoring;
  return { specs: specs(), loaded: loadedBackbones().map(status), persistent, restoreError };
}

/** Waits for the restore, so a run right after reload sees the cached weights. */
export function backbonesRestored(): Promise<unknown> {
  return restoring;
}

/** Runs one load with progress events; the page hears the new state whether it worked or not. */
async function load(
  backboneId: BackboneId,
  run: (options: LoadWeightsOptions) => Promise<BackboneWeightsInfo>,
): Promise<BackboneStatus> {
  if (downloads.has(backboneId))
    throw new Error(`${BACKBONES[backboneId].network} weights are already loading: wait for them or cancel`);
  const controller = new AbortController();
  downloads.set(backboneId, controller);
  let fromCache = false;
  try {
    await restoring;
    const info = await run({
      cache,
      signal: controller.signal,
      onProgress: (progress) => {
        fromCache ||= progress.phase === 'cached';
        emit({ type: 'backbone-progress', backboneId, progress });
      },
    });
    if (fromCache) cachedIds.add(info.weightsId);
    return status(info);
  } catch (err) {
    if (controller.signal.aborted)
      throw new Error(`${BACKBONES[backboneId].network}: download cancelled; the weights loaded before stay`, {
        cause: err,
      });
    throw err;
  } finally {
    downloads.delete(backboneId);
    emit({ type: 'backbone-progress', backboneId, progress: null });
    announce();
  }
}

export function loadBackboneUrl(backboneId: BackboneId, url: string): Promise<BackboneStatus> {
  return load(backboneId, (options) => useBackboneFromUrl(backboneId, url, options));
}

export function loadBackboneFiles(backboneId: BackboneId, files: WeightsBlob[]): Promise<BackboneStatus> {
  return load(backboneId, async (options) => {
    options.onProgress?.({ phase: 'reading', loaded: 0, total: files.reduce((n, f) => n + f.blob.size, 0) });
    const read = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: await f.blob.arrayBuffer() })));
    return useBackboneFromFiles(backboneId, read, options);
  });
}

export function cancelBackboneLoad(backboneId: BackboneId): void {
  downloads.get(backboneId)?.abort();
}

export async function clearCaches(): Promise<void> {
  if (downloads.size > 0) throw new Error('weights are loading: wait for them or cancel, then clear the cache');
  await restoring;
  await clearTransferCaches(cache, currentFeatureCache());
  cachedIds.clear();
  announce();
}
