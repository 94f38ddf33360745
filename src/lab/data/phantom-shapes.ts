/**
 * Soft-edged shapes and textures for the phantom X-rays, evaluated per pixel in normalised image coordinates
 * (0..1 across, 0..1 down). Soft edges matter: hard-edged masks would let a CNN key on aliasing steps.
 */
import type { Rng } from '../util/rng';

/** 0 below `edge0`, 1 above `edge1`, smooth (cubic) in between; works for edge0 > edge1 too (a falling edge). */
export function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
}

/** An ellipse: centre, radii, rotation in radians. */
export interface Ellipse {
  readonly cx: number;
  readonly cy: number;
  readonly rx: number;
  readonly ry: number;
  readonly angle: number;
}

/** Normalised elliptic radius of (u, v): < 1 inside, 1 on the outline. */
export function ellipseRadius(e: Ellipse, u: number, v: number): number {
  const du = u - e.cx;
  const dv = v - e.cy;
  const c = Math.cos(e.angle);
  const s = Math.sin(e.angle);
  const a = (du * c + dv * s) / e.rx;
  const b = (-du * s + dv * c) / e.ry;
  return Math.sqrt(a * a + b * b);
}

/** 1 inside the ellipse, 0 outside, with a soft rim of relative width `soft`. */
export function ellipseMask(e: Ellipse, u: number, v: number, soft: number): number {
  return smoothstep(1 + soft, 1 - soft, ellipseRadius(e, u, v));
}

/** An isotropic Gaussian bump of height 1 at (cx, cy). */
export interface Blob {
  readonly cx: number;
  readonly cy: number;
  readonly sigma: number;
  readonly amp: number;
}

/** Sum of the blobs' heights at (u, v); blobs more than 3σ away are skipped. */
export function blobSum(blobs: readonly Blob[], u: number, v: number): number {
  let sum = 0;
  for (const b of blobs) {
    const du = u - b.cx;
    const dv = v - b.cy;
    const r2 = du * du + dv * dv;
    const s2 = b.sigma * b.sigma;
    if (r2 < 9 * s2) sum += b.amp * Math.exp(-r2 / (2 * s2));
  }
  return sum;
}

/** Smooth random texture in [0, 1]: random values on a coarse grid, bilinearly interpolated (value noise). */
export interface ValueNoise {
  readonly cells: number;
  readonly values: Float32Array;
}

/** A value-noise field with `cells`×`cells` grid cells, drawn from `rng`. */
export function makeValueNoise(cells: number, rng: Rng): ValueNoise {
  const values = new Float32Array((cells + 1) * (cells + 1));
  for (let i = 0; i < values.length; i++) values[i] = rng.next();
  return { cells, values };
}

/** The noise field at (u, v), clamped to the unit square. */
export function sampleNoise(noise: ValueNoise, u: number, v: number): number {
  const n = noise.cells;
  const x = Math.min(n - 1e-6, Math.max(0, u * n));
  const y = Math.min(n - 1e-6, Math.max(0, v * n));
  const i = Math.floor(x);
  const j = Math.floor(y);
  const tx = smoothstep(0, 1, x - i);
  const ty = smoothstep(0, 1, y - j);
  const w = n + 1;
  const top = noise.values[j * w + i] * (1 - tx) + noise.values[j * w + i + 1] * tx;
  const bottom = noise.values[(j + 1) * w + i] * (1 - tx) + noise.values[(j + 1) * w + i + 1] * tx;
  return top * (1 - ty) + bottom * ty;
}

/** A standard normal draw (Box–Muller), for pixel noise and parameter jitter. */
export function gaussian(rng: Rng): number {
  const u = 1 - rng.next(); // (0, 1]: log(0) would be -Infinity
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Uniform draw in [lo, hi). */
export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/** A point drawn uniformly inside an (unrotated part of an) ellipse, restricted to v between vMin and vMax. */
export function pointInEllipse(e: Ellipse, rng: Rng, vMin = 0, vMax = 1): [number, number] {
  for (let tries = 0; tries < 64; tries++) {
    const u = e.cx + uniform(rng, -1, 1) * e.rx;
    const v = e.cy + uniform(rng, -1, 1) * e.ry;
    if (v >= vMin && v <= vMax && ellipseRadius(e, u, v) < 0.85) return [u, v];
  }
  return [e.cx, e.cy];
}
