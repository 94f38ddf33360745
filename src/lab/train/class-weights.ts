import { countPerClass, type ImageSet } from '../data/image-set';

/**
 * Per-class loss weights. 'balanced' gives n / (classes · n_c) — Keras/scikit-learn's formula — so a 1:3
 * NORMAL:PNEUMONIA set weighs each NORMAL image 3× a PNEUMONIA one. Classes absent from the set get weight 0.
 */
export function resolveClassWeights(
  set: Pick<ImageSet, 'labels' | 'classNames'>,
  spec: 'balanced' | readonly number[] | null,
): Float32Array | null {
  if (spec == null) return null;
  const classes = set.classNames.length;
  if (spec !== 'balanced') {
    if (spec.length !== classes) {
      throw new RangeError(`classWeights needs one weight per class (${classes}), got ${spec.length}`);
    }
    return Float32Array.from(spec);
  }
  const counts = countPerClass(set);
  const total = set.labels.length;
  return Float32Array.from(counts, (n) => (n === 0 ? 0 : total / (classes * n)));
}
