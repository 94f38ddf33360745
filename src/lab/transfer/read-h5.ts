/**
 * Reads a Keras 2 HDF5 weights file (`model.save_weights('x.h5')`, e.g. Keras' published
 * `inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5`, or a whole `model.save('x.h5')`) into
 * {@link SourceWeights}, with h5wasm (HDF5 compiled to WebAssembly: the same code in a page, a worker and Node).
 *
 * Layout read: the root (or `/model_weights` for a whole-model file) carries `layer_names`, the layers in
 * model.layers order; each layer group carries `weight_names` (`conv2d_1/kernel:0`, …) and holds those datasets.
 */
import type h5wasmType from 'h5wasm';
import {
  inferLayerKind,
  shortWeightName,
  toFloat32,
  WeightsFormatError,
  type SourceLayer,
  type SourceWeights,
} from './source-weights';

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when the bytes start like an HDF5 file (signature at offset 0; Keras never writes a user block). */
export function looksLikeHdf5(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && HDF5_SIGNATURE.every((b, i) => bytes[i] === b);
}

type H5Group = InstanceType<typeof h5wasmType.Group>;
type H5Dataset = InstanceType<typeof h5wasmType.Dataset>;

let fileCounter = 0;

/** Reads every layer's weights; the file is copied into h5wasm's in-memory file system and removed afterwards. */
export async function readH5Weights(bytes: Uint8Array, origin: string): Promise<SourceWeights> {
  if (!looksLikeHdf5(bytes))
    throw new WeightsFormatError(origin, 'not an HDF5 file (a Keras .h5 weights file starts with "\\x89HDF")');
  // Loaded on first use: the 4 MB HDF5 library stays out of the page's first download.
  const h5wasm = (await import('h5wasm')).default;
  const module = await h5wasm.ready;
  const path = `/xray-lab-weights-${++fileCounter}.h5`;
  module.FS.writeFile(path, bytes);
  let file: InstanceType<typeof h5wasmType.File> | null = null;
  try {
    file = new h5wasm.File(path, 'r');
    return { format: 'keras-h5', origin, layers: readLayers(weightsRoot(file, origin), origin) };
  } catch (err) {
    if (err instanceof WeightsFormatError) throw err;
    throw new WeightsFormatError(origin, `unreadable HDF5 file (${(err as Error).message})`);
  } finally {
    file?.close();
    module.FS.unlink(path);
  }
}

/** The group holding `layer_names`: the root of a weights file, `/model_weights` of a whole-model file. */
function weightsRoot(file: H5Group, origin: string): H5Group {
  const keys = file.keys();
  if (keys.includes('model_weights')) return file.get('model_weights') as H5Group;
  if (!('layer_names' in file.attrs)) {
    const hint =
      keys.includes('layers') || keys.includes('vars')
        ? 'it looks like a Keras 3 .weights.h5 file, which names no layers; save the model with Keras 2 (tf.keras) save_weights, or convert it with tensorflowjs_converter'
        : 'no layer_names attribute: not a Keras weights file';
    throw new WeightsFormatError(origin, hint);
  }
  return file;
}

function readLayers(root: H5Group, origin: string): SourceLayer[] {
  const layerNames = stringList(root.get_attribute('layer_names', true));
  const layers: SourceLayer[] = [];
  for (const name of layerNames) {
    const group = root.get(name) as H5Group | null;
    if (!group) throw new WeightsFormatError(origin, `layer_names lists "${name}" but the file has no such group`);
    const weightNames = 'weight_names' in group.attrs ? stringList(group.get_attribute('weight_names', true)) : [];
    if (weightNames.length === 0) continue; // pooling, activation, concatenate: nothing to load
    const weights = weightNames.map((full) => {
      const dataset = group.get(full) as H5Dataset | null;
      if (!dataset || dataset.shape == null)
        throw new WeightsFormatError(origin, `layer ${name}: weight ${full} is missing`);
      const values = dataset.value;
      if (!ArrayBuffer.isView(values) || values instanceof BigInt64Array || values instanceof BigUint64Array) {
        throw new WeightsFormatError(
          origin,
          `layer ${name}: weight ${full} is not a float array (dtype ${String(dataset.dtype)})`,
        );
      }
      return {
        name: shortWeightName(full),
        shape: [...dataset.shape],
        values: toFloat32(values as unknown as ArrayLike<number>),
      };
    });
    layers.push({ name, kind: inferLayerKind(weights), weights });
  }
  return layers;
}

/** h5wasm gives a string attribute as a string, or a list of them (fixed- or variable-length alike). */
function stringList(value: unknown): string[] {
  if (value == null) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flat().map((v) => String(v));
  return [];
}
