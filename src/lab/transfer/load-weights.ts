/**
 * The three ways ImageNet weights reach a backbone — a TF.js layers model at a URL (by default the same-origin
 * `models/…/model.json` whoever deploys the lab fills), dropped TF.js files, a dropped Keras .h5 — each read, checked
 * against the network, and only then cached. A wrong file throws before anything is replaced.
 */
import { prepareBackboneWeights, type BackboneWeights } from './backbone-weights';
import type { BackboneId } from './backbones';
import { exactBuffer, fetchBytes, WeightsDownloadError, type FetchLike } from './fetch-bytes';
import { looksLikeHdf5, readH5Weights } from './read-h5';
import { expectedWeightBytes, parseLayersModelJson, readLayersModelWeights, shardPaths } from './read-tfjs-layers';
import { WeightsFormatError, type Preprocessing, type SourceWeights } from './source-weights';
import { fileWeightsKey, urlWeightsKey, type WeightsCache } from './weights-cache';

export interface WeightsProgress {
  phase: 'downloading' | 'reading' | 'checking' | 'cached';
  /** Bytes so far (downloading) — 0 in the other phases. */
  loaded: number;
  /** Bytes expected, when known. */
  total: number | null;
}

export interface LoadWeightsOptions {
  onProgress?: (progress: WeightsProgress) => void;
  signal?: AbortSignal;
  /** Overrides the preprocessing the source declares (default: declared, else Keras' [-1, 1]). */
  preprocessing?: Preprocessing;
  /** Read first and written after a successful load; none by default. */
  cache?: WeightsCache | null;
  fetch?: FetchLike;
}

/** A file as the page or the CLI hands it over. */
export interface WeightsFile {
  name: string;
  bytes: Uint8Array | ArrayBuffer;
}

/** Downloads a TF.js layers model (model.json, then its shards relative to it) and loads its weights. */
export async function loadWeightsFromUrl(
  backboneId: BackboneId,
  url: string,
  options: LoadWeightsOptions = {},
): Promise<BackboneWeights> {
  const key = urlWeightsKey(url);
  const cached = await options.cache?.get(key);
  if (cached && cached.backboneId === backboneId) {
    options.onProgress?.({ phase: 'cached', loaded: 0, total: null });
    return cached;
  }
  const jsonBytes = await fetchBytes(url, { fetch: options.fetch, signal: options.signal }).catch((err: unknown) => {
    // The usual case at the default URL: nobody deployed weights there. Say what to do instead.
    if (err instanceof WeightsDownloadError && err.status === 404) {
      throw new WeightsDownloadError(
        url,
        404,
        'HTTP 404: no weights are deployed there (see docs/transfer-learning.md); drop a Keras .h5 or TF.js files instead',
      );
    }
    throw err;
  });
  const json = parseLayersModelJson(new TextDecoder().decode(jsonBytes), url);
  const total = expectedWeightBytes(json);
  let done = 0;
  const shards: ArrayBuffer[] = [];
  for (const path of shardPaths(json)) {
    const bytes = await fetchBytes(new URL(path, url).href, {
      fetch: options.fetch,
      signal: options.signal,
      onBytes: (received) => options.onProgress?.({ phase: 'downloading', loaded: done + received, total }),
    });
    done += bytes.length;
    shards.push(exactBuffer(bytes));
  }
  const weights = check(backboneId, readLayersModelWeights(json, shards, url), options);
  await options.cache?.put(key, weights);
  return weights;
}

/** Loads dropped files: one Keras .h5, or a model.json with the shards it lists (matched by file name). */
export async function loadWeightsFromFiles(
  backboneId: BackboneId,
  files: WeightsFile[],
  options: LoadWeightsOptions = {},
): Promise<BackboneWeights> {
  options.onProgress?.({ phase: 'reading', loaded: 0, total: null });
  const source = await readWeightsFiles(files);
  const weights = check(backboneId, source, options);
  await options.cache?.put(fileWeightsKey(source.origin, weights.weightsId), weights);
  return weights;
}

/** Reads dropped files into source weights without checking them against a network. */
export async function readWeightsFiles(files: WeightsFile[]): Promise<SourceWeights> {
  if (files.length === 0)
    throw new WeightsFormatError('(no files)', 'drop a Keras .h5 file, or a model.json with its .bin shards');
  const h5 = files.find((f) => /\.(h5|hdf5|keras)$/i.test(f.name) || looksLikeHdf5(asBytes(f.bytes)));
  if (h5) return readH5Weights(asBytes(h5.bytes), h5.name);
  const jsonFile =
    files.find((f) => /\.json$/i.test(f.name) && !/metadata\.json$/i.test(f.name)) ??
    files.find((f) => /\.json$/i.test(f.name));
  if (!jsonFile) {
    throw new WeightsFormatError(
      files[0].name,
      'neither a Keras .h5 file nor a TF.js model.json (with its .bin shards)',
    );
  }
  const json = parseLayersModelJson(new TextDecoder().decode(asBytes(jsonFile.bytes)), jsonFile.name);
  const byBase = new Map(files.map((f) => [baseName(f.name), f]));
  const shards = shardPaths(json).map((path) => {
    const file = byBase.get(baseName(path));
    if (!file)
      throw new WeightsFormatError(jsonFile.name, `lists the shard ${path}, which is not among the files given`);
    return exactBuffer(file.bytes);
  });
  return readLayersModelWeights(json, shards, jsonFile.name);
}

function check(backboneId: BackboneId, source: SourceWeights, options: LoadWeightsOptions): BackboneWeights {
  options.onProgress?.({ phase: 'checking', loaded: 0, total: null });
  return prepareBackboneWeights(backboneId, source, options.preprocessing);
}

function asBytes(data: Uint8Array | ArrayBuffer): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
