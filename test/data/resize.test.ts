import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { toSquare, type Raster } from '../../src/lab/data/resize';
import { createRng } from '../../src/lab/util/rng';
import { useCpuBackend } from '../helpers/tf-cpu';

const raster = (
  width: number,
  height: number,
  channels: number,
  values: number[] | ((i: number) => number),
): Raster => {
  const n = width * height * channels;
  const data = Uint8Array.from({ length: n }, (_, i) => (typeof values === 'function' ? values(i) : values[i]));
  return { width, height, channels, data };
};

describe('toSquare: exact cases', () => {
  it('copies a 2×2 image to 2×2 unchanged, grey and RGB', () => {
    expect([...toSquare(raster(2, 2, 1, [1, 2, 3, 4]), 2, 1)]).toEqual([1, 2, 3, 4]);
    const rgb = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120];
    expect([...toSquare(raster(2, 2, 3, rgb), 2, 3)]).toEqual(rgb);
  });

  it('keeps a constant image constant at any scale and mode', () => {
    for (const [w, h, size] of [
      [300, 200, 64],
      [7, 5, 32],
      [2000, 1500, 50],
      [64, 64, 64],
    ]) {
      for (const mode of ['stretch', 'center-crop'] as const) {
        expect(
          new Set(
            toSquare(
              raster(w, h, 1, () => 137),
              size,
              1,
              mode,
            ),
          ),
        ).toEqual(new Set([137]));
      }
    }
    const rgb = toSquare(
      raster(100, 80, 3, (i) => [10, 20, 30][i % 3]),
      16,
      3,
    );
    expect(new Set(rgb.filter((_, i) => i % 3 === 2))).toEqual(new Set([30]));
  });

  it('converts RGB to grey by luminance 0.299/0.587/0.114, ignoring alpha', () => {
    expect([...toSquare(raster(1, 1, 3, [255, 0, 0]), 1, 1)]).toEqual([76]);
    expect([...toSquare(raster(1, 1, 3, [0, 255, 0]), 1, 1)]).toEqual([150]);
    expect([...toSquare(raster(1, 1, 3, [0, 0, 255]), 1, 1)]).toEqual([29]);
    expect([...toSquare(raster(1, 1, 4, [255, 0, 0, 0]), 1, 1)]).toEqual([76]);
    expect([...toSquare(raster(1, 1, 4, [10, 20, 30, 7]), 1, 3)]).toEqual([10, 20, 30]);
  });

  it('repeats grey (and grey+alpha) into 3 channels', () => {
    expect([...toSquare(raster(2, 1, 1, [5, 9]), 1, 3)]).toEqual([7, 7, 7]);
    expect([...toSquare(raster(1, 1, 2, [200, 0]), 2, 3)]).toEqual(new Array(12).fill(200));
  });

  it('samples at half-pixel centres when upscaling', () => {
    // u = (x + 0.5)·2/4 − 0.5 → −0.25 (clamped), 0.25, 0.75, 1.25 (clamped): 0, 25, 75, 100.
    expect([...toSquare(raster(2, 1, 1, [0, 100]), 4, 1)].slice(0, 4)).toEqual([0, 25, 75, 100]);
  });

  it('averages boxes when shrinking by 2× or more', () => {
    const quadrants = raster(4, 4, 1, (i) => (i % 4 < 2 ? 0 : 100) + (i < 8 ? 0 : 40));
    expect([...toSquare(quadrants, 2, 1)]).toEqual([0, 100, 40, 140]);
    // A 1-px checkerboard shrunk 16×: bilinear alone would return 0s and 255s; the average is mid-grey.
    const board = toSquare(
      raster(256, 256, 1, (i) => (((i % 256) + Math.floor(i / 256)) % 2 ? 255 : 0)),
      16,
      1,
    );
    for (const v of board) expect(Math.abs(v - 127.5)).toBeLessThanOrEqual(1);
  });
});

describe('toSquare: modes', () => {
  it('letterbox keeps the aspect ratio and pads with black', () => {
    const wide = toSquare(
      raster(4, 2, 1, () => 200),
      4,
      1,
      'letterbox',
    );
    expect([...wide]).toEqual([0, 0, 0, 0, 200, 200, 200, 200, 200, 200, 200, 200, 0, 0, 0, 0]);
    const tall = toSquare(
      raster(2, 4, 1, () => 200),
      4,
      1,
      'letterbox',
    );
    expect([...tall]).toEqual([0, 200, 200, 0, 0, 200, 200, 0, 0, 200, 200, 0, 0, 200, 200, 0]);
    const rgb = toSquare(
      raster(4, 2, 3, () => 9),
      4,
      3,
      'letterbox',
    );
    expect(rgb.length).toBe(48);
    expect([...rgb.subarray(0, 12)]).toEqual(new Array(12).fill(0));
  });

  it('center-crop takes the centred square', () => {
    const columns = raster(4, 2, 1, (i) => [10, 20, 30, 40][i % 4]);
    expect([...toSquare(columns, 2, 1, 'center-crop')]).toEqual([20, 30, 20, 30]);
    const rows = raster(1, 3, 1, [1, 2, 3]);
    expect([...toSquare(rows, 1, 1, 'center-crop')]).toEqual([2]);
  });

  it('stretch fills the square whatever the aspect ratio', () => {
    const columns = raster(4, 1, 1, (i) => [10, 20, 30, 40][i]);
    expect([...toSquare(columns, 2, 1)]).toEqual([15, 35, 15, 35]);
  });

  it('rejects impossible input', () => {
    expect(() => toSquare({ width: 2, height: 2, channels: 1, data: new Uint8Array(3) }, 2, 1)).toThrow(RangeError);
    expect(() => toSquare({ width: 1, height: 1, channels: 5, data: new Uint8Array(5) }, 2, 1)).toThrow(RangeError);
    expect(() => toSquare({ width: 0, height: 2, channels: 1, data: new Uint8Array(0) }, 2, 1)).toThrow(RangeError);
    expect(() => toSquare(raster(1, 1, 1, [1]), 0, 1)).toThrow(RangeError);
  });
});

describe('toSquare agrees with tf.image.resizeBilinear(halfPixelCenters) below a 2× shrink', () => {
  beforeAll(useCpuBackend);

  it.each([
    [37, 23, 50],
    [37, 23, 30],
    [10, 10, 19],
  ])('%i×%i → %i', (w, h, size) => {
    const rng = createRng(w * 100 + size);
    const img = raster(w, h, 1, () => rng.int(256));
    const ours = toSquare(img, size, 1);
    const theirs = tf.tidy(() =>
      tf.image.resizeBilinear(tf.tensor3d(img.data, [h, w, 1], 'float32'), [size, size], false, true).dataSync(),
    );
    for (let i = 0; i < ours.length; i++) expect(Math.abs(ours[i] - theirs[i])).toBeLessThanOrEqual(0.5 + 1e-3);
  });
});
