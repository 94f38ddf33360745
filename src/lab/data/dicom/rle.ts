/**
 * DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits segment per byte plane
 * of the image, most significant byte first. Small enough to write here; no codec package is needed.
 */

/**
 * Decodes one RLE frame of `pixels` samples of `bytesPerSample` bytes into stored words (8, 16 or 32 bits). Throws an
 * Error saying what is wrong for a damaged frame.
 */
export function decodeRle(frame: Uint8Array, pixels: number, bytesPerSample: number): Uint32Array {
  if (frame.length < 64) throw new Error('RLE frame shorter than its 64-byte header');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = view.getUint32(0, true);
  if (segments !== bytesPerSample)
    throw new Error(`RLE frame has ${segments} segments, expected ${bytesPerSample} (one a byte)`);
  const words = new Uint32Array(pixels);
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? view.getUint32(8 + 4 * s, true) : frame.length;
    if (start < 64 || end > frame.length || start > end) throw new Error(`RLE segment ${s + 1} lies outside the frame`);
    const plane = unpackBits(frame.subarray(start, end), pixels);
    // Segment 0 holds the most significant byte.
    const shift = 8 * (segments - 1 - s);
    for (let i = 0; i < pixels; i++) words[i] |= plane[i] << shift;
  }
  return words;
}

/** PackBits: a header byte n ≥ 0 copies n + 1 literal bytes; −127 ≤ n ≤ −1 repeats the next byte 1 − n times. */
function unpackBits(segment: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  let o = 0;
  while (at < segment.length && o < length) {
    const n = (segment[at++] << 24) >> 24;
    if (n >= 0) {
      const count = Math.min(n + 1, length - o, segment.length - at);
      out.set(segment.subarray(at, at + count), o);
      at += n + 1;
      o += count;
    } else if (n !== -128) {
      const count = Math.min(1 - n, length - o);
      out.fill(segment[at++], o, o + count);
      o += count;
    }
  }
  if (o < length) throw new Error(`RLE segment ends after ${o} of ${length} bytes`);
  return out;
}
