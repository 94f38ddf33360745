import { imageBytes, type ImageSet } from './image-set';
import type { SplitName } from './layout';

/** The store arranged as train | val | test blocks, and the three splits as views of it. */
export interface ArrangedSets {
  /** Every image, train block first, then val, then test; same buffer as the input. */
  readonly all: ImageSet;
  readonly train: ImageSet;
  readonly val: ImageSet;
  readonly test: ImageSet;
  /** Split of each image of `all`, in its new order. */
  readonly assignment: SplitName[];
}

const ORDER: Record<SplitName, number> = { train: 0, val: 1, test: 2 };

/**
 * Reorders `set`'s pixels IN PLACE so each split is one contiguous block (keeping file order within a split), and
 * returns the splits as views of that one buffer. Copying each split out (selectImages) would double the peak memory
 * — 520 MB more for Kermany at 299 px. The input set's pixel order is changed: use the returned sets. Calling it
 * again on `all` with a new assignment re-splits without a copy (earlier views then show the new order).
 */
export function arrangeBySplit(set: ImageSet, assignment: readonly SplitName[]): ArrangedSets {
  if (assignment.length !== set.count)
    throw new RangeError(`assignment has ${assignment.length} entries for ${set.count} images`);
  const per = imageBytes(set.size, set.channels);
  // order[k] = old position of the image that ends up at position k (stable within each split).
  const order = Array.from({ length: set.count }, (_, i) => i).sort(
    (a, b) => ORDER[assignment[a]] - ORDER[assignment[b]] || a - b,
  );
  permuteInPlace(set.pixels, order, per);

  const labels = Int32Array.from(order, (i) => set.labels[i]);
  const files = order.map((i) => set.files[i]);
  const arranged = order.map((i) => assignment[i]);
  const all: ImageSet = { ...set, pixels: set.pixels.subarray(0, set.count * per), labels, files };
  const block = (name: SplitName): ImageSet => {
    const start = arranged.indexOf(name);
    const end = arranged.lastIndexOf(name) + 1;
    const [from, to] = start < 0 ? [0, 0] : [start, end];
    return {
      ...set,
      pixels: set.pixels.subarray(from * per, to * per),
      labels: labels.subarray(from, to),
      files: files.slice(from, to),
      count: to - from,
    };
  };
  return { all, train: block('train'), val: block('val'), test: block('test'), assignment: arranged };
}

/** Applies a gather permutation to fixed-size records in place, cycle by cycle, with one record of scratch space. */
function permuteInPlace(data: Uint8Array, order: readonly number[], per: number): void {
  const done = new Uint8Array(order.length);
  const scratch = new Uint8Array(per);
  for (let start = 0; start < order.length; start++) {
    if (done[start] || order[start] === start) {
      done[start] = 1;
      continue;
    }
    scratch.set(data.subarray(start * per, (start + 1) * per));
    let k = start;
    for (;;) {
      done[k] = 1;
      const from = order[k];
      if (from === start) {
        data.set(scratch, k * per);
        break;
      }
      data.copyWithin(k * per, from * per, (from + 1) * per);
      k = from;
    }
  }
}
