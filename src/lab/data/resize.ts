/**
 * Resizing decoded images to the lab's square inputs, in plain JS so it runs the same in Node, a browser and a
 * worker (no canvas, whose smoothing differs between browsers).
 *
 * Sampling: bilinear with half-pixel centres — output pixel x samples the source at (x + 0.5)·scale − 0.5, clamped at
 * the edges — the same as tf.image.resizeBilinear(…, alignCorners = false, halfPixelCenters = true), OpenCV's
 * INTER_LINEAR and PyTorch's align_corners = False. Bilinear alone reads only 2×2 source pixels per output pixel, so a
 * 2,000-px X-ray shrunk to 64 px would alias badly; when an axis shrinks by 2× or more the source is first averaged
 * in k×k boxes (k = the whole part of the factor), then bilinear covers the remaining factor (< 2).
 */

/** An 8-bit raster, row-major, channels interleaved (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA). */
export interface Raster {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Uint8Array;
}

/**
 * - `stretch`: the whole image to the square, aspect ratio not kept (the study's choice).
 * - `letterbox`: the whole image, aspect kept, centred, padded with black (0).
 * - `center-crop`: the centred square of side min(width, height), aspect kept, edges lost.
 */
export type ResizeMode = 'stretch' | 'letterbox' | 'center-crop';

/** Luminance weights (ITU-R BT.601), as PIL's convert('L') and tf.image.rgbToGrayscale use. */
const LUMA = [0.299, 0.587, 0.114] as const;

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * Resizes `src` to a `size`×`size`×`outChannels` uint8 image (HWC). Grey output uses luminance; RGB output from a grey
 * source repeats the grey value; alpha is ignored.
 */
export function toSquare(src: Raster, size: number, outChannels: 1 | 3, mode: ResizeMode = 'stretch'): Uint8Array {
  const { width, height, channels, data } = src;
  if (!(width >= 1 && height >= 1 && Number.isInteger(width) && Number.isInteger(height))) {
    throw new RangeError(`image size must be whole pixels ≥ 1 (got ${width}×${height})`);
  }
  if (!(channels >= 1 && channels <= 4) || data.length < width * height * channels) {
    throw new RangeError(
      `raster of ${width}×${height}×${channels} needs ${width * height * channels} bytes, has ${data.length}`,
    );
  }
  if (!(Number.isInteger(size) && size >= 1))
    throw new RangeError(`output size must be a whole number ≥ 1 (got ${size})`);

  const [crop, dest] = geometry(width, height, size, mode);
  // Work in one channel whenever the colour is not needed: a third of the arithmetic for grey X-rays.
  const work = outChannels === 1 || channels <= 2 ? 1 : 3;
  const kx = crop.w >= 2 * dest.w ? Math.floor(crop.w / dest.w) : 1;
  const ky = crop.h >= 2 * dest.h ? Math.floor(crop.h / dest.h) : 1;
  const small = boxShrink(src, crop, kx, ky, work);
  const xs = bilinearTable(crop.w, kx, dest.w);
  const ys = bilinearTable(crop.h, ky, dest.h);

  const out = new Uint8Array(size * size * outChannels);
  const sw = Math.ceil(crop.w / kx);
  for (let y = 0; y < dest.h; y++) {
    const r0 = ys.lo[y] * sw;
    const r1 = ys.hi[y] * sw;
    const ty = ys.t[y];
    for (let x = 0; x < dest.w; x++) {
      const c0 = xs.lo[x];
      const c1 = xs.hi[x];
      const tx = xs.t[x];
      const o = ((dest.y + y) * size + dest.x + x) * outChannels;
      for (let c = 0; c < outChannels; c++) {
        const wc = work === 1 ? 0 : c;
        const top = small[(r0 + c0) * work + wc] * (1 - tx) + small[(r0 + c1) * work + wc] * tx;
        const bottom = small[(r1 + c0) * work + wc] * (1 - tx) + small[(r1 + c1) * work + wc] * tx;
        const v = Math.round(top * (1 - ty) + bottom * ty);
        out[o + c] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return out;
}

/** Source rectangle to read and destination rectangle to fill, for a mode. */
function geometry(width: number, height: number, size: number, mode: ResizeMode): [Rect, Rect] {
  const full: Rect = { x: 0, y: 0, w: width, h: height };
  if (mode === 'center-crop') {
    const side = Math.min(width, height);
    const crop = { x: Math.floor((width - side) / 2), y: Math.floor((height - side) / 2), w: side, h: side };
    return [crop, { x: 0, y: 0, w: size, h: size }];
  }
  if (mode === 'letterbox') {
    const scale = size / Math.max(width, height);
    const w = Math.max(1, Math.min(size, Math.round(width * scale)));
    const h = Math.max(1, Math.min(size, Math.round(height * scale)));
    return [full, { x: Math.floor((size - w) / 2), y: Math.floor((size - h) / 2), w, h }];
  }
  return [full, { x: 0, y: 0, w: size, h: size }];
}

/**
 * Averages the crop in kx×ky boxes (the last box of a row or column may be narrower) into `work` float channels,
 * converting to grey on the way when work = 1.
 */
function boxShrink(src: Raster, crop: Rect, kx: number, ky: number, work: number): Float32Array {
  const { width, channels, data } = src;
  const sw = Math.ceil(crop.w / kx);
  const sh = Math.ceil(crop.h / ky);
  const acc = new Float32Array(sw * sh * work);
  const grey = work === 1 && channels >= 3;
  for (let y = 0; y < crop.h; y++) {
    const row = Math.floor(y / ky) * sw;
    let p = ((crop.y + y) * width + crop.x) * channels;
    for (let x = 0; x < crop.w; x++, p += channels) {
      const a = (row + Math.floor(x / kx)) * work;
      if (grey) acc[a] += LUMA[0] * data[p] + LUMA[1] * data[p + 1] + LUMA[2] * data[p + 2];
      else if (work === 1) acc[a] += data[p];
      else {
        acc[a] += data[p];
        acc[a + 1] += data[p + 1];
        acc[a + 2] += data[p + 2];
      }
    }
  }
  if (kx === 1 && ky === 1) return acc;
  for (let j = 0; j < sh; j++) {
    const rows = Math.min(ky, crop.h - j * ky);
    for (let i = 0; i < sw; i++) {
      const n = rows * Math.min(kx, crop.w - i * kx);
      for (let c = 0; c < work; c++) acc[(j * sw + i) * work + c] /= n;
    }
  }
  return acc;
}

/**
 * For each output position along one axis: the two shrunk-image cells to blend and the weight of the second.
 * Cell i covers source [i·k, min((i+1)·k, n)); its centre is where its average is taken to sit. With k = 1 this is
 * exactly half-pixel-centre bilinear.
 */
function bilinearTable(n: number, k: number, out: number): { lo: Int32Array; hi: Int32Array; t: Float64Array } {
  const cells = Math.ceil(n / k);
  const centre = (i: number): number => (i * k + Math.min((i + 1) * k, n)) / 2;
  const lo = new Int32Array(out);
  const hi = new Int32Array(out);
  const t = new Float64Array(out);
  let i = 0;
  for (let x = 0; x < out; x++) {
    const u = ((x + 0.5) * n) / out;
    if (u <= centre(0)) continue; // lo = hi = 0, t = 0: clamped at the first edge.
    if (u >= centre(cells - 1)) {
      lo[x] = hi[x] = cells - 1;
      continue;
    }
    while (centre(i + 1) <= u) i++;
    lo[x] = i;
    hi[x] = i + 1;
    t[x] = (u - centre(i)) / (centre(i + 1) - centre(i));
  }
  return { lo, hi, t };
}
