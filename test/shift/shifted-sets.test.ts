import { describe, expect, it } from 'vitest';
import { countPerClass, type ImageSet } from '../../src/lab/data/image-set';
import { generatePhantomImages } from '../../src/lab/data/phantom';
import { describeShift, shiftImageSet } from '../../src/lab/shift/image-shifts';
import { resampleToPrevalence } from '../../src/lab/shift/resample-prior';

const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;

function ramp(size: number, channels: 1 | 3 = 1): ImageSet {
  const pixels = new Uint8Array(size * size * channels * 2);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor((i * 255) / (pixels.length - 1));
  return {
    size,
    channels,
    classNames: ['A', 'B'],
    pixels,
    labels: Int32Array.from([0, 1]),
    files: ['a', 'b'],
    count: 2,
  };
}

describe('shiftImageSet', () => {
  const set = ramp(8);

  it('applies gamma, contrast and brightness per pixel as stated, clamped to uint8', () => {
    const at = (s: ImageSet, v: number) => s.pixels[set.pixels.indexOf(v)];
    expect(at(shiftImageSet(set, { kind: 'gamma', gamma: 2 }), 128)).toBe(Math.round((128 / 255) ** 2 * 255));
    expect(at(shiftImageSet(set, { kind: 'contrast', factor: 0.5 }), 0)).toBe(Math.round(0.25 * 255));
    expect(at(shiftImageSet(set, { kind: 'brightness', offset: 0.2 }), 255)).toBe(255);
    expect(at(shiftImageSet(set, { kind: 'brightness', offset: -0.2 }), 100)).toBe(Math.round((100 / 255 - 0.2) * 255));
    expect(shiftImageSet(set, { kind: 'gamma', gamma: 1 }).pixels).toEqual(set.pixels);
  });

  it('blurs: keeps a flat image flat and the mean of a ramp, and smooths an edge', () => {
    const flat = { ...set, pixels: new Uint8Array(set.pixels.length).fill(77) };
    expect(shiftImageSet(flat, { kind: 'blur', sigma: 1.5 }).pixels.every((v) => v === 77)).toBe(true);
    const edge = { ...set, pixels: Uint8Array.from({ length: 128 }, (_, i) => (i % 8 < 4 ? 0 : 200)) };
    const blurred = shiftImageSet(edge, { kind: 'blur', sigma: 1 }).pixels;
    expect(blurred[3]).toBeGreaterThan(0);
    expect(blurred[4]).toBeLessThan(200);
    expect(Math.abs(mean(blurred) - mean(edge.pixels))).toBeLessThan(1);
    expect(shiftImageSet(edge, { kind: 'blur', sigma: 0 }).pixels).toEqual(edge.pixels);
  });

  it('blurs RGB channels apart and leaves the input, labels and files as they were', () => {
    const rgb = ramp(4, 3);
    const copy = rgb.pixels.slice();
    const out = shiftImageSet(rgb, [
      { kind: 'blur', sigma: 1 },
      { kind: 'gamma', gamma: 1.4 },
    ]);
    expect(rgb.pixels).toEqual(copy);
    expect(out.labels).toEqual(rgb.labels);
    expect(out.files).toEqual(rgb.files);
    expect(out.pixels.length).toBe(copy.length);
  });

  it('names shifts for tables and rejects bad parameters by name', () => {
    expect(
      describeShift([
        { kind: 'gamma', gamma: 1.5 },
        { kind: 'brightness', offset: 0.1 },
      ]),
    ).toBe('gamma 1.5 + brightness +0.1');
    expect(describeShift([])).toBe('none');
    expect(() => shiftImageSet(set, { kind: 'gamma', gamma: 0 })).toThrow(
      /gamma shift: gamma must be a positive number \(got 0\)/,
    );
    expect(() => shiftImageSet(set, { kind: 'blur', sigma: -1 })).toThrow(/blur shift/);
    expect(() => shiftImageSet(set, { kind: 'brightness', offset: 2 })).toThrow(/brightness shift/);
  });
});

describe('resampleToPrevalence', () => {
  const set = generatePhantomImages({ perClass: 30, size: 8, channels: 1, seed: 3 });

  it('draws the asked share of positives without repeats, seeded', () => {
    const a = resampleToPrevalence(set, { positiveClass: 1, prevalence: 0.8, seed: 5 });
    expect(countPerClass(a)).toEqual([7, 30]); // 37 is the most 30 positives allow at 0.8 (round(37·0.8) = 30)
    expect(new Set(a.files).size).toBe(a.count);
    expect(resampleToPrevalence(set, { positiveClass: 1, prevalence: 0.8, seed: 5 }).files).toEqual(a.files);
    expect(resampleToPrevalence(set, { positiveClass: 1, prevalence: 0.8, seed: 6 }).files).not.toEqual(a.files);
    expect(
      countPerClass(resampleToPrevalence(set, { positiveClass: 1, prevalence: 0.25, seed: 5, count: 20 })),
    ).toEqual([15, 5]);
  });

  it('says what the set lacks when the request cannot be met', () => {
    expect(() => resampleToPrevalence(set, { positiveClass: 1, prevalence: 0.5, seed: 1, count: 100 })).toThrow(
      /cannot draw 100 images at prevalence 0.5: the set has 30 positive and 30 negative images \(at most 60/,
    );
    expect(() => resampleToPrevalence(set, { positiveClass: 1, prevalence: 1.5, seed: 1 })).toThrow(
      /prevalence must lie in/,
    );
  });
});

describe('phantom X-rays with another exposure', () => {
  const base = { perClass: 12, size: 32, channels: 1 as const, seed: 9 };
  const plain = generatePhantomImages(base);

  it('leaves the default rendering untouched (no change = the same bytes)', () => {
    expect(generatePhantomImages({ ...base, exposure: {} }).pixels).toEqual(plain.pixels);
  });

  it('shows the same patients with other grey values', () => {
    const brighter = generatePhantomImages({ ...base, exposure: { brightness: 0.1 } });
    expect(brighter.files).toEqual(plain.files);
    expect(brighter.labels).toEqual(plain.labels);
    expect(mean(brighter.pixels)).toBeGreaterThan(mean(plain.pixels) + 10);
    const flat = generatePhantomImages({ ...base, exposure: { contrast: 0.5 } });
    const spread = (s: ImageSet) => {
      const m = mean(s.pixels);
      return mean(Array.from(s.pixels, (v) => (v - m) ** 2));
    };
    expect(spread(flat)).toBeLessThan(0.5 * spread(plain));
    expect(generatePhantomImages({ ...base, exposure: { contrast: 0.5 } }).pixels).toEqual(flat.pixels);
  });
});
