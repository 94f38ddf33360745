/**
 * Systematic changes of a whole ImageSet, as another scanner, exposure or processing would make them: the tool the
 * lab uses to build shifted evaluation sets from data it already has. Every image gets the same change (that is what
 * makes it a dataset shift rather than augmentation); labels and file names stay. Deterministic: no randomness.
 */
import type { ImageSet } from '../data/image-set';

/** One systematic change. Pixel values are treated as v/255 ∈ [0, 1]; results are rounded and clamped to uint8. */
export type ImageShift =
  /** v' = v^gamma: > 1 darkens the mid-tones (a harder film), < 1 lightens them. */
  | { readonly kind: 'gamma'; readonly gamma: number }
  /** v' = 0.5 + factor·(v − 0.5): < 1 flattens (over-exposure, scatter), > 1 steepens. */
  | { readonly kind: 'contrast'; readonly factor: number }
  /** v' = v + offset (offset in [−1, 1]). */
  | { readonly kind: 'brightness'; readonly offset: number }
  /** Gaussian blur of standard deviation `sigma` pixels (of the set's own size), edges clamped. */
  | { readonly kind: 'blur'; readonly sigma: number };

/** A short name for tables: "gamma 1.5", "contrast 0.6", "brightness +0.1", "blur σ1". */
export function describeShift(shift: ImageShift | readonly ImageShift[]): string {
  const list = Array.isArray(shift) ? shift : [shift as ImageShift];
  if (list.length === 0) return 'none';
  return list.map((s) => {
    switch (s.kind) {
      case 'gamma': return `gamma ${s.gamma}`;
      case 'contrast': return `contrast ${s.factor}`;
      case 'brightness': return `brightness ${s.offset >= 0 ? '+' : ''}${s.offset}`;
      case 'blur': return `blur σ${s.sigma}`;
    }
  }).join(' + ');
}

function checkShift(s: ImageShift): void {
  const bad = (what: string, v: number) => new RangeError(`${s.kind} shift: ${what} (got ${v})`);
  if (s.kind === 'gamma' && !(s.gamma > 0 && Number.isFinite(s.gamma))) throw bad('gamma must be a positive number', s.gamma);
  if (s.kind === 'contrast' && !(s.factor >= 0 && Number.isFinite(s.factor))) throw bad('factor must be a number ≥ 0', s.factor);
  if (s.kind === 'brightness' && !(s.offset >= -1 && s.offset <= 1)) throw bad('offset must lie in [−1, 1]', s.offset);
  if (s.kind === 'blur' && !(s.sigma >= 0 && s.sigma <= 32)) throw bad('sigma must lie in [0, 32] pixels', s.sigma);
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
    else {
      const table = lookupTable(s);
      for (let i = 0; i < pixels.length; i++) pixels[i] = table[pixels[i]];
    }
  }
  return { ...set, pixels, labels: set.labels.slice(0, set.count), files: set.files.slice(0, set.count) };
}

/** The uint8 → uint8 map of a per-pixel shift. */
function lookupTable(s: Exclude<ImageShift, { kind: 'blur' }>): Uint8Array {
  const table = new Uint8Array(256);
  for (let v = 0; v < 256; v++) {
    const x = v / 255;
    const y = s.kind === 'gamma' ? Math.pow(x, s.gamma) : s.kind === 'contrast' ? 0.5 + s.factor * (x - 0.5) : x + s.offset;
    table[v] = Math.round(Math.min(1, Math.max(0, y)) * 255);
  }
  return table;
}

/** Separable Gaussian blur of every image and channel, radius ⌈3σ⌉, edge pixels repeated. */
function blurImages(pixels: Uint8Array, count: number, size: number, channels: number, sigma: number): Uint8Array {
  if (sigma === 0) return pixels;
  const radius = Math.ceil(3 * sigma);
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) sum += kernel[k + radius] = Math.exp(-(k * k) / (2 * sigma * sigma));
  for (let k = 0; k < kernel.length; k++) kernel[k] /= sum;
  const out = new Uint8Array(pixels.length);
  const row = new Float64Array(size * size);
  const per = size * size * channels;
  const clamp = (i: number) => (i < 0 ? 0 : i >= size ? size - 1 : i);
  for (let n = 0; n < count; n++) {
    for (let c = 0; c < channels; c++) {
      const at = (y: number, x: number) => n * per + (y * size + x) * channels + c;
      // Horizontal pass into floats, then vertical pass back to bytes: one rounding only.
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          let acc = 0;
          for (let k = -radius; k <= radius; k++) acc += kernel[k + radius] * pixels[at(y, clamp(x + k))];
          row[y * size + x] = acc;
        }
      }
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          let acc = 0;
          for (let k = -radius; k <= radius; k++) acc += kernel[k + radius] * row[clamp(y + k) * size + x];
          out[at(y, x)] = Math.round(Math.min(255, Math.max(0, acc)));
        }
      }
    }
  }
  return out;
}
