/**
 * Decodes the binary shards of a TF.js weights manifest into float32 arrays, without tfjs: no tensors are made, so
 * 87 MB of ImageNet weights can be read on any backend (or none) and kept as plain data. Handles float32, int32 and
 * the converter's quantisations (uint8 / uint16 affine, float16), with the arithmetic tfjs itself uses, so the
 * values are bit-identical to what `tf.loadLayersModel` would load.
 */
import type * as tf from '@tensorflow/tfjs';
import { WeightsFormatError } from './source-weights';

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

/** Bytes one weight occupies in a shard. */
export function specBytes(spec: tf.io.WeightsManifestEntry): number {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  return count * (BYTES[spec.quantization?.dtype ?? spec.dtype] ?? 4);
}

/**
 * Decodes one manifest group: `shards` are its files in order (a weight may straddle two of them).
 * @returns one float32 array per spec, in spec order
 */
export function decodeWeightGroup(
  specs: tf.io.WeightsManifestEntry[],
  shards: ArrayBuffer[],
  origin: string,
): Float32Array[] {
  const total = shards.reduce((n, b) => n + b.byteLength, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const shard of shards) {
    bytes.set(new Uint8Array(shard), at);
    at += shard.byteLength;
  }
  let offset = 0;
  return specs.map((spec) => {
    const size = specBytes(spec);
    if (offset + size > total) {
      throw new WeightsFormatError(origin, `weight ${spec.name} runs past the end of its shards (${total} bytes)`);
    }
    // slice() copies into a fresh, aligned buffer, so the typed views below are always legal.
    const chunk = bytes.slice(offset, offset + size).buffer;
    offset += size;
    return decodeOne(spec, chunk, origin);
  });
}

function decodeOne(spec: tf.io.WeightsManifestEntry, chunk: ArrayBuffer, origin: string): Float32Array {
  const q = spec.quantization;
  if (!q) {
    if (spec.dtype === 'float32') return new Float32Array(chunk);
    if (spec.dtype === 'int32') return Float32Array.from(new Int32Array(chunk));
    throw new WeightsFormatError(origin, `weight ${spec.name} has dtype ${spec.dtype}, not a number array`);
  }
  if (q.dtype === 'uint8' || q.dtype === 'uint16') {
    if (q.min == null || q.scale == null)
      throw new WeightsFormatError(origin, `weight ${spec.name}: ${q.dtype} quantisation without min and scale`);
    const raw = q.dtype === 'uint8' ? new Uint8Array(chunk) : new Uint16Array(chunk);
    const out = new Float32Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = raw[i] * q.scale + q.min;
    return out;
  }
  if (q.dtype === 'float16') return float16ToFloat32(new Uint16Array(chunk));
  throw new WeightsFormatError(origin, `weight ${spec.name}: unknown quantisation ${String(q.dtype)}`);
}

/** IEEE half → single precision, subnormals, infinities and NaN included. */
export function float16ToFloat32(half: Uint16Array): Float32Array {
  const out = new Float32Array(half.length);
  for (let i = 0; i < half.length; i++) {
    const h = half[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) out[i] = sign * fraction * 2 ** -24;
    else if (exponent === 31) out[i] = fraction ? NaN : sign * Infinity;
    else out[i] = sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  return out;
}
