/**
 * A lab model's weights as the exported PyTorch project's state_dict: each layer's arrays renamed to the PyTorch
 * module's parameters and buffers and transposed into PyTorch's layouts. The project's modules carry the lab's
 * (Keras) layer names, so `<layer>.<parameter>` is the key; a transfer model's backbone sits under `backbone.`.
 *
 *   Conv2D            kernel [kh, kw, in, out] → weight [out, in, kh, kw]; bias → bias
 *   DepthwiseConv2D   depthwise_kernel [kh, kw, c, m] → weight [c·m, 1, kh, kw]
 *   Dense             kernel [in, out] → weight [out, in]; bias → bias
 *   BatchNorm         gamma → weight, beta → bias, moving_mean → running_mean, moving_variance → running_var
 *   LightConv2D       w1, b1 → first.weight, first.bias; w2, b2 → second.weight, second.bias
 *   LightDense        w1 [in, k], w2 [k, units], bias → w1, w2, bias (same layout; the scale stays in forward)
 */
import type * as tf from '@tensorflow/tfjs';
import type { NamedTensor } from './safetensors';

/** One layer's arrays by short name, as read from the lab model. */
export type LayerArrays = Map<string, { shape: number[]; values: Float32Array }>;

/** Reads a layer's weights by short name (`kernel`, `moving_mean`, `w1`). */
export async function readLayerArrays(layer: tf.layers.Layer): Promise<LayerArrays> {
  const arrays: LayerArrays = new Map();
  for (const w of layer.weights) {
    const data = await w.read().data();
    arrays.set(w.originalName.split('/').pop()!, {
      shape: [...w.shape] as number[],
      values: Float32Array.from(data as Float32Array),
    });
  }
  return arrays;
}

/** [kh, kw, in, out] → [out, in, kh, kw]. */
function convKernel(name: string, shape: number[], v: Float32Array): NamedTensor {
  const [kh, kw, ci, co] = shape;
  const out = new Float32Array(v.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) {
          out[((o * ci + i) * kh + y) * kw + x] = v[((y * kw + x) * ci + i) * co + o];
        }
  return { name, shape: [co, ci, kh, kw], values: out };
}

/** [kh, kw, c, m] → [c·m, 1, kh, kw] (PyTorch's grouped convolution: output channel c·m + j belongs to input c). */
function depthwiseKernel(name: string, shape: number[], v: Float32Array): NamedTensor {
  const [kh, kw, c, m] = shape;
  const out = new Float32Array(v.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < c; i++)
        for (let j = 0; j < m; j++) {
          out[((i * m + j) * kh + y) * kw + x] = v[((y * kw + x) * c + i) * m + j];
        }
  return { name, shape: [c * m, 1, kh, kw], values: out };
}

/** [in, out] → [out, in]. */
function denseKernel(name: string, shape: number[], v: Float32Array): NamedTensor {
  const [fi, fo] = shape;
  const out = new Float32Array(v.length);
  for (let i = 0; i < fi; i++) for (let o = 0; o < fo; o++) out[o * fi + i] = v[i * fo + o];
  return { name, shape: [fo, fi], values: out };
}

/**
 * One layer's tensors under `module` (the PyTorch module path, e.g. `backbone.conv2d_1`).
 * @throws for a layer class with weights that the project has no module for
 */
export function torchTensorsOf(
  className: string,
  layerName: string,
  module: string,
  arrays: LayerArrays,
): NamedTensor[] {
  const get = (short: string) => {
    const a = arrays.get(short);
    if (!a) throw new Error(`layer ${layerName} (${className}) has no weight "${short}"`);
    return a;
  };
  const same = (short: string, as: string): NamedTensor => ({ name: `${module}.${as}`, ...get(short) });
  const optional = (short: string, as: string): NamedTensor[] => (arrays.has(short) ? [same(short, as)] : []);
  switch (className) {
    case 'Conv2D':
      return [convKernel(`${module}.weight`, get('kernel').shape, get('kernel').values), ...optional('bias', 'bias')];
    case 'DepthwiseConv2D':
      return [
        depthwiseKernel(`${module}.weight`, get('depthwise_kernel').shape, get('depthwise_kernel').values),
        ...optional('bias', 'bias'),
      ];
    case 'Dense':
      return [denseKernel(`${module}.weight`, get('kernel').shape, get('kernel').values), ...optional('bias', 'bias')];
    case 'BatchNormalization':
      return [
        ...optional('gamma', 'weight'),
        ...optional('beta', 'bias'),
        same('moving_mean', 'running_mean'),
        same('moving_variance', 'running_var'),
      ];
    case 'LightConv2D':
      return [
        convKernel(`${module}.first.weight`, get('w1').shape, get('w1').values),
        same('b1', 'first.bias'),
        convKernel(`${module}.second.weight`, get('w2').shape, get('w2').values),
        same('b2', 'second.bias'),
      ];
    case 'LightDense':
      return [same('w1', 'w1'), same('w2', 'w2'), same('bias', 'bias')];
    default:
      if (arrays.size === 0) return [];
      throw new Error(`layer ${layerName} is a ${className}, which the PyTorch project has no module for`);
  }
}

/**
 * The state_dict tensors of `model`'s layers for which `moduleOf` gives a module path (null skips the layer).
 * Reads the weights asynchronously; creates no tensors.
 */
export async function torchStateOf(
  model: tf.LayersModel,
  moduleOf: (layer: string) => string | null,
): Promise<NamedTensor[]> {
  const tensors: NamedTensor[] = [];
  for (const layer of model.layers) {
    const module = moduleOf(layer.name);
    if (module == null || layer.weights.length === 0) continue;
    tensors.push(...torchTensorsOf(layer.getClassName(), layer.name, module, await readLayerArrays(layer)));
  }
  return tensors;
}
