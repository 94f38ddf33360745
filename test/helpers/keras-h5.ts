import type * as tf from '@tensorflow/tfjs';
import h5wasm from 'h5wasm';

/**
 * Writes a model's weights as Keras 2's `save_weights('x.h5')` does (h5py layout): root attribute `layer_names` (every
 * layer, fixed-length byte strings), one group per layer with `weight_names` (empty for layers without weights) and
 * the datasets `<layer>/<layer>/<weight>:0`. Options rename layers (to imitate Keras ≥ 2.4 numbering), drop layers,
 * or nest everything under `/model_weights` (a whole-model `model.save('x.h5')`).
 */
export interface KerasH5Options {
  rename?: (name: string) => string;
  skip?: (name: string) => boolean;
  wholeModel?: boolean;
  /** Changes a weight's values and shape before writing (to fake a file of the wrong shapes). */
  mutate?: (
    layer: string,
    weight: string,
    values: Float32Array,
    shape: number[],
  ) => { values: Float32Array; shape: number[] };
}

let counter = 0;

export async function kerasWeightsH5(model: tf.LayersModel, options: KerasH5Options = {}): Promise<Uint8Array> {
  const module = await h5wasm.ready;
  const path = `/keras-test-${++counter}.h5`;
  const file = new h5wasm.File(path, 'w');
  try {
    const root = options.wholeModel ? file.create_group('model_weights') : file;
    const rename = options.rename ?? ((n: string) => n);
    const layers = model.layers.filter((l) => !options.skip?.(l.name));
    const names = layers.map((l) => rename(l.name));
    root.create_attribute('layer_names', names, [names.length], fixedString(names));
    root.create_attribute('backend', 'tensorflow');
    root.create_attribute('keras_version', '2.2.4');
    for (const layer of layers) {
      const name = rename(layer.name);
      const group = root.create_group(name);
      const weightNames = layer.weights.map((w) => `${name}/${w.originalName.split('/').pop()}:0`);
      group.create_attribute('weight_names', weightNames, [weightNames.length], fixedString(weightNames));
      if (weightNames.length === 0) continue;
      const inner = group.create_group(name);
      for (const w of layer.weights) {
        const short = w.originalName.split('/').pop()!;
        let values = w.read().dataSync() as Float32Array;
        let shape = w.shape as number[];
        if (options.mutate) ({ values, shape } = options.mutate(name, short, values, shape));
        inner.create_dataset({ name: `${short}:0`, data: values, shape, dtype: '<f' });
      }
    }
  } finally {
    file.close();
  }
  const bytes = module.FS.readFile(path) as Uint8Array;
  module.FS.unlink(path);
  return bytes;
}

/** h5py stores name lists as fixed-length byte strings as long as the longest. */
function fixedString(values: string[]): string {
  return `S${Math.max(1, ...values.map((v) => v.length))}`;
}

/** Keras ≥ 2.4's automatic names: our `conv2d_1` is its `conv2d`, our `conv2d_2` its `conv2d_1`, and so on. */
export function keras24Name(name: string): string {
  const m = /^(conv2d|batch_normalization|activation|max_pooling2d|average_pooling2d|concatenate)_(\d+)$/.exec(name);
  if (!m) return name;
  const n = Number(m[2]) - 1;
  return n === 0 ? m[1] : `${m[1]}_${n}`;
}
