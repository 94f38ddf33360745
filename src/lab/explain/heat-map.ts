/**
 * A Grad-CAM map at the image's resolution, and the numbers read from it: its peak, and how much of its heat falls
 * inside a mask (the pointing game). Plain arrays, so the same values go to the page, a worker reply and the CLI.
 */
import { stretchGeometry, type AxisMap, type MapGeometry } from './map-geometry';

/** One class's Grad-CAM map for one image, upsampled to the image. */
export interface HeatMap {
  /** The class whose evidence the map shows. */
  readonly classIndex: number;
  /** Side of the (square) image the map covers. */
  readonly size: number;
  /** size × size, row-major, in [0, 1]: the coarse map divided by its maximum (all 0 when it has no positive value). */
  readonly values: Float32Array;
  /** The brightest pixel (the first one on a tie), or null for an all-zero map. */
  readonly peak: { readonly x: number; readonly y: number } | null;
  /** The map at the explained layer's resolution, before normalising; its maximum is the scale `values` lost. */
  readonly coarse: { readonly height: number; readonly width: number; readonly max: number };
}

/**
 * Bilinear resize of a height × width map to size × size. Image pixel i reads the map at cell (i − offset) / scale of
 * `geometry` (where each cell's receptive field is centred, map-geometry.ts). Within half a cell beyond the outer
 * cells the edge value holds, as in a plain stretch; further out it fades to 0 over one cell, since no cell is centred
 * there (the plain CNN's valid convolutions leave ~20 border pixels at 96 px). With the default geometry — cells evenly
 * spread, half-pixel centres — this is tf.image.resizeBilinear with halfPixelCenters.
 */
export function upsampleBilinear(
  map: ArrayLike<number>,
  height: number,
  width: number,
  size: number,
  geometry: MapGeometry = stretchGeometry(height, width, size),
): Float32Array {
  const out = new Float32Array(size * size);
  const xs = samplePositions(geometry.x, width, size);
  const ys = samplePositions(geometry.y, height, size);
  for (let y = 0; y < size; y++) {
    const { lo: y0, hi: y1, t: ty, fade: fy } = ys[y];
    for (let x = 0; x < size; x++) {
      const { lo: x0, hi: x1, t: tx, fade: fx } = xs[x];
      const top = map[y0 * width + x0] * (1 - tx) + map[y0 * width + x1] * tx;
      const bottom = map[y1 * width + x0] * (1 - tx) + map[y1 * width + x1] * tx;
      out[y * size + x] = (top * (1 - ty) + bottom * ty) * fx * fy;
    }
  }
  return out;
}

function samplePositions(
  axis: AxisMap,
  cells: number,
  size: number,
): { lo: number; hi: number; t: number; fade: number }[] {
  return Array.from({ length: size }, (_, i) => {
    const cell = (i - axis.offset) / axis.scale;
    const beyond = Math.max(-0.5 - cell, cell - (cells - 0.5), 0);
    const at = Math.min(cells - 1, Math.max(0, cell));
    const lo = Math.floor(at);
    return { lo, hi: Math.min(cells - 1, lo + 1), t: at - lo, fade: Math.max(0, 1 - beyond) };
  });
}

/**
 * The heat map of one coarse Grad-CAM map (height × width, ≥ 0): upsampled to `size` (placed by `geometry`, default a
 * plain stretch), scaled to a maximum of 1.
 */
export function toHeatMap(
  coarse: ArrayLike<number>,
  height: number,
  width: number,
  size: number,
  classIndex: number,
  geometry?: MapGeometry,
): HeatMap {
  let max = 0;
  for (let i = 0; i < height * width; i++) max = Math.max(max, coarse[i]);
  const values = upsampleBilinear(coarse, height, width, size, geometry);
  if (max > 0) for (let i = 0; i < values.length; i++) values[i] /= max;
  return { classIndex, size, values, peak: peakOf(values, size), coarse: { height, width, max } };
}

/** Position of the largest value (the first on a tie), or null when nothing is above 0. */
export function peakOf(values: ArrayLike<number>, size: number): { x: number; y: number } | null {
  let best = -1;
  let bestValue = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] > bestValue) {
      bestValue = values[i];
      best = i;
    }
  }
  return best < 0 ? null : { x: best % size, y: Math.floor(best / size) };
}

/**
 * Share of the map's heat inside a mask: Σ heat·[mask > 0] / Σ heat, in [0, 1]; null for an all-zero map. Compare it
 * with the mask's share of the image (maskShare): a map that ignores the mask scores about that share.
 */
export function heatInside(values: ArrayLike<number>, mask: ArrayLike<number>): number | null {
  if (mask.length !== values.length)
    throw new RangeError(`the mask has ${mask.length} pixels, the heat map ${values.length}`);
  let inside = 0;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    total += values[i];
    if (mask[i] > 0) inside += values[i];
  }
  return total > 0 ? inside / total : null;
}

/** Share of the image's pixels inside a mask. */
export function maskShare(mask: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] > 0) n++;
  return mask.length > 0 ? n / mask.length : 0;
}
