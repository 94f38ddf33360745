import { describe, expect, it } from 'vitest';
import {
  applyAugmentation,
  augmentImage,
  augmentSeed,
  NO_AUGMENTATION,
  STANDARD_AUGMENTATION,
  type AugmentParams,
} from '../../src/lab/data/augment';

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
});
