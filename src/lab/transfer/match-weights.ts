/**
 * Pairs the weight-bearing layers of our network with those of a weights file — by name when the file uses our
 * (Keras 2.0–2.2 / keras_applications) names, else in order within each layer kind (Keras ≥ 2.4 numbers its
 * automatic names from `conv2d` instead of `conv2d_1`, and a model saved from tfjs may name layers anything).
 * Every shape is checked before anything is loaded, so a wrong file is refused whole, naming the first layer that
 * did not fit.
 */
import type * as tf from '@tensorflow/tfjs';
import { inferLayerKind, type LayerKind, type SourceLayer, type SourceWeights } from './source-weights';

/** One weight-bearing layer of our network, with its weights in `layer.weights` order. */
export interface TargetLayer {
  readonly name: string;
  readonly kind: LayerKind;
  readonly weights: ReadonlyArray<{ readonly name: string; readonly shape: readonly number[] }>;
}

/** How the file's layers were paired with ours. */
export interface WeightsMatch {
  readonly mode: 'name' | 'order';
  /** One source layer per target layer, in target order. */
  readonly pairs: ReadonlyArray<{ readonly target: TargetLayer; readonly source: SourceLayer }>;
  /** Weight-bearing layers of the file left unused (a classifier top, another head). */
  readonly unused: readonly string[];
}

/** The file does not fit the network; `layer` is our first layer that found no fitting counterpart. */
export class WeightsMismatchError extends Error {
  constructor(
    readonly origin: string,
    readonly network: string,
    readonly layer: string,
    detail: string,
  ) {
    super(`${origin} does not fit ${network}: layer ${layer}: ${detail}`);
    this.name = 'WeightsMismatchError';
  }
}

/** Describes a built model's weight-bearing layers (shapes do not depend on the input size). */
export function describeTargetLayers(model: tf.LayersModel): TargetLayer[] {
  return model.layers
    .filter((layer) => layer.weights.length > 0)
    .map((layer) => {
      const weights = layer.weights.map((w) => ({
        name: w.originalName.split('/').pop()!,
        shape: w.shape as number[],
      }));
      return { name: layer.name, kind: inferLayerKind(weights), weights };
    });
}

/**
 * Pairs `targets` with the file's layers.
 * @throws WeightsMismatchError naming the first target layer without a fitting counterpart
 */
export function matchWeights(targets: readonly TargetLayer[], source: SourceWeights, network: string): WeightsMatch {
  const byName = new Map(source.layers.map((l) => [l.name, l]));
  const found = targets.filter((t) => byName.has(t.name)).length;
  const renumbered = usesRenumberedNames(targets, byName);
  const fail = (layer: string, detail: string) => new WeightsMismatchError(source.origin, network, layer, detail);
  if (source.layers.length === 0) throw fail(targets[0]?.name ?? '?', 'the file holds no layer weights');

  // By name when (nearly) every name is there; a few missing names then mean missing layers, not other names.
  if (!renumbered && found > targets.length / 2) {
    const pairs = targets.map((target) => {
      const layer = byName.get(target.name);
      if (!layer) throw fail(target.name, `missing from the file (${found} of ${targets.length} layers found by name)`);
      const problem = compareLayer(target, layer);
      if (problem) throw fail(target.name, problem);
      return { target, source: layer };
    });
    const used = new Set(pairs.map((p) => p.source.name));
    return { mode: 'name', pairs, unused: source.layers.filter((l) => !used.has(l.name)).map((l) => l.name) };
  }

  // In order within each kind: the n-th convolution of the file goes to our n-th convolution, and so on.
  const queues = new Map<LayerKind, SourceLayer[]>();
  for (const layer of source.layers) queues.set(layer.kind, [...(queues.get(layer.kind) ?? []), layer]);
  const taken = new Map<LayerKind, number>();
  const why = renumbered
    ? 'its names are numbered from 0 (Keras ≥ 2.4), so layers were paired in order'
    : `only ${found} of ${targets.length} layer names matched, so layers were paired in order`;
  const pairs = targets.map((target) => {
    const index = taken.get(target.kind) ?? 0;
    taken.set(target.kind, index + 1);
    const layer = queues.get(target.kind)?.[index];
    if (!layer) {
      const have = queues.get(target.kind)?.length ?? 0;
      throw fail(target.name, `the file has ${have} ${target.kind} layer(s), fewer than the network (${why})`);
    }
    const problem = compareLayer(target, layer);
    if (problem) throw fail(target.name, `paired with the file's ${layer.name}: ${problem} (${why})`);
    return { target, source: layer };
  });
  const used = new Set(pairs.map((p) => p.source));
  return { mode: 'order', pairs, unused: source.layers.filter((l) => !used.has(l)).map((l) => l.name) };
}

/** Null when `source` has exactly the weights `target` needs, with the same shapes; otherwise what differs. */
function compareLayer(target: TargetLayer, source: SourceLayer): string | null {
  for (const w of target.weights) {
    const s = source.weights.find((x) => x.name === w.name);
    if (!s) return `no ${w.name} in the file (it has ${source.weights.map((x) => x.name).join(', ') || 'nothing'})`;
    if (!sameShape(w.shape, s.shape))
      return `${w.name} is [${w.shape.join(', ')}] in the network but [${s.shape.join(', ')}] in the file`;
    if (s.values.length !== w.shape.reduce((a, b) => a * b, 1))
      return `${w.name} holds ${s.values.length} values for shape [${w.shape.join(', ')}]`;
  }
  const extra = source.weights.filter((x) => !target.weights.some((w) => w.name === x.name));
  // A BatchNorm gamma the network lacks means another network (Keras' InceptionV3 has scale=False).
  if (extra.length > 0) return `the file has ${extra.map((x) => x.name).join(', ')}, which the network's layer lacks`;
  return null;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Keras ≥ 2.4 names its first automatic layer `conv2d` and the next `conv2d_1`, one below Keras 2.2's numbering: so
 * `conv2d_1` exists in both but means different layers. Seeing a bare base name that we only use with a number
 * tells the two apart.
 */
function usesRenumberedNames(targets: readonly TargetLayer[], byName: Map<string, SourceLayer>): boolean {
  const names = new Set(targets.map((t) => t.name));
  return targets.some((t) => {
    const base = /^(.*)_\d+$/.exec(t.name)?.[1];
    return base != null && !names.has(base) && byName.has(base);
  });
}
