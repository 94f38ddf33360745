import { gaussianBlurInPlace } from '../util/gaussian-blur';
import { createRng, type Rng } from '../util/rng';

/**
 * Seeded on-the-fly augmentation of training images, on the uint8 store's images (size × size × channels, HWC): a
 * random horizontal flip, a small rotation, shift and zoom (one affine map, bilinear, edges extended as Keras'
 * fill_mode 'nearest'), then brightness and contrast; optionally what another site's X-rays differ by — a blur (a
 * softer detector or reconstruction), a gamma (another exposure curve) and sensor noise. Off by default, as in the
 * study. Pure: the same image, options and seed always give the same bytes, so a seeded run is reproducible.
 */
export interface AugmentOptions {
  /** Mirror left–right with probability ½. */
  readonly flip: boolean;
  /** Largest rotation either way, in degrees. */
  readonly rotationDeg: number;
  /** Largest shift either way, as a fraction of the side. */
  readonly shift: number;
  /** Largest zoom change: 0.1 scales by 0.9 to 1.1. */
  readonly zoom: number;
  /** Largest brightness change, as a fraction of full scale (0.1 = ±25.5 grey levels). */
  readonly brightness: number;
  /** Largest contrast change: 0.1 multiplies the deviation from the image mean by 0.9 to 1.1. */
  readonly contrast: number;
  /** Largest |ln γ| of a gamma curve v' = v^γ on [0, 1] (0.4: γ from 0.67 to 1.49); 0 or absent = none. */
  readonly gamma?: number;
  /** Largest Gaussian blur σ in pixels, applied to half the images; 0 or absent = none. */
  readonly blur?: number;
  /** Largest standard deviation of added Gaussian noise, as a fraction of full scale; 0 or absent = none. */
  readonly noise?: number;
}

/** Augmentation off (the study's setting). */
export const NO_AUGMENTATION: AugmentOptions = {
  flip: false,
  rotationDeg: 0,
  shift: 0,
  zoom: 0,
  brightness: 0,
  contrast: 0,
};

/** Mild settings that keep an X-ray plausible: ±10°, ±10 % shift and zoom, ±10 % brightness and contrast, flips. */
export const STANDARD_AUGMENTATION: AugmentOptions = {
  flip: true,
  rotationDeg: 10,
  shift: 0.1,
  zoom: 0.1,
  brightness: 0.1,
  contrast: 0.1,
};

/**
 * The standard set plus the differences between sites: gamma 0.67–1.49, blur up to σ 1 px on half the images, noise
 * up to 2 % of full scale, and contrast ±20 % (X-ray exposure and processing vary more than photographs' colour).
 */
export const XRAY_AUGMENTATION: AugmentOptions = {
  ...STANDARD_AUGMENTATION,
  contrast: 0.2,
  gamma: 0.4,
  blur: 1,
  noise: 0.02,
};

/** One draw of the random transform. */
export interface AugmentParams {
  readonly flip: boolean;
  /** Radians. */
  readonly angle: number;
  /** Pixels. */
  readonly dx: number;
  readonly dy: number;
  readonly scale: number;
  /** Added grey levels. */
  readonly brightness: number;
  readonly contrast: number;
  /** Exponent of v' = v^γ (1 = none). */
  readonly gamma?: number;
  /** Gaussian blur σ in pixels (0 = none). */
  readonly blurSigma?: number;
  /** Noise standard deviation in grey levels (0 = none), drawn from `noiseSeed`. */
  readonly noiseSigma?: number;
  readonly noiseSeed?: number;
}

/** True when the options change nothing. */
export function isNoAugmentation(o: AugmentOptions): boolean {
  return (
    !o.flip &&
    o.rotationDeg === 0 &&
    o.shift === 0 &&
    o.zoom === 0 &&
    o.brightness === 0 &&
    o.contrast === 0 &&
    !o.gamma &&
    !o.blur &&
    !o.noise
  );
}

/** Draws the transform's parameters from `rng` (always the same number of draws, so streams stay aligned). */
export function sampleAugmentation(o: AugmentOptions, size: number, rng: Rng): AugmentParams {
  const sym = (max: number): number => (rng.next() * 2 - 1) * max;
  const flip = rng.next() < 0.5 && o.flip;
  const geometry = {
    flip,
    angle: (sym(o.rotationDeg) * Math.PI) / 180,
    dx: sym(o.shift) * size,
    dy: sym(o.shift) * size,
    scale: 1 + sym(o.zoom),
    brightness: sym(o.brightness) * 255,
    contrast: 1 + sym(o.contrast),
  };
  if (!o.gamma && !o.blur && !o.noise) return geometry;
  // The site differences draw after the standard ones, so the standard draws stay what they were.
  const gamma = Math.exp(sym(o.gamma ?? 0));
  const blurred = rng.next() < 0.5;
  const blurSigma = blurred ? rng.next() * (o.blur ?? 0) : (rng.next(), 0);
  const noiseSigma = rng.next() * (o.noise ?? 0) * 255;
  return { ...geometry, gamma, blurSigma, noiseSigma, noiseSeed: rng.int(0x7fffffff) };
}

/** A 31-bit seed for image `index` of a batch drawn with `batchSeed`, so every image gets its own transform. */
export function augmentSeed(batchSeed: number, index: number): number {
  let h = Math.imul((batchSeed | 0) ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b);
  h ^= h >>> 15;
  return (Math.imul(h, 0xc2b2ae35) ^ (h >>> 13)) >>> 1;
}

/** A new augmented copy of `image` (size × size × channels uint8), drawn with `seed`. The input is not changed. */
export function augmentImage(
  image: Uint8Array,
  size: number,
  channels: number,
  options: AugmentOptions,
  seed: number,
): Uint8Array {
  if (image.length !== size * size * channels)
    throw new RangeError(`image has ${image.length} bytes, expected ${size * size * channels}`);
  if (isNoAugmentation(options)) return image.slice();
  const params = sampleAugmentation(options, size, createRng(seed));
  // An X-ray decoded to RGB has three equal channels: every step treats channels alike, so augment one and copy it
  // (a third of the work). The sensor noise is then one draw per pixel, as a grey detector's is.
  if (channels > 1 && isGrey(image, channels))
    return spreadChannels(applyAugmentation(firstChannel(image, channels), size, 1, params), channels);
  return applyAugmentation(image, size, channels, params);
}

/** True when every pixel's channels are equal. */
function isGrey(image: Uint8Array, channels: number): boolean {
  for (let i = 0; i < image.length; i += channels)
    for (let k = 1; k < channels; k++) if (image[i + k] !== image[i]) return false;
  return true;
}

function firstChannel(image: Uint8Array, channels: number): Uint8Array {
  const out = new Uint8Array(image.length / channels);
  for (let i = 0; i < out.length; i++) out[i] = image[i * channels];
  return out;
}

function spreadChannels(grey: Uint8Array, channels: number): Uint8Array {
  const out = new Uint8Array(grey.length * channels);
  for (let i = 0, j = 0; i < grey.length; i++) for (let k = 0; k < channels; k++) out[j++] = grey[i];
  return out;
}

/**
 * Applies drawn parameters: geometry first (inverse mapping, bilinear), then blur, gamma, contrast about the mean and
 * brightness, then noise.
 */
export function applyAugmentation(image: Uint8Array, size: number, channels: number, p: AugmentParams): Uint8Array {
  const out = new Float32Array(size * size * channels);
  const c = (size - 1) / 2;
  const cos = Math.cos(p.angle) / p.scale;
  const sin = Math.sin(p.angle) / p.scale;
  const last = size - 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Output pixel → source point: undo the shift, then the rotation and zoom (about the centre), then the flip.
      const u = x - c - p.dx;
      const v = y - c - p.dy;
      let sx = cos * u + sin * v;
      const sy = -sin * u + cos * v + c;
      sx = (p.flip ? -sx : sx) + c;
      const cx = sx < 0 ? 0 : sx > last ? last : sx;
      const cy = sy < 0 ? 0 : sy > last ? last : sy;
      const x0 = Math.floor(cx);
      const y0 = Math.floor(cy);
      const x1 = Math.min(x0 + 1, last);
      const y1 = Math.min(y0 + 1, last);
      const tx = cx - x0;
      const ty = cy - y0;
      for (let k = 0; k < channels; k++) {
        const a = image[(y0 * size + x0) * channels + k] * (1 - tx) + image[(y0 * size + x1) * channels + k] * tx;
        const b = image[(y1 * size + x0) * channels + k] * (1 - tx) + image[(y1 * size + x1) * channels + k] * tx;
        out[(y * size + x) * channels + k] = a * (1 - ty) + b * ty;
      }
    }
  }
  if (p.blurSigma) gaussianBlurInPlace(out, size, channels, p.blurSigma);
  if (p.gamma != null && p.gamma !== 1) applyGamma(out, p.gamma);
  let mean = 0;
  for (let i = 0; i < out.length; i++) mean += out[i];
  mean /= out.length;
  const noise = p.noiseSigma ? gaussianSampler(createRng(p.noiseSeed ?? 0)) : null;
  const result = new Uint8Array(out.length);
  for (let i = 0; i < out.length; i++) {
    let v = (out[i] - mean) * p.contrast + mean + p.brightness;
    if (noise) v += noise() * p.noiseSigma!;
    v = Math.round(v);
    result[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return result;
}

/**
 * v' = 255 (v / 255)^γ in place, through a table at whole grey levels, linearly interpolated: 257 powers per image
 * instead of one per value. Exact at whole levels; between them off by under a hundredth of a level above level 10,
 * under 0.2 above level 1 (γ 0.67–1.49), which rounding to bytes mostly hides.
 */
export function applyGamma(values: Float32Array, gamma: number): void {
  const table = new Float32Array(257);
  for (let v = 0; v <= 256; v++) table[v] = 255 * Math.pow(Math.min(v, 255) / 255, gamma);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] <= 0 ? 0 : values[i] >= 255 ? 255 : values[i];
    const lo = Math.floor(v);
    values[i] = table[lo] + (table[lo + 1] - table[lo]) * (v - lo);
  }
}

/** Standard normal draws from `rng`: one uniform draw picks one of 4,096 equally likely values (no log or sine). */
function gaussianSampler(rng: Rng): () => number {
  const table = normalQuantiles();
  return () => table[Math.floor(rng.next() * table.length)];
}

let quantiles: Float32Array | null = null;

/**
 * The standard normal's quantiles at (i + ½) / 4,096: a discrete stand-in for the normal (sd 0.9998, extremes
 * ±3.67). Made once, by integrating the density on a fine grid and reading off where the integral crosses each level.
 */
export function normalQuantiles(): Readonly<Float32Array> {
  if (quantiles) return quantiles;
  const n = 4096;
  const table = new Float32Array(n);
  const density = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
  const step = 1e-3;
  let x = -8;
  let cdf = 0;
  for (let i = 0; i < n && x < 8; x += step) {
    const next = cdf + ((density(x) + density(x + step)) / 2) * step;
    for (; i < n && next >= (i + 0.5) / n; i++) table[i] = x + (step * ((i + 0.5) / n - cdf)) / (next - cdf);
    cdf = next;
  }
  return (quantiles = table);
}
