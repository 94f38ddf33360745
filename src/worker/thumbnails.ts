/**
 * Small RGBA pictures of stored images for the page: the first few of every class in the dataset summary, and each
 * classified X-ray. The page only draws them, so they travel as transferable RGBA buffers.
 */
import { imageBytes, type ImageSet } from '../lab/data/image-set';
import { toSquare } from '../lab/data/resize';
import type { Thumbnail } from './protocol';

const THUMBS_PER_CLASS = 4;
const THUMB_SIDE = 96;

/** The first few images of every class as small RGBA pictures. */
export function thumbnails(set: ImageSet): Thumbnail[] {
  const out: Thumbnail[] = [];
  const per = imageBytes(set.size, set.channels);
  set.classNames.forEach((_, label) => {
    let taken = 0;
    for (let i = 0; i < set.count && taken < THUMBS_PER_CLASS; i++) {
      if (set.labels[i] !== label) continue;
      out.push(thumbnailOf(set.pixels.subarray(i * per, (i + 1) * per), set.size, set.channels, label, set.files[i]));
      taken++;
    }
  });
  return out;
}

/** One stored square image (size × size × channels) as a thumbnail of at most THUMB_SIDE pixels. */
export function thumbnailOf(pixels: Uint8Array, size: number, channels: 1 | 3, label: number, file: string): Thumbnail {
  const side = Math.min(size, THUMB_SIDE);
  return { label, file, side, rgba: toRgba(toSquare({ width: size, height: size, channels, data: pixels }, side, 3)) };
}

/** RGB bytes → RGBA with full opacity, as ImageData wants. */
function toRgba(rgb: Uint8Array): Uint8ClampedArray {
  const out = new Uint8ClampedArray((rgb.length / 3) * 4);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    out[j] = rgb[i];
    out[j + 1] = rgb[i + 1];
    out[j + 2] = rgb[i + 2];
    out[j + 3] = 255;
  }
  return out;
}
