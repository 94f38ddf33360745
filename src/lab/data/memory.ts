import { DataError } from './errors';

/**
 * The memory check made before any image is decoded: the uint8 store takes count × size² × channels bytes, and a
 * tab or process that runs out of memory half-way loses everything. Refusing up front, with the estimate and a size
 * that fits, is the kinder failure.
 */

/** Square sizes offered as smaller alternatives, largest first (the study's and common CNN input sizes). */
const SIZES = [512, 448, 384, 331, 299, 256, 224, 192, 160, 128, 96, 64, 48, 32, 16];

/** A single ArrayBuffer cannot exceed this in V8 (Node 20, Chromium): the store is one buffer. */
export const MAX_STORE_BYTES = 2 ** 32 - 1;

/** Bytes the uint8 store of `count` images takes. */
export function storeBytes(count: number, size: number, channels: number): number {
  return count * size * size * channels;
}

/** `1.5 GB`, `523 MB`, `12 kB` (decimal units, as file managers show them). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** The largest offered size below `size` at which `count` images of `channels` fit in `limitBytes`, or null. */
export function suggestSize(count: number, size: number, channels: number, limitBytes: number): number | null {
  const fit = SIZES.find((s) => s < size && storeBytes(count, s, channels) <= limitBytes);
  return fit ?? null;
}

/**
 * Throws a DataError naming `where` when `count` images at size×size×channels would not fit in `limitBytes`; the
 * message gives the estimate, the limit, and a smaller size (or grey instead of RGB) that fits.
 */
export function checkMemory(where: string, count: number, size: number, channels: number, limitBytes: number): void {
  const limit = Math.min(limitBytes, MAX_STORE_BYTES);
  const need = storeBytes(count, size, channels);
  if (need <= limit) return;
  const advice: string[] = [];
  const smaller = suggestSize(count, size, channels, limit);
  if (smaller !== null)
    advice.push(`size ${smaller} would need ≈ ${formatBytes(storeBytes(count, smaller, channels))}`);
  if (channels === 3 && storeBytes(count, size, 1) <= limit)
    advice.push(`1 channel (grey) at size ${size} would need ≈ ${formatBytes(storeBytes(count, size, 1))}`);
  if (advice.length === 0) advice.push('use a limit on the number of images');
  throw new DataError(
    where,
    `too large for memory: ${count} images at ${size}×${size}×${channels} need ≈ ${formatBytes(need)} ` +
      `(limit ≈ ${formatBytes(limit)}); ${advice.join('; ')}`,
  );
}
