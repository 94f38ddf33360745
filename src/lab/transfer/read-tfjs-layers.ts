/**
 * Reads a TF.js *layers* model (model.json + binary shards, as `tensorflowjs_converter --input_format keras` or
 * `model.save()` write it) into {@link SourceWeights}. Only the weights and the layer order are used: the topology is
 * never instantiated, so a model with layers tfjs cannot build (or a different head) still gives its backbone.
 */
import type * as tf from '@tensorflow/tfjs';
import { decodeWeightGroup, specBytes } from './decode-weights';
import {
  inferLayerKind,
  KERAS_PREPROCESSING,
  layerOfWeight,
  shortWeightName,
  TF_HUB_PREPROCESSING,
  WeightsFormatError,
  type Preprocessing,
  type SourceLayer,
  type SourceWeight,
  type SourceWeights,
} from './source-weights';

/** The parts of model.json this reader needs. */
export interface LayersModelJson {
  format?: string;
  modelTopology?: unknown;
  weightsManifest?: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  userDefinedMetadata?: Record<string, unknown>;
}

/** Parses and checks model.json text; the message says what kind of file it was instead. */
export function parseLayersModelJson(text: string, origin: string): LayersModelJson {
  let parsed: LayersModelJson;
  try {
    parsed = JSON.parse(text) as LayersModelJson;
  } catch (err) {
    throw new WeightsFormatError(origin, `not JSON (${(err as Error).message})`);
  }
  if (parsed?.format === 'graph-model') {
    throw new WeightsFormatError(
      origin,
      'a TF.js graph model (converted from a SavedModel or TF-Hub) has no Keras layer names; ' +
        'convert the Keras model with tensorflowjs_converter --input_format keras (docs/transfer-learning.md)',
    );
  }
  if (!parsed || !parsed.modelTopology || !Array.isArray(parsed.weightsManifest)) {
    throw new WeightsFormatError(
      origin,
      'not a TF.js layers model (model.json needs modelTopology and weightsManifest)',
    );
  }
  return parsed;
}

/** Shard file names model.json refers to, in manifest order. */
export function shardPaths(json: LayersModelJson): string[] {
  return (json.weightsManifest ?? []).flatMap((group) => group.paths);
}

/** Bytes the shards should hold, from the manifest (for download progress before any Content-Length arrives). */
export function expectedWeightBytes(json: LayersModelJson): number {
  return (json.weightsManifest ?? []).flatMap((g) => g.weights).reduce((n, spec) => n + specBytes(spec), 0);
}

/**
 * Decodes the shards (in `shardPaths` order, one ArrayBuffer each) and groups the weights by layer, in the
 * topology's layer order. Quantised weights (uint8 / uint16 / float16) come back as float32. Needs no tfjs backend.
 */
export function readLayersModelWeights(json: LayersModelJson, shards: ArrayBuffer[], origin: string): SourceWeights {
  const groups = json.weightsManifest ?? [];
  const byLayer = new Map<string, SourceWeight[]>();
  let next = 0;
  for (const group of groups) {
    const buffers = shards.slice(next, next + group.paths.length);
    next += group.paths.length;
    const expected = expectedWeightBytes({ weightsManifest: [group] });
    const got = buffers.reduce((n, b) => n + b.byteLength, 0);
    if (got < expected) {
      throw new WeightsFormatError(
        origin,
        `the shards ${group.paths.join(', ')} hold ${got} bytes; the manifest needs ${expected}`,
      );
    }
    const decoded = decodeWeightGroup(group.weights, buffers, origin);
    group.weights.forEach((spec, i) => {
      const layer = layerOfWeight(spec.name);
      const list = byLayer.get(layer) ?? [];
      list.push({ name: shortWeightName(spec.name), shape: [...spec.shape], values: decoded[i] });
      byLayer.set(layer, list);
    });
  }
  const order = topologyLayerNames(json.modelTopology);
  const ranked = [...byLayer.keys()].sort((a, b) => rank(order, a) - rank(order, b));
  const layers: SourceLayer[] = ranked.map((name) => {
    const weights = byLayer.get(name)!;
    return { name, kind: inferLayerKind(weights), weights };
  });
  return { format: 'tfjs-layers', origin, layers, preprocessing: declaredPreprocessing(json.userDefinedMetadata) };
}

function rank(order: Map<string, number>, name: string): number {
  return order.get(name) ?? Number.MAX_SAFE_INTEGER; // unknown layers keep manifest order after the known ones
}

/**
 * Layer names in the topology's order, nested models (Teachable Machine wraps MobileNetV2 in two Sequentials)
 * flattened in place.
 */
export function topologyLayerNames(topology: unknown): Map<string, number> {
  const order = new Map<string, number>();
  const visit = (node: unknown): void => {
    const n = node as { class_name?: string; config?: unknown; model_config?: unknown; name?: string };
    if (!n || typeof n !== 'object') return;
    if (n.model_config) return visit(n.model_config);
    const config = n.config as { layers?: unknown[]; name?: string } | unknown[] | undefined;
    // Keras ≤ 2.2 wrote a Sequential's config as a bare list of layers.
    const layers = Array.isArray(config) ? config : config?.layers;
    if (Array.isArray(layers)) {
      for (const layer of layers) visit(layer);
      return;
    }
    const name = (config as { name?: string } | undefined)?.name ?? n.name;
    if (name != null && !order.has(name)) order.set(name, order.size);
  };
  visit(topology);
  return order;
}

/**
 * Preprocessing a model.json declares in `userDefinedMetadata`: `pixelRange: '0,1' | '-1,1'` or
 * `preprocessing: 'keras' | 'tf-hub'`. Undefined when it says nothing.
 */
function declaredPreprocessing(meta: Record<string, unknown> | undefined): Preprocessing | undefined {
  if (!meta) return undefined;
  if (meta.preprocessing === 'tf-hub') return TF_HUB_PREPROCESSING;
  if (meta.preprocessing === 'keras') return KERAS_PREPROCESSING;
  if (meta.pixelRange === '0,1' || meta.pixelRange === '-1,1') return { range: meta.pixelRange, convention: 'custom' };
  return undefined;
}
