/**
 * Image files that stress the limits, generated in memory: a real PNG of any size (blank, so an 8000×8000 one
 * deflates to ~70 kB), and valid small files whose header is patched to declare another size.
 */
import { deflateSync } from 'node:zlib';
import * as jpeg from 'jpeg-js';

const CRC = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A valid 8-bit grey PNG of `width` × `height`, every pixel `value`, rows unfiltered. */
export function blankPng(width: number, height: number, value = 0): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const raw = new Uint8Array((width + 1) * height);
  if (value !== 0) for (let y = 0; y < height; y++) raw.fill(value, y * (width + 1) + 1, (y + 1) * (width + 1));
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ];
  return new Uint8Array(Buffer.concat(parts)); // its own buffer: callers patch it through a DataView
}

/** A small valid JPEG (grey, `side` px). */
export function smallJpeg(side = 16, value = 128): Uint8Array {
  const data = new Uint8Array(side * side * 4).fill(value);
  return new Uint8Array(jpeg.encode({ width: side, height: side, data }, 80).data);
}

/** A copy of `bytes` (a JPEG) whose frame header declares `width` × `height`. */
export function withJpegSize(bytes: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let at = 2; at + 9 < out.length;) {
    const marker = out[at + 1];
    if (marker >= 0xc0 && marker <= 0xc3) {
      out[at + 5] = height >> 8;
      out[at + 6] = height & 0xff;
      out[at + 7] = width >> 8;
      out[at + 8] = width & 0xff;
      return out;
    }
    at += 2 + ((out[at + 2] << 8) | out[at + 3]);
  }
  throw new Error('no frame header');
}

/** A copy of `bytes` (a PNG) whose IHDR declares `width` × `height` (its CRC left stale: only headers are read). */
export function withPngSize(bytes: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(bytes);
  const view = new DataView(out.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return out;
}
