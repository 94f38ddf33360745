/**
 * The stock model as a Keras HDF5 file — what Keras 2's `model.save('model.h5')` writes and
 * `keras.models.load_model('model.h5')` reads (Keras 3 too, through its legacy .h5 loader):
 *
 *   /                       attrs model_config (the functional-model JSON), keras_version, backend, xray_lab
 *   /model_weights          attrs layer_names (every layer, in model order), keras_version, backend
 *   /model_weights/<layer>  attr weight_names (`<layer>/kernel:0`, …; empty for layers without weights)
 *   /model_weights/<layer>/<layer>/kernel:0   float32 datasets, Keras shapes (a Conv2D kernel is [kh, kw, in, out])
 *
 * Keras loads the weights by order: the layers that have weights, in model order, each with its weights in
 * `layer.weights` order — which is how the stock model lists them. Written with h5wasm (HDF5 compiled to
 * WebAssembly), so the same code runs in a page, a worker and Node. No optimizer state: the file is for inference
 * and fine-tuning, and Keras says "No training configuration found" and leaves the model uncompiled.
 */
import type * as tf from '@tensorflow/tfjs';
import type h5wasmType from 'h5wasm';
import { checkExportMetadata, type ExportMetadata } from '../export-metadata';
import { toStockModel, type StockModel } from '../stock/stock-model';

/**
 * Keras reads `keras_version` only to decide whether a file needs converting from Keras 1 (a missing one means "1");
 * any 2.x value marks the Keras 2 layout written here.
 */
const KERAS_VERSION = '2.4.0';
const BACKEND = 'tensorflow';

type H5File = InstanceType<typeof h5wasmType.File>;

/** The lab model as a Keras .h5 file (stock layers, final softmax; see the module note). */
export async function kerasH5File(model: tf.LayersModel, meta: ExportMetadata): Promise<Uint8Array> {
  checkExportMetadata(meta);
  return stockModelToKerasH5(await toStockModel(model), meta);
}

let fileCounter = 0;

/** Writes an already rewritten model (shared with the TF.js export when both are wanted). */
export async function stockModelToKerasH5(stock: StockModel, meta: ExportMetadata): Promise<Uint8Array> {
  // Loaded on first use: the 4 MB HDF5 library stays out of the page's first download.
  const h5wasm = (await import('h5wasm')).default;
  const module = await h5wasm.ready;
  const path = `/xray-lab-export-${++fileCounter}.h5`;
  try {
    writeLayout(new h5wasm.File(path, 'w'), stock, meta);
    return module.FS.readFile(path) as Uint8Array;
  } finally {
    // The in-memory file system would otherwise keep every export made in this realm.
    if (module.FS.analyzePath(path).exists) module.FS.unlink(path);
  }
}

/** Writes the layout of the module note into an open file, and closes it. */
function writeLayout(file: H5File, stock: StockModel, meta: ExportMetadata): void {
  try {
    const modelConfig = { class_name: stock.topology.class_name, config: stock.topology.config };
    bytesAttribute(file, 'model_config', JSON.stringify(modelConfig));
    bytesAttribute(file, 'keras_version', KERAS_VERSION);
    bytesAttribute(file, 'backend', BACKEND);
    bytesAttribute(file, 'xray_lab', JSON.stringify({ ...meta, format: 'stock', output: 'probabilities' }));

    const root = file.create_group('model_weights');
    const names = stock.layers.map((l) => l.name);
    root.create_attribute('layer_names', names, [names.length], fixedString(names));
    bytesAttribute(root, 'keras_version', KERAS_VERSION);
    bytesAttribute(root, 'backend', BACKEND);
    for (const layer of stock.layers) {
      const group = root.create_group(layer.name);
      // Keras names a weight `<layer>/<weight>:0` and stores it at that path inside the layer's group.
      const weightNames = layer.weights.map((w) => `${w.name}:0`);
      group.create_attribute('weight_names', weightNames, [weightNames.length], fixedString(weightNames));
      if (layer.weights.length === 0) continue;
      const inner = group.create_group(layer.name);
      for (const w of layer.weights) {
        const short = w.name.slice(w.name.lastIndexOf('/') + 1);
        inner.create_dataset({ name: `${short}:0`, data: w.values, shape: [...w.shape], dtype: '<f' });
      }
    }
  } finally {
    file.close();
  }
}

/** Keras (via h5py) stores name lists as fixed-length byte strings as long as the longest; UTF-8 counts bytes. */
function fixedString(values: string[]): string {
  const encoder = new TextEncoder();
  return `S${Math.max(1, ...values.map((v) => encoder.encode(v).length))}`;
}

/**
 * A string attribute as Keras 2 writes it (`json.dumps(…).encode('utf8')`): fixed-length bytes, which h5py returns as
 * bytes. Keras 2.2/2.3 call `.decode('utf8')` on them unconditionally, so a variable-length (str) attribute would
 * break there; Keras ≥ 2.4 and 3 accept either.
 */
function bytesAttribute(target: H5File | ReturnType<H5File['create_group']>, name: string, value: string): void {
  target.create_attribute(name, value, null, fixedString([value]));
}
