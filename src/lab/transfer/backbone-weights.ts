/**
 * Pretrained weights checked against one of our backbones and ready to load: plain arrays in our layers' order, the
 * variant they fit, the preprocessing they expect, and a content id that keys the feature cache. Plain data, so it
 * can be cached in IndexedDB and kept in a worker without holding GPU memory between runs.
 */
import * as tf from '@tensorflow/tfjs';
import { backboneSpec, targetLayersOf, type BackboneId, type BackboneVariant } from './backbones';
import { Fingerprint } from '../util/fingerprint';
import { matchWeights, WeightsMismatchError, type WeightsMatch } from './match-weights';
import { KERAS_PREPROCESSING, type Preprocessing, type SourceWeights } from './source-weights';

export interface BackboneWeights {
  readonly backboneId: BackboneId;
  readonly variant: BackboneVariant;
  /** Content fingerprint of the weights (16 hex digits): part of every feature-cache key. */
  readonly weightsId: string;
  readonly preprocessing: Preprocessing;
  readonly origin: string;
  readonly format: SourceWeights['format'];
  readonly matchedBy: WeightsMatch['mode'];
  /** Our weight-bearing layers, in model order, each with its arrays in `layer.weights` order. */
  readonly layers: ReadonlyArray<{ readonly name: string; readonly values: readonly Float32Array[] }>;
  /** Number of weights loaded (all of the backbone's parameters). */
  readonly params: number;
}

/** What the page shows about loaded weights (no arrays). */
export interface BackboneWeightsInfo {
  backboneId: BackboneId;
  network: string;
  variant: string;
  weightsId: string;
  origin: string;
  format: SourceWeights['format'];
  matchedBy: WeightsMatch['mode'];
  pixelRange: Preprocessing['range'];
  convention: Preprocessing['convention'];
  params: number;
  bytes: number;
}

/**
 * Checks `source` against every variant of the backbone and keeps the first that fits.
 * @param preprocessing overrides what the file declares (default: the file's, else Keras' [-1, 1])
 * @throws WeightsMismatchError for the variant that got furthest, naming its first layer that did not fit
 */
export function prepareBackboneWeights(
  backboneId: BackboneId,
  source: SourceWeights,
  preprocessing?: Preprocessing,
): BackboneWeights {
  const spec = backboneSpec(backboneId);
  let best: { error: WeightsMismatchError; reached: number } | null = null;
  for (const variant of spec.variants) {
    const targets = targetLayersOf(spec, variant);
    const network = `${spec.network}${spec.describeVariant(variant) ? ` ${spec.describeVariant(variant)}` : ''}`;
    let match: WeightsMatch;
    try {
      match = matchWeights(targets, source, network);
    } catch (err) {
      if (!(err instanceof WeightsMismatchError)) throw err;
      const reached = targets.findIndex((t) => t.name === err.layer);
      if (!best || reached > best.reached) best = { error: err, reached };
      continue;
    }
    const fingerprint = new Fingerprint().update(`${backboneId}:${variant.alpha ?? ''}`);
    let params = 0;
    const layers = match.pairs.map(({ target, source: layer }) => ({
      name: target.name,
      values: target.weights.map((w) => {
        const values = layer.weights.find((x) => x.name === w.name)!.values;
        fingerprint.update(values);
        params += values.length;
        return values;
      }),
    }));
    return {
      backboneId,
      variant,
      weightsId: fingerprint.digest(),
      preprocessing: preprocessing ?? source.preprocessing ?? KERAS_PREPROCESSING,
      origin: source.origin,
      format: source.format,
      matchedBy: match.mode,
      layers,
      params,
    };
  }
  throw best!.error;
}

/**
 * Loads the weights into a freshly built backbone of the same variant (any input size), layer by layer, and
 * freezes it. Nothing is set unless every layer is found first.
 */
export function applyBackboneWeights(model: tf.LayersModel, weights: BackboneWeights): void {
  const layers = weights.layers.map((entry) => {
    const layer = model.getLayer(entry.name);
    if (layer.weights.length !== entry.values.length) {
      throw new Error(
        `layer ${entry.name} has ${layer.weights.length} weights, the loaded ones ${entry.values.length}`,
      );
    }
    return { layer, entry };
  });
  for (const { layer, entry } of layers) {
    const tensors = entry.values.map((values, i) => tf.tensor(values, layer.weights[i].shape as number[]));
    try {
      layer.setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
  }
  // Frozen: only the head trains, and the counts report the backbone as non-trainable.
  model.trainable = false;
}

/** Builds the backbone for `weights` at `size` (grey input when `channels` is 1) with the weights loaded. */
export function buildLoadedBackbone(weights: BackboneWeights, size: number, channels: 1 | 3 = 3): tf.LayersModel {
  const model = backboneSpec(weights.backboneId).build({ size, variant: weights.variant, channels });
  try {
    applyBackboneWeights(model, weights);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

export function describeBackboneWeights(weights: BackboneWeights): BackboneWeightsInfo {
  const spec = backboneSpec(weights.backboneId);
  return {
    backboneId: weights.backboneId,
    network: spec.network,
    variant: spec.describeVariant(weights.variant),
    weightsId: weights.weightsId,
    origin: weights.origin,
    format: weights.format,
    matchedBy: weights.matchedBy,
    pixelRange: weights.preprocessing.range,
    convention: weights.preprocessing.convention,
    params: weights.params,
    bytes: weights.params * 4,
  };
}
