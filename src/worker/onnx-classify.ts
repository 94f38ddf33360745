/**
 * Classifying with a dropped model.onnx (the lab's ONNX export, or any ONNX model that takes square NHWC images and
 * gives class scores), run by onnxruntime-web on WebAssembly. The .wasm file is one of the built site's own assets
 * (Vite's ?url import): nothing is fetched from elsewhere.
 */
import * as ort from 'onnxruntime-web/wasm';
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import type { PixelRange } from '../lab/data/batches';
import type { onnx as proto } from 'onnx-proto';
import { onnx } from '../lab/export/onnx/onnx-schema';
import type { LoadedModelInfo } from './protocol';

/** Points onnxruntime-web at the site's own .wasm, on first use (the module is also imported where there is no page). */
function configure(): void {
  ort.env.wasm.wasmPaths = { wasm: new URL(wasmUrl, self.location.href).href };
  // One thread: several would need a cross-origin-isolated page (SharedArrayBuffer), and a few images are quick.
  ort.env.wasm.numThreads = 1;
}

interface OnnxModel {
  session: ort.InferenceSession;
  input: string;
  output: string;
  info: LoadedModelInfo;
}

const sessions = new Map<string, OnnxModel>();

/** The ONNX model loaded as `ref`, or null when `ref` is a TF.js model. */
export function onnxModel(ref: string): OnnxModel | null {
  return sessions.get(ref) ?? null;
}

/** What the file says about its input and classes: the input's shape, and the lab's metadata_props when present. */
function describe(bytes: Uint8Array, ref: string): { info: LoadedModelInfo; input: string; output: string } {
  let model: proto.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new Error(`not an ONNX model: ${(err as Error).message}`, { cause: err });
  }
  const graph = model.graph;
  const input = graph?.input?.find((i) => !graph.initializer?.some((t) => t.name === i.name));
  const output = graph?.output?.[0];
  if (!input?.name || !output?.name) throw new Error('the ONNX model names no graph input or output');
  const dims = (input.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimValue != null ? Number(d.dimValue) : null));
  const [, h, w, c] = dims;
  if (dims.length !== 4 || h == null || h !== w || (c !== 1 && c !== 3)) {
    throw new Error(
      `the ONNX model takes input [${dims.map((d) => d ?? '?').join(', ')}]; the lab needs [N, size, size, 1 or 3] (NHWC)`,
    );
  }
  const props = new Map((model.metadataProps ?? []).map((p): [string, string] => [p.key ?? '', p.value ?? '']));
  const outDims = (output.type?.tensorType?.shape?.dim ?? []).map((d) =>
    d.dimValue != null ? Number(d.dimValue) : null,
  );
  const classes = outDims[1] ?? 2;
  let classNames: string[] = [];
  try {
    classNames = JSON.parse(props.get('classNames') ?? '[]') as string[];
  } catch {
    classNames = [];
  }
  if (!Array.isArray(classNames) || classNames.length !== classes)
    classNames = Array.from({ length: classes }, (_, i) => `class ${i}`);
  const pixelRange: PixelRange = props.get('pixelRange') === '-1,1' ? '-1,1' : '0,1';
  return { info: { ref, size: h, channels: c, classNames, pixelRange }, input: input.name, output: output.name };
}

export async function loadOnnxModel(ref: string, bytes: ArrayBuffer): Promise<LoadedModelInfo> {
  await releaseOnnxModel(ref);
  const data = new Uint8Array(bytes);
  const { info, input, output } = describe(data, ref);
  configure();
  const session = await ort.InferenceSession.create(data, { executionProviders: ['wasm'] });
  sessions.set(ref, { session, input, output, info });
  return info;
}

export async function releaseOnnxModel(ref: string): Promise<void> {
  const old = sessions.get(ref);
  sessions.delete(ref);
  await old?.session.release();
}

/** Class scores of `count` uint8 images (NHWC), scaled to the model's pixel range as the lab's batches are. */
export async function predictOnnx(model: OnnxModel, pixels: Uint8Array, count: number): Promise<Float32Array> {
  const { size, channels, pixelRange, classNames } = model.info;
  const scale = pixelRange === '0,1' ? 1 / 255 : 2 / 255;
  const offset = pixelRange === '0,1' ? 0 : -1;
  const floats = new Float32Array(count * size * size * channels);
  for (let i = 0; i < floats.length; i++) floats[i] = pixels[i] * scale + offset;
  const input = new ort.Tensor('float32', floats, [count, size, size, channels]);
  const result = await model.session.run({ [model.input]: input });
  const out = result[model.output];
  try {
    if (out.dims.length !== 2 || out.dims[0] !== count || out.dims[1] !== classNames.length) {
      throw new Error(
        `the ONNX model gave [${out.dims.join(', ')}], not [${count}, ${classNames.length}] class scores`,
      );
    }
    return Float32Array.from(out.data as Float32Array);
  } finally {
    input.dispose();
    out.dispose();
  }
}
