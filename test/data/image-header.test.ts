import * as jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { readImageHeader } from '../../src/lab/data/image-header';
import { encodePng } from '../helpers/png-encode';

function jpegBytes(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 4).fill(128);
  return new Uint8Array(jpeg.encode({ width, height, data }, 80).data);
}

const problem = (bytes: Uint8Array, path = 'x/f.jpeg'): string => {
  try {
    readImageHeader(bytes, path);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a DataError');
};

describe('readImageHeader', () => {
  it('reads JPEG size and components without decoding', () => {
    expect(readImageHeader(jpegBytes(37, 21), 'a.jpeg')).toEqual({
      format: 'jpeg',
      width: 37,
      height: 21,
      bitDepth: 8,
      channels: 3,
    });
  });

  it.each([
    [0, 8, 1],
    [2, 8, 3],
    [4, 8, 2],
    [6, 8, 4],
    [0, 16, 1],
    [6, 16, 4],
  ] as const)('reads PNG colour type %i at %i bits', (colorType, bitDepth, channels) => {
    const samples = new Array(5 * 3 * channels).fill(1);
    const png = encodePng({ width: 5, height: 3, colorType, bitDepth, samples });
    expect(readImageHeader(png, 'p.png')).toEqual({ format: 'png', width: 5, height: 3, bitDepth, channels });
  });

  it('names empty, mislabelled and cut-off files', () => {
    expect(problem(new Uint8Array(0))).toBe('x/f.jpeg: empty file (0 bytes)');
    expect(problem(new TextEncoder().encode('<html>hello</html>'))).toBe(
      'x/f.jpeg: not a JPEG or PNG image (starts with text "<html>hello<")',
    );
    const good = jpegBytes(64, 64);
    expect(problem(good.slice(0, good.length - 200))).toBe(
      'x/f.jpeg: corrupt or truncated JPEG (no end-of-image marker)',
    );
    expect(problem(good.slice(0, 12))).toBe('x/f.jpeg: corrupt or truncated JPEG (the file ends inside its header)');
    const png = encodePng({ width: 4, height: 4, colorType: 0, bitDepth: 8, samples: new Array(16).fill(3) });
    expect(problem(png.slice(0, png.length - 12), 'p.png')).toBe('p.png: corrupt or truncated PNG (no IEND chunk)');
    expect(problem(png.slice(0, 20), 'p.png')).toBe(
      'p.png: corrupt or truncated PNG (the file ends inside its header)',
    );
  });
});
