/**
 * Pretrained weights as read from a file, before they meet a network: plain arrays grouped by layer, in the order the
 * file lists its layers. Every reader (TF.js layers model, Keras .h5) produces this one shape, so matching and
 * loading do not care where the weights came from.
 */
import type { PixelRange } from '../data/batches';

/** What a layer computes, as far as its weights tell: the key of the by-order fallback. */
export type LayerKind = 'conv' | 'depthwise' | 'dense' | 'batchnorm' | 'other';

/** One weight array of a layer. */
export interface SourceWeight {
  /** Short Keras name without layer or `:0`: `kernel`, `bias`, `beta`, `moving_mean`, … */
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** One layer's weights. */
export interface SourceLayer {
  readonly name: string;
  readonly kind: LayerKind;
  readonly weights: readonly SourceWeight[];
}

/** How a network wants its pixels, recorded with the weights because it belongs to them, not to the network. */
export interface Preprocessing {
  readonly range: PixelRange;
  /** Where the convention comes from: Keras applications scale to [-1, 1]; TF-Hub feature vectors take [0, 1]. */
  readonly convention: 'keras' | 'tf-hub' | 'custom';
}

export const KERAS_PREPROCESSING: Preprocessing = { range: '-1,1', convention: 'keras' };
export const TF_HUB_PREPROCESSING: Preprocessing = { range: '0,1', convention: 'tf-hub' };

/** Everything a reader found in a weights file. */
export interface SourceWeights {
  readonly format: 'tfjs-layers' | 'keras-h5';
  /** For messages: a file name or URL. */
  readonly origin: string;
  /** Weight-bearing layers in the file's layer order (Keras' model.layers order, which tfjs shares). */
  readonly layers: readonly SourceLayer[];
  /** Preprocessing the file declares, if any (TF.js metadata); readers leave it undefined otherwise. */
  readonly preprocessing?: Preprocessing;
}

/** Thrown when a file cannot be read as weights at all (not HDF5, not a layers model, a shard missing). */
export class WeightsFormatError extends Error {
  constructor(
    readonly origin: string,
    detail: string,
  ) {
    super(`${origin}: ${detail}`);
    this.name = 'WeightsFormatError';
  }
}

/** Keras' short weight name: `conv2d_1/kernel:0` → `kernel`. */
export function shortWeightName(fullName: string): string {
  const last = fullName.split('/').pop() ?? fullName;
  return last.replace(/:\d+$/, '');
}

/** The layer part of a full weight name: `model/conv2d_1/kernel:0` → `conv2d_1` (the second-to-last component). */
export function layerOfWeight(fullName: string): string {
  const parts = fullName.split('/');
  return parts.length >= 2 ? parts[parts.length - 2] : '';
}

/** A layer's kind from its weight names and kernel rank; the file's class names are not needed (h5 has none). */
export function inferLayerKind(weights: ReadonlyArray<Pick<SourceWeight, 'name' | 'shape'>>): LayerKind {
  const names = new Set(weights.map((w) => w.name));
  if (names.has('depthwise_kernel')) return 'depthwise';
  if (names.has('moving_mean') && names.has('moving_variance')) return 'batchnorm';
  const kernel = weights.find((w) => w.name === 'kernel');
  if (kernel?.shape.length === 4) return 'conv';
  if (kernel?.shape.length === 2) return 'dense';
  return 'other';
}

/** Copies any numeric array into float32 (h5 may store float64; TF.js decodes to float32 already). */
export function toFloat32(values: ArrayLike<number>): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values);
}
