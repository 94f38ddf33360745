/**
 * The phantom chest X-ray: anatomy drawn per patient, exposure varied per image, rendered to grey values in [0, 1].
 * Bright = dense (bone, heart, fluid), dark = air, as on a real radiograph.
 */
import type { Rng } from '../util/rng';
import {
  blobSum,
  ellipseMask,
  gaussian,
  makeValueNoise,
  pointInEllipse,
  sampleNoise,
  smoothstep,
  uniform,
  type Blob,
  type Ellipse,
  type ValueNoise,
} from './phantom-shapes';

/** What stays the same across one patient's images. */
export interface ChestAnatomy {
  readonly body: Ellipse;
  /** Image-left lung, image-right lung (the heart sits over the image-right one, as on a PA film). */
  readonly lungs: readonly [Ellipse, Ellipse];
  readonly heart: Ellipse;
  readonly spineHalfWidth: number;
  readonly ribTop: number;
  readonly ribSpacing: number;
  readonly ribCurve: number;
  readonly ribHalfWidth: number;
  /** Soft-tissue (breast, muscle) brightening over the lower outer lungs, in both classes: a distractor. */
  readonly softTissue: number;
  /** How much darker the lungs are than soft tissue (inspiration depth, build): varies so mean brightness misleads. */
  readonly lungDarkness: number;
  /** Disease for this patient: opacity blobs inside the lungs; empty when healthy. */
  readonly opacities: readonly Blob[];
  /** How the patchy texture scales the opacities: floor + span × noise (noise in [0, 1]). */
  readonly opacityTexture: { readonly floor: number; readonly span: number };
}

/** What changes from one image of a patient to the next. */
export interface Exposure {
  readonly shiftU: number;
  readonly shiftV: number;
  readonly scale: number;
  readonly contrast: number;
  readonly brightness: number;
  readonly gamma: number;
  readonly noise: number;
  /** Small bright vessel markings, present in every class so that "any bright spot" is not the answer. */
  readonly vessels: readonly Blob[];
  /** The patient's opacities, jittered for this image. */
  readonly opacities: readonly Blob[];
  /** Breaks opacities into patches. */
  readonly texture: ValueNoise;
}

/** Disease pattern: bacterial = one dense lobar patch, viral = fainter, diffuse, both lungs. */
export type Disease = 'none' | 'bacteria' | 'virus';

/**
 * How plainly the opacities show. 'subtle' (the generator's default, unchanged since the first phantoms; the shift and
 * Grad-CAM tests are calibrated on it): at 128 px many patches, viral ones above all, are hard to see even by eye, as
 * the texture can scale a patch down to 0.3 of its envelope. 'clear' (the page's demo): every patch visible
 * above the pixel noise and the vessel markings at 128 px, while the added brightness stays small against the
 * exposure's, so a global brightness threshold still fails (test/data/phantom.test.ts).
 */
export type OpacityLevel = 'subtle' | 'clear';

/** Per level: amplitude and σ ranges of bacterial and viral blobs, and the texture's floor and span. */
const OPACITY_LEVELS: Record<
  OpacityLevel,
  {
    readonly bacteria: { readonly sigma: readonly [number, number]; readonly amp: readonly [number, number] };
    readonly virus: { readonly sigma: readonly [number, number]; readonly amp: readonly [number, number] };
    readonly texture: { readonly floor: number; readonly span: number };
  }
> = {
  subtle: {
    bacteria: { sigma: [0.03, 0.06], amp: [0.12, 0.24] },
    virus: { sigma: [0.025, 0.045], amp: [0.08, 0.15] },
    texture: { floor: 0.3, span: 1.2 },
  },
  clear: {
    bacteria: { sigma: [0.04, 0.065], amp: [0.24, 0.36] },
    virus: { sigma: [0.035, 0.055], amp: [0.16, 0.24] },
    texture: { floor: 0.55, span: 0.9 },
  },
};

/** Draws one patient's anatomy (and disease, if any, its opacities at `level`). */
export function sampleAnatomy(rng: Rng, disease: Disease, level: OpacityLevel = 'subtle'): ChestAnatomy {
  const cx = 0.5 + 0.015 * gaussian(rng);
  const lungDx = uniform(rng, 0.15, 0.18);
  const lungCy = uniform(rng, 0.42, 0.48);
  const lung = (side: number): Ellipse => ({
    cx: cx + side * lungDx,
    cy: lungCy + 0.01 * gaussian(rng),
    rx: uniform(rng, 0.12, 0.145),
    ry: uniform(rng, 0.25, 0.3),
    angle: side * uniform(rng, 0.02, 0.12),
  });
  const lungs: [Ellipse, Ellipse] = [lung(-1), lung(1)];
  const anatomy = {
    body: { cx, cy: 0.56, rx: uniform(rng, 0.37, 0.43), ry: uniform(rng, 0.5, 0.58), angle: 0 },
    lungs,
    heart: {
      cx: cx + uniform(rng, 0.04, 0.07),
      cy: lungCy + uniform(rng, 0.1, 0.14),
      rx: uniform(rng, 0.12, 0.15),
      ry: uniform(rng, 0.09, 0.11),
      angle: -0.35,
    },
    spineHalfWidth: uniform(rng, 0.028, 0.038),
    ribTop: lungCy - uniform(rng, 0.25, 0.28),
    ribSpacing: uniform(rng, 0.05, 0.06),
    ribCurve: uniform(rng, 1.2, 2.2),
    ribHalfWidth: uniform(rng, 0.008, 0.012),
    softTissue: uniform(rng, 0, 0.12),
    lungDarkness: uniform(rng, 0.22, 0.36),
  };
  return {
    ...anatomy,
    opacities: sampleOpacities(rng, disease, lungs, level),
    opacityTexture: OPACITY_LEVELS[level].texture,
  };
}

function sampleOpacities(rng: Rng, disease: Disease, lungs: readonly [Ellipse, Ellipse], level: OpacityLevel): Blob[] {
  if (disease === 'none') return [];
  const { bacteria, virus } = OPACITY_LEVELS[level];
  const blobs: Blob[] = [];
  if (disease === 'bacteria') {
    // A lobar consolidation: a cluster of overlapping blobs in the lower or middle part of one lung.
    const lung = lungs[rng.int(2)];
    const [u0, v0] = pointInEllipse(lung, rng, lung.cy - lung.ry * 0.3, lung.cy + lung.ry * 0.7);
    const n = 3 + rng.int(4);
    for (let i = 0; i < n; i++) {
      blobs.push({
        cx: u0 + 0.035 * gaussian(rng),
        cy: v0 + 0.045 * gaussian(rng),
        sigma: uniform(rng, ...bacteria.sigma),
        amp: uniform(rng, ...bacteria.amp),
      });
    }
  } else {
    // Interstitial, patchy, both lungs, fainter.
    const n = 6 + rng.int(6);
    for (let i = 0; i < n; i++) {
      const lung = lungs[i % 2];
      const [u, v] = pointInEllipse(lung, rng, lung.cy - lung.ry * 0.6, lung.cy + lung.ry * 0.9);
      blobs.push({ cx: u, cy: v, sigma: uniform(rng, ...virus.sigma), amp: uniform(rng, ...virus.amp) });
    }
  }
  return blobs;
}

/** Draws one image's exposure and positioning for a patient. */
export function sampleExposure(rng: Rng, anatomy: ChestAnatomy): Exposure {
  const vessels: Blob[] = [];
  const nVessels = 8 + rng.int(10);
  for (let i = 0; i < nVessels; i++) {
    const lung = anatomy.lungs[i % 2];
    const [u, v] = pointInEllipse(lung, rng);
    vessels.push({ cx: u, cy: v, sigma: uniform(rng, 0.006, 0.014), amp: uniform(rng, 0.03, 0.08) });
  }
  const opacities = anatomy.opacities.map((b) => ({
    cx: b.cx + 0.008 * gaussian(rng),
    cy: b.cy + 0.008 * gaussian(rng),
    sigma: b.sigma * uniform(rng, 0.9, 1.1),
    amp: b.amp * uniform(rng, 0.75, 1.25),
  }));
  return {
    shiftU: 0.025 * gaussian(rng),
    shiftV: 0.025 * gaussian(rng),
    scale: uniform(rng, 0.92, 1.08),
    contrast: uniform(rng, 0.8, 1.2),
    brightness: uniform(rng, -0.06, 0.06),
    gamma: uniform(rng, 0.85, 1.15),
    noise: uniform(rng, 0.015, 0.035),
    vessels,
    opacities,
    texture: makeValueNoise(10, rng),
  };
}

/** The anatomical coordinates under pixel column `x` and row `y`: this image's shift and zoom undone. */
function anatomyU(e: Exposure, size: number, x: number): number {
  return ((x + 0.5) / size - 0.5 - e.shiftU) / e.scale + 0.5;
}

function anatomyV(e: Exposure, size: number, y: number): number {
  return ((y + 0.5) / size - 0.5 - e.shiftV) / e.scale + 0.5;
}

/** Lung fields (soft-edged, clipped to the body) at anatomical point (u, v). */
function lungMask(a: ChestAnatomy, u: number, v: number): number {
  return (
    Math.max(ellipseMask(a.lungs[0], u, v, 0.12), ellipseMask(a.lungs[1], u, v, 0.12)) * ellipseMask(a.body, u, v, 0.05)
  );
}

/**
 * A systematic change of every image's exposure, as another X-ray machine or technique would make it: contrast, gamma
 * and noise multiply the drawn values, brightness adds to them. Positions, anatomy and disease are untouched, so a set
 * rendered with the same seed and a change shows the very same patients under another exposure.
 */
export interface ExposureChange {
  /** Multiplies each image's contrast (default 1). */
  readonly contrast?: number;
  /** Added to each image's brightness, in grey levels of [0, 1] (default 0). */
  readonly brightness?: number;
  /** Multiplies each image's gamma (default 1; > 1 darkens the mid-tones). */
  readonly gamma?: number;
  /** Multiplies each image's pixel noise (default 1). */
  readonly noise?: number;
}

/** `exposure` with `change` applied. */
export function changeExposure(exposure: Exposure, change: ExposureChange): Exposure {
  return {
    ...exposure,
    contrast: exposure.contrast * (change.contrast ?? 1),
    brightness: exposure.brightness + (change.brightness ?? 0),
    gamma: exposure.gamma * (change.gamma ?? 1),
    noise: exposure.noise * (change.noise ?? 1),
  };
}

/** Renders a size×size image, values in [0, 1], row-major. `rng` supplies the pixel noise. */
export function renderChest(a: ChestAnatomy, e: Exposure, size: number, rng: Rng): Float32Array {
  const out = new Float32Array(size * size);
  const cx = a.body.cx;
  const ribReach = Math.max(Math.abs(a.lungs[0].cx - cx), Math.abs(a.lungs[1].cx - cx)) + a.lungs[0].rx + 0.02;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = anatomyU(e, size, x);
      const v = anatomyV(e, size, y);
      const body = ellipseMask(a.body, u, v, 0.05);
      const lung = lungMask(a, u, v);
      const d = Math.abs(u - cx);
      const spine = smoothstep(a.spineHalfWidth, a.spineHalfWidth * 0.5, d) * body * (0.85 + 0.15 * Math.sin(v * 120));
      // Nearest rib arc: arcs v = ribTop + k·spacing + curve·(d − 0.08)², k = 0..9, on both sides of the spine.
      const r = (v - a.ribTop - a.ribCurve * (d - 0.08) * (d - 0.08)) / a.ribSpacing;
      const k = Math.round(r);
      const onRib =
        k >= 0 && k <= 9 && d < ribReach
          ? smoothstep(a.ribHalfWidth, a.ribHalfWidth * 0.3, Math.abs(r - k) * a.ribSpacing)
          : 0;
      const soft = a.softTissue * smoothstep(0.45, 0.7, v) * smoothstep(0.1, 0.22, d) * lung;
      // The heart lies in front of the lung: it hides most of the lung's darkness where they overlap.
      const heart = ellipseMask(a.heart, u, v, 0.25) * body;
      let value = 0.05 + 0.42 * body - a.lungDarkness * lung * (1 - 0.6 * heart) + 0.08 * heart;
      value += 0.09 * onRib * body + 0.18 * spine + soft + blobSum(e.vessels, u, v) * lung;
      const { floor, span } = a.opacityTexture;
      if (e.opacities.length > 0)
        value += blobSum(e.opacities, u, v) * lung * (floor + span * sampleNoise(e.texture, u, v));
      value = 0.4 + e.brightness + e.contrast * (value - 0.4);
      value = Math.pow(Math.min(1, Math.max(0, value)), e.gamma) + e.noise * gaussian(rng);
      out[y * size + x] = Math.min(1, Math.max(0, value));
    }
  }
  return out;
}

/**
 * Grey level the opacities must add (before texture, contrast and gamma) for a pixel to count as inside them: 0.05 of
 * the grey range, about where a patch stands out of the pixel noise (σ 0.015–0.035).
 */
export const OPACITY_MASK_LEVEL = 0.05;

/**
 * Where `renderChest` draws this image's opacities: 1 where their smooth envelope (the blobs within the lungs, the
 * same field the renderer multiplies by its patchy texture) reaches OPACITY_MASK_LEVEL, else 0; size×size, row-major.
 * All zero for a healthy patient. Draws nothing from any generator, so the image rendered beside it is unchanged.
 */
export function renderOpacityMask(a: ChestAnatomy, e: Exposure, size: number): Uint8Array {
  const out = new Uint8Array(size * size);
  if (e.opacities.length === 0) return out;
  for (let y = 0; y < size; y++) {
    const v = anatomyV(e, size, y);
    for (let x = 0; x < size; x++) {
      const u = anatomyU(e, size, x);
      if (blobSum(e.opacities, u, v) * lungMask(a, u, v) >= OPACITY_MASK_LEVEL) out[y * size + x] = 1;
    }
  }
  return out;
}
