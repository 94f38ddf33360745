/**
 * Where each cell of a feature map sits in the image: the centre of its receptive field, read from the convolutions
 * and pools between the image and the map. Stretching a map over the whole image is right only when every layer pads
 * 'same'; the plain CNN's valid convolutions lose 6 pixels per block, so its 13×13 map at 96 px covers image pixels
 * 22.5 … 70.5, and stretching it to 0 … 95 would push every hot spot away from the centre (by up to 20 pixels).
 */
import type * as tf from '@tensorflow/tfjs';

/** Image coordinate (pixel index; pixel i spans i − 0.5 … i + 0.5) of map cell j along one axis: scale·j + offset. */
export interface AxisMap {
  readonly scale: number;
  readonly offset: number;
}

/** Rows and columns of a map, in image pixels. */
export interface MapGeometry {
  readonly y: AxisMap;
  readonly x: AxisMap;
}

/** The geometry a plain stretch assumes: cells evenly spread over the image (half-pixel centres). */
export function stretchGeometry(height: number, width: number, size: number): MapGeometry {
  const axis = (cells: number): AxisMap => ({ scale: size / cells, offset: (size / cells - 1) / 2 });
  return { y: axis(height), x: axis(width) };
}

interface LayerConfig {
  kernelSize?: number | number[];
  poolSize?: number | number[];
  strides?: number | number[] | null;
  padding?: string | number | number[] | number[][];
  dilationRate?: number | number[];
}

const pair = (v: number | number[] | null | undefined, fallback: number): [number, number] =>
  v == null ? [fallback, fallback] : typeof v === 'number' ? [v, v] : [v[0], v[1] ?? v[0]];

/** One sliding window (convolution or pool) along one axis: output index o → input coordinate s·o + e. */
function windowStep(length: number, kernel: number, stride: number, dilation: number, padding: string): AxisMap {
  const reach = (kernel - 1) * dilation + 1;
  const total = padding === 'same' ? Math.max((Math.ceil(length / stride) - 1) * stride + reach - length, 0) : 0;
  // TensorFlow pads the smaller half before (top/left).
  return { scale: stride, offset: (reach - 1) / 2 - Math.floor(total / 2) };
}

/** What one layer does to coordinates along each axis, or null when it is not understood (and changes the size). */
function layerSteps(
  layer: tf.layers.Layer,
  inShape: readonly (number | null)[],
  outShape: readonly (number | null)[],
): [AxisMap[], AxisMap[]] | null {
  const config = layer.getConfig() as LayerConfig;
  const className = layer.getClassName();
  if (className === 'ZeroPadding2D') {
    const p = config.padding;
    const [top, left] =
      typeof p === 'number'
        ? [p, p]
        : Array.isArray(p) && Array.isArray(p[0])
          ? [(p as number[][])[0][0], (p as number[][])[1][0]]
          : [(p as number[])[0], (p as number[])[1]];
    return [[{ scale: 1, offset: -top }], [{ scale: 1, offset: -left }]];
  }
  const kernel = config.kernelSize ?? config.poolSize;
  if (kernel != null && typeof config.padding === 'string') {
    const [kh, kw] = pair(kernel, 1);
    const [sh, sw] = pair(config.strides, config.poolSize != null ? pair(config.poolSize, 1)[0] : 1);
    const [dh, dw] = pair(config.dilationRate, 1);
    // LightConv2D is two stacked convolutions with the same kernel, strides and padding.
    const times = className === 'LightConv2D' ? 2 : 1;
    const axis = (length: number, k: number, s: number, d: number): AxisMap[] => {
      const steps: AxisMap[] = [];
      for (let i = 0; i < times; i++) {
        steps.push(windowStep(length, k, s, d, config.padding as string));
        length = config.padding === 'same' ? Math.ceil(length / s) : Math.ceil((length - ((k - 1) * d + 1) + 1) / s);
      }
      return steps;
    };
    return [axis(inShape[1] as number, kh, sh, dh), axis(inShape[2] as number, kw, sw, dw)];
  }
  if (inShape[1] === outShape[1] && inShape[2] === outShape[2]) return [[], []];
  return null;
}

/**
 * The geometry of feature map `tensor` (a 4-D activation of a model on square `size` images), following the first
 * input of every layer down to the image (branches that are joined are aligned by the networks' design). Falls back
 * to a plain stretch when a layer on the way is not understood.
 */
export function mapGeometry(tensor: tf.SymbolicTensor, size: number): MapGeometry {
  const [, height, width] = tensor.shape as number[];
  const path: tf.SymbolicTensor[] = [];
  for (let t = tensor; t.inputs.length > 0; t = t.inputs[0]) path.push(t);
  let y: AxisMap = { scale: 1, offset: 0 };
  let x: AxisMap = { scale: 1, offset: 0 };
  const compose = (outer: AxisMap, step: AxisMap): AxisMap => ({
    scale: outer.scale * step.scale,
    offset: outer.scale * step.offset + outer.offset,
  });
  for (const t of path.reverse()) {
    const input = t.inputs[0];
    const steps = input.rank === 4 && t.rank === 4 ? layerSteps(t.sourceLayer, input.shape, t.shape) : null;
    if (!steps) return stretchGeometry(height, width, size);
    for (const step of steps[0]) y = compose(y, step);
    for (const step of steps[1]) x = compose(x, step);
  }
  return { y, x };
}
