/**
 * safetensors, the tensor file format of Hugging Face's `safetensors` package: an 8-byte little-endian header length,
 * a JSON header ({name: {dtype, shape, data_offsets: [begin, end]}, __metadata__: {…}}) padded with spaces to a
 * multiple of 8 bytes, then the raw little-endian data. Chosen for the PyTorch export because it is trivial to read
 * with torch alone (the exported project does, in 20 lines), holds no pickle (loading runs no code from the file),
 * and `safetensors.torch.load_file` reads it too; torch's own .pt format is a zip of pickles.
 */

/** One float32 tensor, row-major. */
export interface NamedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** Serialises float32 tensors, in the order given, with optional string metadata. */
export function encodeSafetensors(tensors: readonly NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const names = new Set<string>();
  for (const t of tensors) {
    if (names.has(t.name)) throw new Error(`safetensors: tensor ${t.name} appears twice`);
    names.add(t.name);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.values.length)
      throw new Error(`safetensors: ${t.name} has ${t.values.length} values for shape [${t.shape.join(', ')}]`);
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length)
    json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(padded - json.length));
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of tensors) {
    // Float32Array is little-endian on every platform tfjs runs on; DataView keeps it explicit and portable.
    for (let i = 0; i < t.values.length; i++, at += 4) view.setFloat32(at, t.values[i], true);
  }
  return out;
}

/** Reads a file written by {@link encodeSafetensors} (float32 tensors only) — for tests and round trips. */
export function decodeSafetensors(bytes: Uint8Array): { tensors: NamedTensor[]; metadata: Record<string, string> } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const start = 8 + length;
  const tensors: NamedTensor[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (info.dtype !== 'F32') throw new Error(`safetensors: ${name} is ${info.dtype}, only F32 is read here`);
    const [begin, end] = info.data_offsets;
    const values = new Float32Array((end - begin) / 4);
    for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(start + begin + 4 * i, true);
    tensors.push({ name, shape: info.shape, values });
  }
  return { tensors, metadata: (header.__metadata__ ?? {}) as unknown as Record<string, string> };
}
