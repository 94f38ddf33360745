/**
 * A procedurally generated "phantom" chest X-ray dataset, for the app's demo button and for tests: no download, no
 * licence, deterministic by seed. Images show a dark background, the body, two dark lung fields, bright ribs, spine
 * and heart, vessel markings, noise, and vary in position, zoom, contrast and gamma. Classes other than the first add
 * patchy opacities inside the lungs (a dense lobar patch for "bacteria" patients, fainter diffuse patches for "virus"
 * ones) and differ in nothing else, so a small CNN can learn them but a global brightness threshold cannot.
 *
 * Several images share a patient (same anatomy and disease, new exposure), and file names follow Kermany's patterns
 * (`IM-0001-0002.png`, `person3_bacteria_7.png`) so that patient-level splitting works on them as on the real data.
 * Same seed → same bytes (within one JS engine; engines may differ in the last bit of Math.exp and friends).
 */
import { createRng } from '../util/rng';
import type { ImageSet } from './image-set';
import {
  changeExposure,
  renderChest,
  renderOpacityMask,
  sampleAnatomy,
  sampleExposure,
  type Disease,
  type ExposureChange,
  type OpacityLevel,
} from './phantom-render';

/** Options of generatePhantomImages. */
export interface PhantomOptions {
  /** Images per class. */
  readonly perClass: number;
  /** Side of the square images, ≥ 8 px. */
  readonly size: number;
  readonly channels: 1 | 3;
  readonly seed: number;
  /** Class names in label order; the first is the healthy class. Default ['NORMAL', 'PNEUMONIA']. */
  readonly classNames?: readonly string[];
  /** Each patient gets 1..this many images (default 3). */
  readonly maxImagesPerPatient?: number;
  /** Also return where each image's opacities were drawn (`opacityMasks`); the images are the same either way. */
  readonly opacityMasks?: boolean;
  /**
   * Render every image with this systematic exposure change (another machine): same seed, same patients and
   * positions, other grey values — a shifted evaluation set paired with the default one. Default: none.
   */
  readonly exposure?: ExposureChange;
  /**
   * How plainly the pneumonia opacities show (phantom-render.ts, OpacityLevel): 'subtle' (default, the images every
   * test and benchmark was calibrated on) or 'clear' (the page's demo: every patch readable at 128 px).
   */
  readonly opacities?: OpacityLevel;
}

/** A phantom set with its opacity masks: ground truth for where a classifier should look. */
export interface PhantomImageSet extends ImageSet {
  /**
   * count × size × size bytes, image after image, row-major: 1 where the image's pneumonia opacities were drawn
   * (see renderOpacityMask), 0 elsewhere; all zero for healthy images.
   */
  readonly opacityMasks: Uint8Array;
}

/** Share of diseased patients drawn as bacterial, as in Kermany's training folder (2,530 of 3,874). */
const BACTERIAL_SHARE = 0.65;

/** A 31-bit seed from several integers, so every (class, patient, image) gets its own stream. */
function mixSeed(...parts: number[]): number {
  let h = 0x2545f491;
  for (const p of parts) {
    h = Math.imul(h ^ (p | 0), 0x9e3779b1);
    h ^= h >>> 15;
  }
  return h >>> 1;
}

const pad4 = (n: number): string => String(n).padStart(4, '0');

/** Generates the phantom set: `perClass` images of each class, class after class, as an ImageSet (with masks if asked). */
export function generatePhantomImages(options: PhantomOptions & { readonly opacityMasks: true }): PhantomImageSet;
export function generatePhantomImages(options: PhantomOptions): ImageSet;
export function generatePhantomImages(options: PhantomOptions): ImageSet | PhantomImageSet {
  const { perClass, size, channels, seed } = options;
  const classNames = [...(options.classNames ?? ['NORMAL', 'PNEUMONIA'])];
  const maxPer = options.maxImagesPerPatient ?? 3;
  if (!Number.isInteger(perClass) || perClass < 0)
    throw new RangeError(`perClass must be a whole number ≥ 0 (got ${perClass})`);
  if (!Number.isInteger(size) || size < 8) throw new RangeError(`size must be a whole number ≥ 8 (got ${size})`);
  if (classNames.length < 2) throw new RangeError('a phantom set needs at least 2 classes');
  if (!Number.isInteger(maxPer) || maxPer < 1) throw new RangeError(`maxImagesPerPatient must be ≥ 1 (got ${maxPer})`);

  const count = perClass * classNames.length;
  const per = size * size * channels;
  const pixels = new Uint8Array(count * per);
  const labels = new Int32Array(count);
  const masks = options.opacityMasks ? new Uint8Array(count * size * size) : null;
  const files: string[] = [];
  let person = 0; // person numbers run on across the diseased classes, so patient ids never collide

  let n = 0;
  classNames.forEach((className, label) => {
    const classRng = createRng(mixSeed(seed, label));
    let made = 0;
    let patient = 0;
    while (made < perClass) {
      const images = Math.min(1 + classRng.int(maxPer), perClass - made);
      const disease: Disease = label === 0 ? 'none' : classRng.next() < BACTERIAL_SHARE ? 'bacteria' : 'virus';
      patient++;
      if (label > 0) person++;
      const anatomy = sampleAnatomy(createRng(mixSeed(seed, label, patient, 1)), disease, options.opacities);
      for (let j = 0; j < images; j++, made++, n++) {
        const rng = createRng(mixSeed(seed, label, patient, j + 2));
        const drawn = sampleExposure(rng, anatomy);
        const exposure = options.exposure ? changeExposure(drawn, options.exposure) : drawn;
        const grey = renderChest(anatomy, exposure, size, rng);
        writePixels(pixels, n * per, grey, channels);
        masks?.set(renderOpacityMask(anatomy, exposure, size), n * size * size);
        labels[n] = label;
        const name = label === 0 ? `IM-${pad4(patient)}-${pad4(j + 1)}` : `person${person}_${disease}_${made + 1}`;
        files.push(`phantom/${className}/${name}.png`);
      }
    }
  });
  const set: ImageSet = { size, channels, classNames, pixels, labels, files, count };
  return masks ? { ...set, opacityMasks: masks } : set;
}

/** Quantises [0, 1] grey to uint8 at `offset`, repeating it over 3 channels for RGB. */
function writePixels(out: Uint8Array, offset: number, grey: Float32Array, channels: 1 | 3): void {
  for (let i = 0; i < grey.length; i++) {
    const v = Math.round(grey[i] * 255);
    if (channels === 1) out[offset + i] = v;
    else out.fill(v, offset + i * 3, offset + i * 3 + 3);
  }
}
