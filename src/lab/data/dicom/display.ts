/**
 * The greyscale display pipeline a radiology viewer applies (PS3.3 C.11, PS3.4 N.2), from stored values to 8-bit
 * grey: Modality LUT (its sequence, else Rescale Slope / Intercept), VOI (the VOI LUT Sequence, else the first
 * window with its VOI LUT Function, else a robust min–max window computed here), then MONOCHROME1 inverted. Pixel
 * padding is left out of the min–max, so a black frame around the detector does not squash the image's contrast.
 */
import type { DicomHeader, LookupTable, VoiFunction } from './read-dicom';

/** Share of pixels ignored at each end by the computed window: a few hot or dead pixels do not set the contrast. */
export const ROBUST_TAIL = 0.01;

/** The VOI step the image went through, for `preview --json`. */
export type VoiUsed =
  | {
      readonly kind: 'window';
      readonly source: 'header' | 'min-max';
      readonly center: number;
      readonly width: number;
      readonly fn: VoiFunction;
    }
  | { readonly kind: 'voi-lut'; readonly entries: number; readonly bits: number };

export interface DisplayImage {
  /** rows × columns 8-bit grey, 0 black. */
  readonly grey: Uint8Array;
  readonly voi: VoiUsed;
}

/** Maps stored values through the display pipeline. */
export function toDisplay(stored: Float64Array, header: DicomHeader): DisplayImage {
  const values = modality(stored, header);
  const grey = new Uint8Array(values.length);
  let voi: VoiUsed;
  if (header.voiLut) {
    const lut = header.voiLut;
    const top = 2 ** lut.bits - 1;
    for (let i = 0; i < values.length; i++) grey[i] = Math.round((lookUp(lut, values[i]) / top) * 255);
    voi = { kind: 'voi-lut', entries: lut.data.length, bits: lut.bits };
  } else {
    const window = header.window ?? { ...robustWindow(values, paddingMask(stored, header)), fn: 'LINEAR' as const };
    const map = windowFunction(window.center, window.width, window.fn);
    for (let i = 0; i < values.length; i++) grey[i] = Math.round(map(values[i]));
    voi = { kind: 'window', source: header.window ? 'header' : 'min-max', ...window };
  }
  if (header.photometric === 'MONOCHROME1') for (let i = 0; i < grey.length; i++) grey[i] = 255 - grey[i];
  return { grey, voi };
}

/** Stored → modality values (Hounsfield units, optical density…): the LUT, else slope × value + intercept. */
function modality(stored: Float64Array, header: DicomHeader): Float64Array {
  const out = new Float64Array(stored.length);
  const lut = header.modalityLut;
  if (lut) for (let i = 0; i < stored.length; i++) out[i] = lookUp(lut, stored[i]);
  else {
    const { slope, intercept } = header.rescale;
    for (let i = 0; i < stored.length; i++) out[i] = stored[i] * slope + intercept;
  }
  return out;
}

/** A LUT's entry for `value`; values outside the table take its first or last entry. */
function lookUp(lut: LookupTable, value: number): number {
  const at = Math.round(value) - lut.firstMapped;
  return lut.data[at <= 0 ? 0 : at >= lut.data.length ? lut.data.length - 1 : at];
}

/** True for stored values that are padding (equal to Pixel Padding Value, or within it and its range limit). */
function paddingMask(stored: Float64Array, header: DicomHeader): Uint8Array | null {
  if (!header.padding) return null;
  const { value, limit } = header.padding;
  const low = Math.min(value, limit ?? value);
  const high = Math.max(value, limit ?? value);
  const mask = new Uint8Array(stored.length);
  for (let i = 0; i < stored.length; i++) mask[i] = stored[i] >= low && stored[i] <= high ? 1 : 0;
  return mask;
}

/**
 * A LINEAR window over the image's values without padding, ignoring ROBUST_TAIL of them at each end: low is the
 * least value with at least that many values below it, high the greatest with at least that many at or above it,
 * and the window (DICOM's convention: centre (low + high + 1) / 2, width high − low + 1) maps low to black and high
 * to white. This is dcmtk's histogram window (`dcmj2pnm +Wh 1`), so the two can be checked against each other. Ranks
 * are read from a histogram of at most 65,536 bins, exact for whole-number values over a range of that size (every
 * X-ray's), never a sort of a million pixels.
 */
export function robustWindow(values: Float64Array, padding: Uint8Array | null): { center: number; width: number } {
  let min = Infinity;
  let max = -Infinity;
  let count = 0;
  let whole = true;
  for (let i = 0; i < values.length; i++) {
    if (padding?.[i]) continue;
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
    if (whole && !Number.isInteger(v)) whole = false;
    count++;
  }
  if (count === 0 || max === min) {
    const level = count === 0 ? 0 : min;
    return { center: level + 0.5, width: 1 };
  }
  const bins = whole && max - min + 1 <= 65536 ? max - min + 1 : 65536;
  const step = whole && bins === max - min + 1 ? 1 : (max - min) / (bins - 1);
  const histogram = new Uint32Array(bins);
  for (let i = 0; i < values.length; i++) if (!padding?.[i]) histogram[Math.round((values[i] - min) / step)]++;
  const tail = Math.floor(ROBUST_TAIL * count);
  let low = 0;
  for (let seen = 0; low < bins - 1 && seen < tail;) seen += histogram[low++];
  let high = bins;
  for (let seen = 0; high > 0 && seen < tail;) seen += histogram[--high];
  high = Math.min(high, bins - 1);
  const lo = min + low * step;
  const hi = Math.max(lo, min + high * step);
  return { center: (lo + hi + 1) / 2, width: hi - lo + 1 };
}

/** The VOI LUT Function as a map from modality value to 0–255 (PS3.3 C.11.2.1.2). */
function windowFunction(c: number, w: number, fn: VoiFunction): (x: number) => number {
  if (fn === 'SIGMOID') return (x) => 255 / (1 + Math.exp((-4 * (x - c)) / w));
  if (fn === 'LINEAR_EXACT') {
    return (x) => (x <= c - w / 2 ? 0 : x > c + w / 2 ? 255 : ((x - c) / w + 0.5) * 255);
  }
  const bottom = c - 0.5 - (w - 1) / 2;
  const top = c - 0.5 + (w - 1) / 2;
  return (x) => (x <= bottom ? 0 : x > top ? 255 : ((x - (c - 0.5)) / (w - 1) + 0.5) * 255);
}
