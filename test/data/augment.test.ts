import { describe, expect, it } from 'vitest';
import {
  applyAugmentation,
  applyGamma,
  augmentImage,
  normalQuantiles,
  sampleAugmentation,
  augmentSeed,
  NO_AUGMENTATION,
  STANDARD_AUGMENTATION,
  XRAY_AUGMENTATION,
  type AugmentParams,
} from '../../src/lab/data/augment';
import { createRng } from '../../src/lab/util/rng';

const SIZE = 12;
/** A grey image with a bright block in its top-left quarter and a gradient elsewhere. */
const image = Uint8Array.from({ length: SIZE * SIZE }, (_, i) => {
  const x = i % SIZE;
  const y = Math.floor(i / SIZE);
  return x < 4 && y < 4 ? 250 : 20 + x * 5 + y * 3;
});
const identity: AugmentParams = { flip: false, angle: 0, dx: 0, dy: 0, scale: 1, brightness: 0, contrast: 1 };
const at = (img: Uint8Array, x: number, y: number) => img[y * SIZE + x];
const mean = (img: Uint8Array) => img.reduce((a, b) => a + b, 0) / img.length;

describe('augmentImage', () => {
  it('is off by default: a copy, unchanged', () => {
    const out = augmentImage(image, SIZE, 1, NO_AUGMENTATION, 1);
    expect(out).toEqual(image);
    expect(out).not.toBe(image);
  });

  it('is pure and seeded: same seed same bytes, other seeds differ, input untouched', () => {
    const before = image.slice();
    const a = augmentImage(image, SIZE, 1, STANDARD_AUGMENTATION, 42);
    expect(augmentImage(image, SIZE, 1, STANDARD_AUGMENTATION, 42)).toEqual(a);
    expect(augmentImage(image, SIZE, 1, STANDARD_AUGMENTATION, 43)).not.toEqual(a);
    expect(image).toEqual(before);
    const seeds = new Set(Array.from({ length: 100 }, (_, i) => augmentSeed(7, i)));
    expect(seeds.size).toBe(100);
  });

  it('flips left-right exactly, and shifts by whole pixels exactly', () => {
    const flipped = applyAugmentation(image, SIZE, 1, { ...identity, flip: true });
    for (let y = 0; y < SIZE; y++)
      for (let x = 0; x < SIZE; x++) expect(at(flipped, x, y)).toBe(at(image, SIZE - 1 - x, y));
    const shifted = applyAugmentation(image, SIZE, 1, { ...identity, dx: 2, dy: 1 });
    expect(at(shifted, 5, 4)).toBe(at(image, 3, 3));
    expect(at(shifted, 0, 0)).toBe(at(image, 0, 0)); // edges extended (fill 'nearest')
  });

  it('rotates a quarter turn about the centre, zooms in, and changes brightness and contrast', () => {
    const turned = applyAugmentation(image, SIZE, 1, { ...identity, angle: Math.PI / 2 });
    expect(at(turned, SIZE - 1, 0)).toBe(at(image, 0, 0));
    const zoomed = applyAugmentation(image, SIZE, 1, { ...identity, scale: 2 });
    expect(at(zoomed, 0, 0)).toBe(250); // the bright corner block now covers the top-left
    const darker = applyAugmentation(image, SIZE, 1, { ...identity, brightness: -10 });
    expect(mean(darker)).toBeCloseTo(mean(image) - 10, 5);
    const flat = applyAugmentation(image, SIZE, 1, { ...identity, contrast: 0 });
    expect(new Set(flat).size).toBe(1);
  });

  it('works on RGB images and keeps the byte range', () => {
    const rgb = Uint8Array.from({ length: SIZE * SIZE * 3 }, (_, i) => (i * 31) % 256);
    const out = augmentImage(rgb, SIZE, 3, { ...STANDARD_AUGMENTATION, brightness: 0.5, contrast: 0.5 }, 9);
    expect(out).toHaveLength(rgb.length);
    expect(() => augmentImage(rgb, SIZE, 1, STANDARD_AUGMENTATION, 1)).toThrow(RangeError);
  });

  it('augments a grey image stored as RGB as its one grey channel, copied: noise too is one draw per pixel', () => {
    const grey3 = Uint8Array.from({ length: SIZE * SIZE * 3 }, (_, i) => image[Math.floor(i / 3)]);
    for (let seed = 1; seed <= 5; seed++) {
      const one = augmentImage(image, SIZE, 1, XRAY_AUGMENTATION, seed);
      const three = augmentImage(grey3, SIZE, 3, XRAY_AUGMENTATION, seed);
      expect(three).toEqual(Uint8Array.from({ length: grey3.length }, (_, i) => one[Math.floor(i / 3)]));
    }
    // Without noise the copied grey channel is byte for byte what treating each of the three channels gives.
    const quiet = { ...XRAY_AUGMENTATION, noise: 0 };
    for (let seed = 1; seed <= 20; seed++) {
      const params = sampleAugmentation(quiet, SIZE, createRng(seed));
      expect(augmentImage(grey3, SIZE, 3, quiet, seed)).toEqual(applyAugmentation(grey3, SIZE, 3, params));
    }
    // One pixel with unequal channels: the image is colour, and its channels get their own noise.
    const colour = grey3.slice();
    colour[1] += 1;
    const out = augmentImage(colour, SIZE, 3, { ...NO_AUGMENTATION, noise: 0.05 }, 3);
    expect(Array.from({ length: SIZE * SIZE }, (_, p) => out[p * 3] === out[p * 3 + 2]).every(Boolean)).toBe(false);
  });

  it('applies a gamma curve through its table: exact at whole levels, within 0.2 of a level above level 1', () => {
    for (const gamma of [0.67, 1.49]) {
      const grid = Float32Array.from({ length: 25_401 }, (_, i) => i / 100);
      const curved = grid.slice();
      applyGamma(curved, gamma);
      let nearBlack = 0;
      let above10 = 0;
      for (let i = 0; i < grid.length; i++) {
        const error = Math.abs(curved[i] - 255 * Math.pow(grid[i] / 255, gamma));
        if (grid[i] % 1 === 0) expect(error).toBeLessThan(1e-3);
        if (grid[i] >= 1) nearBlack = Math.max(nearBlack, error);
        if (grid[i] >= 10) above10 = Math.max(above10, error);
      }
      expect(nearBlack).toBeLessThan(0.2);
      expect(above10).toBeLessThan(0.01);
    }
  });
});

describe('normalQuantiles', () => {
  it('is a standard normal: mean 0, sd within 0.005 of 1, symmetric, increasing, Φ(1) where it should be', () => {
    const q = normalQuantiles();
    const mean = q.reduce((a, b) => a + b, 0) / q.length;
    const sd = Math.sqrt(q.reduce((a, b) => a + (b - mean) ** 2, 0) / q.length);
    expect(Math.abs(mean)).toBeLessThan(1e-4);
    expect(Math.abs(sd - 1)).toBeLessThan(0.005);
    for (let i = 1; i < q.length; i++) expect(q[i]).toBeGreaterThan(q[i - 1]);
    for (let i = 0; i < q.length; i++) expect(q[i]).toBeCloseTo(-q[q.length - 1 - i], 4);
    // Φ(1) = 0.8413: the share of values below 1.
    expect(q.filter((v) => v < 1).length / q.length).toBeCloseTo(0.8413, 3);
  });
});
