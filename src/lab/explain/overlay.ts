/**
 * A heat map drawn over its X-ray as RGBA pixels: what the CLI writes as PNG and the page can put in an ImageData.
 * Colour follows the heat (dark blue → blue → green → yellow → red, a rainbow like the Grad-CAM paper's figures), and
 * the colour's opacity grows with the heat too, so cold regions show the X-ray untouched.
 */

/** Colour stops at heat 0, 0.25, 0.5, 0.75 and 1; linear in between. */
const STOPS: readonly (readonly [number, number, number])[] = [
  [40, 20, 90],
  [30, 120, 230],
  [40, 210, 110],
  [250, 200, 40],
  [215, 35, 25],
];

/** The colour of heat `h` in [0, 1] (clamped). */
export function heatColour(h: number): [number, number, number] {
  const t = Math.min(1, Math.max(0, h)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(t));
  const f = t - i;
  const [a, b] = [STOPS[i], STOPS[i + 1]];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/**
 * RGBA (size × size × 4) of `pixels` (size × size × channels, uint8, grey or RGB) with `heat` (size × size, [0, 1])
 * blended over it: each pixel takes opacity·heat of the heat colour. `opacity` 0 gives the X-ray alone.
 */
export function overlayRgba(
  pixels: Uint8Array,
  channels: 1 | 3,
  heat: Float32Array,
  size: number,
  opacity = 0.6,
): Uint8ClampedArray {
  if (pixels.length !== size * size * channels)
    throw new RangeError(`image of ${pixels.length} bytes is not ${size}×${size}×${channels}`);
  if (heat.length !== size * size) throw new RangeError(`heat map of ${heat.length} values is not ${size}×${size}`);
  if (!(opacity >= 0 && opacity <= 1)) throw new RangeError(`opacity must be between 0 and 1 (got ${opacity})`);
  const out = new Uint8ClampedArray(size * size * 4);
  for (let i = 0; i < size * size; i++) {
    const a = opacity * Math.min(1, Math.max(0, heat[i]));
    const colour = heatColour(heat[i]);
    for (let c = 0; c < 3; c++) {
      const base = pixels[i * channels + (channels === 3 ? c : 0)];
      out[i * 4 + c] = Math.round(base * (1 - a) + colour[c] * a);
    }
    out[i * 4 + 3] = 255;
  }
  return out;
}
