/**
 * The sizes past which the lab refuses one input file, in one place so that `scan` (headers only), compare's
 * decoders and the page give the same answer for the same file, and name the limit when they refuse.
 */
import { formatBytes } from './memory';

/**
 * Largest image decoded, in megapixels. Kermany X-rays reach ~3,000 px a side (9 MP); 40 MP leaves room for that
 * with margin, yet refuses a decompression bomb (a small file declaring 65,535 × 65,535) before its RGBA buffer
 * (17 GB) takes the process or the tab down.
 */
export const MAX_DECODE_MEGAPIXELS = 40;
export const MAX_DECODE_PIXELS = MAX_DECODE_MEGAPIXELS * 1_000_000;

/**
 * Largest image file read, in bytes. A 40-MP PNG stored without compression is 160 MB (RGBA); anything bigger is
 * not an X-ray, and an entry of a zip that inflates past it (a zip bomb) is cut off there instead of filling memory.
 */
export const MAX_IMAGE_FILE_BYTES = 250_000_000;

/** `64`, `4,295`, `40.5`: megapixels as the messages print them. */
function megapixels(pixels: number): string {
  const mp = pixels / 1_000_000;
  return mp >= 100 ? Math.round(mp).toLocaleString('en-US') : String(Number(mp.toFixed(1)));
}

/** Why an image of width × height is not decoded (`8000×8000 = 64 megapixels is over …`), or null when it may be. */
export function decodeSizeProblem(width: number, height: number): string | null {
  if (width * height <= MAX_DECODE_PIXELS) return null;
  return `${width}×${height} = ${megapixels(width * height)} megapixels is over the ${MAX_DECODE_MEGAPIXELS}-megapixel decode limit`;
}

/** Why a file of `bytes` is not read (or, for a zip entry, inflated), or null when it may be. */
export function fileSizeProblem(bytes: number, verb = 'is'): string | null {
  if (bytes <= MAX_IMAGE_FILE_BYTES) return null;
  return `${verb} ${formatBytes(bytes)}, over the ${formatBytes(MAX_IMAGE_FILE_BYTES)} limit for one image file`;
}
