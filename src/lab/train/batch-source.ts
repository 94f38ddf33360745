import * as tf from '@tensorflow/tfjs';
import type { AugmentOptions } from '../data/augment';
import { makeBatch, type PixelRange } from '../data/batches';
import type { ImageSet } from '../data/image-set';
import { checkFeatureSet, type FeatureSet } from './feature-set';

/** One batch of model inputs with their labels; the caller disposes both tensors. */
export interface SourceBatch {
  readonly inputs: tf.Tensor;
  readonly labels: tf.Tensor1D;
}

/**
 * What the training loop, validation and evaluation iterate over: images scaled for a network, or cached feature
 * vectors for a transfer head. Only one batch of tensors exists at a time.
 */
export interface BatchSource {
  readonly count: number;
  readonly labels: Int32Array;
  readonly classNames: readonly string[];
  /** Inputs and labels of the items at `indices` (positions in the source). */
  batch(indices: ArrayLike<number>): SourceBatch;
  /** Sources that draw random numbers (augmentation): how far they are, and a way back there (checkpoints). */
  position?(): number;
  seek?(position: number): void;
}

/**
 * Images from the uint8 store, scaled to `range` one batch at a time. With `augment`, every batch draws fresh
 * seeded transforms (the n-th batch call uses seed + n), so an epoch never sees the same variant twice and a seeded
 * run still reproduces itself.
 */
export function imageSource(
  set: ImageSet,
  range: PixelRange,
  augment?: { options: AugmentOptions; seed: number },
): BatchSource {
  let calls = 0;
  return {
    count: set.count,
    labels: set.labels,
    classNames: set.classNames,
    batch: (indices) => {
      const b = makeBatch(
        set,
        indices,
        range,
        augment ? { options: augment.options, seed: (augment.seed + 7919 * calls++) | 0 } : undefined,
      );
      return { inputs: b.images, labels: b.labels };
    },
    position: () => calls,
    seek: (position) => {
      calls = position;
    },
  };
}

/** Cached feature vectors: a batch is a [n, dim] slice (or [n, ...shape] for activation maps) copied into one tensor. */
export function featureSource(set: FeatureSet): BatchSource {
  checkFeatureSet(set);
  return {
    count: set.count,
    labels: set.labels,
    classNames: set.classNames,
    batch: (indices) => {
      const n = indices.length;
      const rows = new Float32Array(n * set.dim);
      const labels = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const src = indices[i];
        rows.set(set.features.subarray(src * set.dim, (src + 1) * set.dim), i * set.dim);
        labels[i] = set.labels[src];
      }
      return { inputs: tf.tensor(rows, [n, ...(set.shape ?? [set.dim])]), labels: tf.tensor1d(labels, 'int32') };
    },
  };
}

export function disposeSourceBatch(batch: SourceBatch): void {
  batch.inputs.dispose();
  batch.labels.dispose();
}
