import * as jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/lab/data/errors';
import { decodeImage, sniffFormat } from '../../src/lab/data/node/decode';
import { encodePng } from '../helpers/png-encode';

const W = 5;
const H = 3;
const ramp = (channels: number, max: number): number[] =>
  Array.from({ length: W * H * channels }, (_, i) => Math.round(((i * 37) % 101) * (max / 100)));

function jpegOf(rgb: (x: number, y: number) => [number, number, number], w = 16, h = 8): Uint8Array {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([...rgb(x, y), 255], (y * w + x) * 4);
  return new Uint8Array(jpeg.encode({ width: w, height: h, data }, 95).data);
}

function rejection(bytes: Uint8Array, path: string): string {
  try {
    decodeImage(bytes, path);
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).path).toBe(path);
    return (err as Error).message;
  }
  throw new Error('expected a DataError');
}

describe('decodeImage: PNG', () => {
  it.each([
    ['grey', 0, 1],
    ['grey+alpha', 4, 2],
    ['RGB', 2, 3],
    ['RGBA', 6, 4],
  ] as const)('8-bit %s keeps its channels and values', (_, colorType, channels) => {
    const samples = ramp(channels, 255);
    const img = decodeImage(encodePng({ width: W, height: H, colorType, bitDepth: 8, samples }), 'a.png');
    expect({ width: img.width, height: img.height, channels: img.channels }).toEqual({ width: W, height: H, channels });
    expect([...img.data]).toEqual(samples);
  });

  it.each([
    ['grey', 0, 1],
    ['RGB', 2, 3],
    ['RGBA', 6, 4],
  ] as const)('16-bit %s is reduced to 8 bits, rounded', (_, colorType, channels) => {
    const samples = ramp(channels, 65535);
    const img = decodeImage(encodePng({ width: W, height: H, colorType, bitDepth: 16, samples }), 'b.png');
    expect(img.channels).toBe(channels);
    expect([...img.data]).toEqual(samples.map((v) => Math.round((v * 255) / 65535)));
  });

  it('expands a palette to RGB', () => {
    const palette = [
      [0, 0, 0],
      [255, 128, 0],
      [10, 20, 30],
    ] as const;
    const indices = Array.from({ length: W * H }, (_, i) => i % 3);
    const img = decodeImage(
      encodePng({ width: W, height: H, colorType: 3, bitDepth: 8, samples: indices, palette }),
      'p.png',
    );
    expect(img.channels).toBe(3);
    expect([...img.data]).toEqual(indices.flatMap((i) => [...palette[i]]));
  });
});

describe('decodeImage: JPEG', () => {
  it('returns one channel for a grey picture saved as RGB, close to the original values', () => {
    const img = decodeImage(
      jpegOf((x) => [x * 16, x * 16, x * 16]),
      'g.jpeg',
    );
    expect({ width: img.width, height: img.height, channels: img.channels }).toEqual({
      width: 16,
      height: 8,
      channels: 1,
    });
    for (let x = 0; x < 16; x++) expect(Math.abs(img.data[3 * 16 + x] - x * 16)).toBeLessThanOrEqual(6);
  });

  it('returns three channels for a colour picture', () => {
    const img = decodeImage(
      jpegOf(() => [200, 40, 40]),
      'c.jpg',
    );
    expect(img.channels).toBe(3);
    expect(Math.abs(img.data[0] - 200)).toBeLessThanOrEqual(6);
    expect(Math.abs(img.data[1] - 40)).toBeLessThanOrEqual(6);
  });

  it('trusts the bytes, not the extension', () => {
    const png = encodePng({ width: 2, height: 1, colorType: 0, bitDepth: 8, samples: [3, 4] });
    expect(sniffFormat(png)).toBe('png');
    expect([...decodeImage(png, 'really-a-png.jpeg').data]).toEqual([3, 4]);
    expect(
      decodeImage(
        jpegOf(() => [9, 9, 9]),
        'really-a-jpeg.png',
      ).width,
    ).toBe(16);
  });
});

describe('decodeImage: bad files are rejected by name', () => {
  it('an empty file', () => {
    expect(rejection(new Uint8Array(0), 'NORMAL/empty.jpeg')).toBe('NORMAL/empty.jpeg: empty file (0 bytes)');
  });

  it('a text file named .jpeg', () => {
    const bytes = new TextEncoder().encode('hello, not an image\n');
    expect(rejection(bytes, 'x/notes.jpeg')).toBe(
      'x/notes.jpeg: not a JPEG or PNG image (starts with text "hello, not a")',
    );
    expect(rejection(new Uint8Array([0, 1, 2, 250]), 'bin.png')).toBe(
      'bin.png: not a JPEG or PNG image (starts with bytes 00 01 02 fa)',
    );
  });

  it('a truncated JPEG and a truncated PNG', () => {
    const good = jpegOf((x, y) => [x * 10, y * 20, 50], 32, 32);
    expect(rejection(good.subarray(0, good.length >> 1), 'cut.jpeg')).toMatch(
      /^cut\.jpeg: corrupt or truncated JPEG \(.+\)$/,
    );
    const png = encodePng({ width: 32, height: 32, colorType: 0, bitDepth: 8, samples: new Array(1024).fill(7) });
    expect(rejection(png.subarray(0, png.length - 20), 'cut.png')).toMatch(
      /^cut\.png: corrupt or truncated PNG \(.+\)$/,
    );
  });
});
