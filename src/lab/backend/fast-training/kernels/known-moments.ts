/**
 * Batch statistics computed along with a tensor: the direct ReLU convolution (conv-direct.ts) sums each output
 * channel and its square as it writes them, and BATCH_MOMENTS (batch-moments.ts), asked for the moments of that very
 * tensor by the BatchNormalization after it, then skips its two passes over it. Keyed by the tensor's data, so an
 * entry lives exactly as long as the data does.
 */

/** Per-channel mean and (population) variance. */
export interface Moments {
  mean: Float32Array;
  variance: Float32Array;
}

const known = new WeakMap<object, Moments>();
let used = 0;

/** Records the moments of the data `dataId` (over every axis but the last). */
export function rememberMoments(dataId: object, moments: Moments): void {
  known.set(dataId, moments);
}

/** The recorded moments of `dataId` when they have `channels` channels, else null. */
export function recalledMoments(dataId: object, channels: number): Moments | null {
  const moments = known.get(dataId);
  if (moments == null || moments.mean.length !== channels) return null;
  used += 1;
  return moments;
}

/** How often recorded moments were used in this process (for tests). */
export function recalledMomentsCount(): number {
  return used;
}
