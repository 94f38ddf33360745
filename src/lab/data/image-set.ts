/**
 * The lab's in-memory dataset: decoded, resized images kept as uint8 (one byte per channel), so that 5,856 X-rays at
 * 299×299 grey take ≈520 MB instead of 6 GB of float32. Tensors are made from it one batch at a time.
 */
export interface ImageSet {
  /** Side of every (square) image, in pixels. */
  readonly size: number;
  /** 1 = grey, 3 = RGB (grey repeated, as the study fed its networks). */
  readonly channels: 1 | 3;
  /** Class names in label order; label i means classNames[i]. */
  readonly classNames: readonly string[];
  /** count × size × size × channels bytes, row-major (HWC), image after image. */
  readonly pixels: Uint8Array;
  /** Class index of each image. */
  readonly labels: Int32Array;
  /** Where each image came from (a path or a zip entry), for reports and error messages. */
  readonly files: readonly string[];
  readonly count: number;
}

/** Bytes one image takes in an ImageSet. */
export function imageBytes(size: number, channels: number): number {
  return size * size * channels;
}

/** A new ImageSet holding the images at `indices` of `set`, in that order. */
export function selectImages(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const per = imageBytes(set.size, set.channels);
  const pixels = new Uint8Array(indices.length * per);
  const labels = new Int32Array(indices.length);
  const files: string[] = [];
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i];
    pixels.set(set.pixels.subarray(src * per, (src + 1) * per), i * per);
    labels[i] = set.labels[src];
    files.push(set.files[src]);
  }
  return {
    size: set.size,
    channels: set.channels,
    classNames: set.classNames,
    pixels,
    labels,
    files,
    count: indices.length,
  };
}

/** Number of images per class, in label order. */
export function countPerClass(set: Pick<ImageSet, 'labels' | 'classNames'>): number[] {
  const counts = new Array<number>(set.classNames.length).fill(0);
  for (const label of set.labels) counts[label]++;
  return counts;
}
