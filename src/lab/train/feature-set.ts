/**
 * A dataset already passed through a frozen backbone: one feature vector per image (InceptionV3: 2,048 floats, about
 * 8 KB), so a transfer head trains for all its epochs without running the backbone again. Plain data: it can be
 * cached in memory or IndexedDB and posted between threads.
 */
export interface FeatureSet {
  /** count × dim float32, row-major, in the image order of the set they came from. */
  readonly features: Float32Array;
  /** Length of one feature vector. */
  readonly dim: number;
  /**
   * Shape of one item when it is not a flat vector (a [h, w, c] activation map kept for fine-tuning the top blocks);
   * its product is `dim`. Absent for pooled vectors.
   */
  readonly shape?: readonly number[];
  /** Class index of each row. */
  readonly labels: Int32Array;
  readonly classNames: readonly string[];
  readonly count: number;
}

/** Checks the sizes agree, so a corrupted cache entry is refused instead of training on shifted rows. */
export function checkFeatureSet(set: FeatureSet): void {
  if (!Number.isInteger(set.dim) || set.dim < 1)
    throw new RangeError(`feature dim must be a whole number ≥ 1 (got ${set.dim})`);
  if (set.features.length !== set.count * set.dim) {
    throw new RangeError(`feature set holds ${set.features.length} floats, expected ${set.count} × ${set.dim}`);
  }
  if (set.labels.length < set.count)
    throw new RangeError(`feature set has ${set.labels.length} labels for ${set.count} rows`);
  if (set.shape && set.shape.reduce((a, b) => a * b, 1) !== set.dim) {
    throw new RangeError(`feature item shape [${set.shape.join(', ')}] does not hold ${set.dim} values`);
  }
}

/** Bytes a feature set takes (features + labels), for cache budgets. */
export function featureSetBytes(set: FeatureSet): number {
  return set.features.byteLength + set.labels.byteLength;
}
