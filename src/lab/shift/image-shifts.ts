/**
 * Systematic changes of a whole ImageSet, as another scanner, exposure or processing would make them: the tool the
 * lab uses to build shifted evaluation sets from data it already has. Every image gets the same change (that is what
 * makes it a dataset shift rather than augmentation); labels and file names stay. Deterministic: no randomness.
 */
import type { ImageSet } from '../data/image-set';
import { gaussianBlurInPlace } from '../util/gaussian-blur';
import { createRng } from '../util/rng';

/** One systematic change. Pixel values are treated as v/255 ∈ [0, 1]; results are rounded and clamped to uint8. */
export type ImageShift =
  /** v' = v^gamma: > 1 darkens the mid-tones (a harder film), < 1 lightens them. */
  | { readonly kind: 'gamma'; readonly gamma: number }
  /** v' = 0.5 + factor·(v − 0.5): < 1 flattens (over-exposure, scatter), > 1 steepens. */
  | { readonly kind: 'contrast'; readonly factor: number }
  /** v' = v + offset (offset in [−1, 1]). */
  | { readonly kind: 'brightness'; readonly offset: number }
  /** Gaussian blur of standard deviation `sigma` pixels (of the set's own size), edges clamped. */
  | { readonly kind: 'blur'; readonly sigma: number }
  /** The central 1/factor of each side enlarged to the whole image (bilinear): a tighter collimation or crop. */
  | { readonly kind: 'zoom'; readonly factor: number }
  /** Gaussian noise of standard deviation `sigma` (fraction of full scale), the same draws for a set every time. */
  | { readonly kind: 'noise'; readonly sigma: number };

/** A short name for tables: "gamma 1.5", "contrast 0.6", "brightness +0.1", "blur σ1". */
export function describeShift(shift: ImageShift | readonly ImageShift[]): string {
  const list = Array.isArray(shift) ? shift : [shift as ImageShift];
  if (list.length === 0) return 'none';
  return list
    .map((s) => {
      switch (s.kind) {
        case 'gamma':
          return `gamma ${s.gamma}`;
        case 'contrast':
          return `contrast ${s.factor}`;
        case 'brightness':
          return `brightness ${s.offset >= 0 ? '+' : ''}${s.offset}`;
        case 'blur':
          return `blur σ${s.sigma}`;
        case 'zoom':
          return `zoom ×${s.factor}`;
        case 'noise':
          return `noise σ${s.sigma}`;
      }
    })
    .join(' + ');
}

function checkShift(s: ImageShift): void {
  const bad = (what: string, v: number) => new RangeError(`${s.kind} shift: ${what} (got ${v})`);
  if (s.kind === 'gamma' && !(s.gamma > 0 && Number.isFinite(s.gamma)))
    throw bad('gamma must be a positive number', s.gamma);
  if (s.kind === 'contrast' && !(s.factor >= 0 && Number.isFinite(s.factor)))
    throw bad('factor must be a number ≥ 0', s.factor);
  if (s.kind === 'brightness' && !(s.offset >= -1 && s.offset <= 1)) throw bad('offset must lie in [−1, 1]', s.offset);
  if (s.kind === 'blur' && !(s.sigma >= 0 && s.sigma <= 32)) throw bad('sigma must lie in [0, 32] pixels', s.sigma);
  if (s.kind === 'zoom' && !(s.factor >= 1 && s.factor <= 4)) throw bad('factor must lie in [1, 4]', s.factor);
  if (s.kind === 'noise' && !(s.sigma >= 0 && s.sigma <= 1)) throw bad('sigma must lie in [0, 1]', s.sigma);
}

/**
 * A new ImageSet with every image changed by `shift` (several shifts apply in order). The input is not touched.
 * @throws RangeError naming the shift and its bad parameter
 */
export function shiftImageSet(set: ImageSet, shift: ImageShift | readonly ImageShift[]): ImageSet {
  const list = Array.isArray(shift) ? shift : [shift as ImageShift];
  list.forEach(checkShift);
  let pixels: Uint8Array = set.pixels.slice(0, set.count * set.size * set.size * set.channels);
  for (const s of list) {
    if (s.kind === 'blur') pixels = blurImages(pixels, set.count, set.size, set.channels, s.sigma);
    else if (s.kind === 'zoom') pixels = zoomImages(pixels, set.count, set.size, set.channels, s.factor);
    else if (s.kind === 'noise') pixels = noisyImages(pixels, s.sigma);
    else {
      const table = lookupTable(s);
      for (let i = 0; i < pixels.length; i++) pixels[i] = table[pixels[i]];
    }
  }
  return { ...set, pixels, labels: set.labels.slice(0, set.count), files: set.files.slice(0, set.count) };
}

/** The uint8 → uint8 map of a per-pixel shift. */
function lookupTable(s: Extract<ImageShift, { kind: 'gamma' | 'contrast' | 'brightness' }>): Uint8Array {
  const table = new Uint8Array(256);
  for (let v = 0; v < 256; v++) {
    const x = v / 255;
    const y =
      s.kind === 'gamma' ? Math.pow(x, s.gamma) : s.kind === 'contrast' ? 0.5 + s.factor * (x - 0.5) : x + s.offset;
    table[v] = Math.round(Math.min(1, Math.max(0, y)) * 255);
  }
  return table;
}

/** Gaussian blur of every image (see gaussianBlurInPlace), rounded to bytes once at the end. */
function blurImages(pixels: Uint8Array, count: number, size: number, channels: number, sigma: number): Uint8Array {
  if (sigma === 0) return pixels;
  const per = size * size * channels;
  const out = new Uint8Array(pixels.length);
  const image = new Float64Array(per);
  for (let n = 0; n < count; n++) {
    for (let i = 0; i < per; i++) image[i] = pixels[n * per + i];
    gaussianBlurInPlace(image, size, channels, sigma);
    for (let i = 0; i < per; i++) out[n * per + i] = Math.round(Math.min(255, Math.max(0, image[i])));
  }
  return out;
}

/** Each image's central 1/factor enlarged to the whole side, bilinear with half-pixel centres. */
function zoomImages(pixels: Uint8Array, count: number, size: number, channels: number, factor: number): Uint8Array {
  const out = new Uint8Array(pixels.length);
  const per = size * size * channels;
  const centre = (size - 1) / 2;
  const last = size - 1;
  for (let n = 0; n < count; n++) {
    for (let y = 0; y < size; y++) {
      const sy = Math.min(last, Math.max(0, centre + (y - centre) / factor));
      const y0 = Math.floor(sy);
      const y1 = Math.min(y0 + 1, last);
      const ty = sy - y0;
      for (let x = 0; x < size; x++) {
        const sx = Math.min(last, Math.max(0, centre + (x - centre) / factor));
        const x0 = Math.floor(sx);
        const x1 = Math.min(x0 + 1, last);
        const tx = sx - x0;
        for (let c = 0; c < channels; c++) {
          const at = (yy: number, xx: number) => pixels[n * per + (yy * size + xx) * channels + c];
          const v =
            (at(y0, x0) * (1 - tx) + at(y0, x1) * tx) * (1 - ty) + (at(y1, x0) * (1 - tx) + at(y1, x1) * tx) * ty;
          out[n * per + (y * size + x) * channels + c] = Math.round(v);
        }
      }
    }
  }
  return out;
}

/** Adds seeded Gaussian noise (Box–Muller over a fixed-seed generator): the same set gets the same noise. */
function noisyImages(pixels: Uint8Array, sigma: number): Uint8Array {
  const rng = createRng(0x5eed);
  const out = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const normal = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    const v = Math.round(pixels[i] + normal * sigma * 255);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}
