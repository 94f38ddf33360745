import type { ImageSet } from '../data/image-set';
import { Fingerprint } from '../util/fingerprint';

const setFingerprints = new WeakMap<ImageSet, string>();

/**
 * Fingerprint of an image set's content: pixels, labels, size, channels and class names. Memoised per set object, so
 * a queue of transfer models hashes each split once.
 */
export function fingerprintImageSet(set: ImageSet): string {
  const known = setFingerprints.get(set);
  if (known) return known;
  const per = set.size * set.size * set.channels;
  const digest = new Fingerprint()
    .update(`${set.size}x${set.channels}x${set.count}:${set.classNames.join('\u0000')}`)
    .update(set.labels.subarray(0, set.count))
    .update(set.pixels.subarray(0, set.count * per))
    .digest();
  setFingerprints.set(set, digest);
  return digest;
}
