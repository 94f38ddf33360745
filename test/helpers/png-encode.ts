import { deflateSync } from 'node:zlib';

/**
 * A minimal PNG writer for test fixtures, covering what pngjs cannot write: palette images, and exact control of
 * colour type and bit depth. No filtering, no interlace — the decoder under test must read any valid PNG anyway.
 */
export interface PngSpec {
  readonly width: number;
  readonly height: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  readonly colorType: 0 | 2 | 3 | 4 | 6;
  readonly bitDepth: 8 | 16;
  /** Samples row-major, channels interleaved (palette: one index per pixel); values up to 2^bitDepth − 1. */
  readonly samples: ArrayLike<number>;
  /** RGB triples, for colorType 3. */
  readonly palette?: readonly (readonly [number, number, number])[];
}

const CHANNELS: Record<PngSpec['colorType'], number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

const CRC_TABLE = (() => {
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
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Encodes `spec` as PNG file bytes. */
export function encodePng(spec: PngSpec): Uint8Array {
  const { width, height, colorType, bitDepth, samples } = spec;
  const perPixel = CHANNELS[colorType];
  const bytesPerSample = bitDepth / 8;
  const rowBytes = width * perPixel * bytesPerSample;
  const raw = new Uint8Array(height * (rowBytes + 1));
  for (let y = 0; y < height; y++) {
    const row = y * (rowBytes + 1); // leading 0: filter type "none"
    for (let i = 0; i < width * perPixel; i++) {
      const v = samples[y * width * perPixel + i];
      if (bitDepth === 16) {
        raw[row + 1 + 2 * i] = v >>> 8;
        raw[row + 2 + 2 * i] = v & 0xff;
      } else raw[row + 1 + i] = v;
    }
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([bitDepth, colorType, 0, 0, 0], 8);
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)];
  if (colorType === 3) parts.push(chunk('PLTE', new Uint8Array((spec.palette ?? []).flat())));
  parts.push(chunk('IDAT', new Uint8Array(deflateSync(raw))), chunk('IEND', new Uint8Array(0)));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
