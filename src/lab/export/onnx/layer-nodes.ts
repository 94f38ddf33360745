/**
 * One stock Keras layer (see ../stock) as ONNX nodes. Keras is channels-last and ONNX's Conv / pools / BatchNorm are
 * channels-first, so every 4-D tensor inside the graph is NCHW: the input is transposed once, and a tensor's `shape`
 * here stays the Keras (NHWC) shape, which is what padding and axes are worked out from.
 */
import type { LayerJson } from '../stock/keras-json';
import type { StockWeight } from '../stock/stock-model';
import type { OnnxGraph } from './onnx-graph';

/** A tensor in the graph: its ONNX name and its Keras shape (batch first, `null`). */
export interface OnnxTensor {
  readonly name: string;
  readonly shape: ReadonlyArray<number | null>;
}

/** Thrown for a stock layer (or a setting of one) that the ONNX export has no nodes for. */
export class OnnxExportError extends Error {
  constructor(layer: string, what: string) {
    super(`ONNX export: layer "${layer}": ${what}`);
    this.name = 'OnnxExportError';
  }
}

/** NHWC axis → NCHW axis. */
const TO_NCHW = [0, 2, 3, 1];

const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [v[0], v[1]] : [v as number, v as number]);

/** Output side and the two pads of one spatial dimension, as TF computes them ('same': the odd pixel goes after). */
function window(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  padding: string,
  layer: string,
): { out: number; before: number; after: number } {
  const span = (kernel - 1) * dilation + 1;
  if (padding === 'valid') return { out: Math.floor((size - span) / stride) + 1, before: 0, after: 0 };
  if (padding !== 'same') throw new OnnxExportError(layer, `padding "${padding}" is not supported`);
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + span - size, 0);
  return { out, before: Math.floor(total / 2), after: total - Math.floor(total / 2) };
}

/** Conv / pool geometry of a layer on a 4-D input: ONNX attributes and the Keras output shape. */
function geometry(
  layer: LayerJson,
  input: OnnxTensor,
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number],
  channelsOut: number,
) {
  const padding = (layer.config.padding as string | undefined) ?? 'valid';
  const [h, w] = [input.shape[1], input.shape[2]];
  if (h == null || w == null) throw new OnnxExportError(layer.name, 'needs a fixed input size');
  const y = window(h, kernel[0], strides[0], dilations[0], padding, layer.name);
  const x = window(w, kernel[1], strides[1], dilations[1], padding, layer.name);
  return {
    attrs: { kernel_shape: kernel, strides, pads: [y.before, x.before, y.after, x.after] },
    shape: [input.shape[0], y.out, x.out, channelsOut],
  };
}

/** Keras kernel [kh, kw, in, out] → ONNX Conv weight [out, in, kh, kw]. */
function convWeight(kernel: StockWeight): { dims: number[]; values: Float32Array } {
  const [kh, kw, cin, cout] = kernel.shape;
  const out = new Float32Array(kernel.values.length);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let c = 0; c < cin; c++)
        for (let o = 0; o < cout; o++) {
          out[((o * cin + c) * kh + i) * kw + j] = kernel.values[((i * kw + j) * cin + c) * cout + o];
        }
  return { dims: [cout, cin, kh, kw], values: out };
}

/** Keras depthwise kernel [kh, kw, in, multiplier] → grouped Conv weight [in·multiplier, 1, kh, kw] (channel c·m + k). */
function depthwiseWeight(kernel: StockWeight): { dims: number[]; values: Float32Array } {
  const [kh, kw, cin, mult] = kernel.shape;
  const out = new Float32Array(kernel.values.length);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let c = 0; c < cin; c++)
        for (let m = 0; m < mult; m++) {
          out[((c * mult + m) * kh + i) * kw + j] = kernel.values[((i * kw + j) * cin + c) * mult + m];
        }
  return { dims: [cin * mult, 1, kh, kw], values: out };
}

/** A Keras activation applied to `input` as the node named `output` (or nothing for 'linear'). */
export function activation(
  graph: OnnxGraph,
  kind: string,
  input: OnnxTensor,
  output: string,
  layer: string,
): OnnxTensor {
  const done = (name: string): OnnxTensor => ({ name, shape: input.shape });
  switch (kind) {
    case 'linear':
      return done(graph.node('Identity', [input.name], output));
    case 'relu':
      return done(graph.node('Relu', [input.name], output));
    case 'sigmoid':
      return done(graph.node('Sigmoid', [input.name], output));
    case 'tanh':
      return done(graph.node('Tanh', [input.name], output));
    case 'relu6':
      return done(
        graph.node('Clip', [input.name, graph.scalar(`${output}/min`, 0), graph.scalar(`${output}/max`, 6)], output),
      );
    // Keras' softmax runs over the last (channel) axis, which is axis 1 of an NCHW tensor.
    case 'softmax':
      return done(graph.node('Softmax', [input.name], output, { axis: input.shape.length === 4 ? 1 : -1 }));
    default:
      throw new OnnxExportError(layer, `activation "${kind}" is not supported`);
  }
}

/**
 * Adds the nodes of `layer` (not an InputLayer) and returns its output tensor, named after the layer.
 * @param weights the layer's weights by short name (`kernel`, `bias`, `gamma`, `moving_mean`, …)
 */
export function layerNodes(
  graph: OnnxGraph,
  layer: LayerJson,
  weights: ReadonlyMap<string, StockWeight>,
  inputs: readonly OnnxTensor[],
): OnnxTensor {
  const c = layer.config;
  const name = layer.name;
  const [input] = inputs;
  const weight = (short: string): StockWeight => {
    const w = weights.get(short);
    if (!w) throw new OnnxExportError(name, `has no weight "${short}"`);
    return w;
  };
  const needs4d = () => {
    if (input.shape.length !== 4)
      throw new OnnxExportError(name, `expects a 4-D input, got rank ${input.shape.length}`);
  };
  const act = (kind: unknown, pre: OnnxTensor) =>
    kind && kind !== 'linear' ? activation(graph, kind as string, pre, name, name) : pre;
  const preName = (kind: unknown) => (kind && kind !== 'linear' ? `${name}/pre_activation` : name);

  switch (layer.class_name) {
    case 'Conv2D':
    case 'DepthwiseConv2D': {
      needs4d();
      const depthwise = layer.class_name === 'DepthwiseConv2D';
      const kernel = weight(depthwise ? 'depthwise_kernel' : 'kernel');
      const cin = input.shape[3] as number;
      const { dims, values } = depthwise ? depthwiseWeight(kernel) : convWeight(kernel);
      const g = geometry(layer, input, pair(c.kernel_size), pair(c.strides ?? 1), pair(c.dilation_rate ?? 1), dims[0]);
      const args = [input.name, graph.floats(`${name}/${depthwise ? 'depthwise_kernel' : 'kernel'}`, dims, values)];
      if (c.use_bias !== false) args.push(graph.floats(`${name}/bias`, [dims[0]], weight('bias').values));
      const conv = graph.node('Conv', args, preName(c.activation), {
        ...g.attrs,
        dilations: pair(c.dilation_rate ?? 1),
        group: depthwise ? cin : 1,
      });
      return act(c.activation, { name: conv, shape: g.shape });
    }
    case 'Dense': {
      if (input.shape.length !== 2)
        throw new OnnxExportError(name, `expects a 2-D input, got rank ${input.shape.length}`);
      const kernel = weight('kernel');
      const args = [input.name, graph.floats(`${name}/kernel`, kernel.shape, kernel.values)];
      if (c.use_bias !== false) args.push(graph.floats(`${name}/bias`, [kernel.shape[1]], weight('bias').values));
      const gemm = graph.node('Gemm', args, preName(c.activation));
      return act(c.activation, { name: gemm, shape: [input.shape[0], kernel.shape[1]] });
    }
    case 'BatchNormalization': {
      // Inference form: y = γ·(x − moving mean)/√(moving variance + ε) + β over the channel axis (1 in NCHW and in [N, C]).
      const axis = (c.axis as number | number[] | undefined) ?? -1;
      const rank = input.shape.length;
      const last = Array.isArray(axis)
        ? axis.length === 1 && (axis[0] === -1 || axis[0] === rank - 1)
        : axis === -1 || axis === rank - 1;
      if (!last)
        throw new OnnxExportError(name, `normalises axis ${JSON.stringify(axis)}; only the channel axis is supported`);
      const mean = weight('moving_mean');
      const channels = mean.values.length;
      const gamma = c.scale === false ? new Float32Array(channels).fill(1) : weight('gamma').values;
      const beta = c.center === false ? new Float32Array(channels) : weight('beta').values;
      return {
        name: graph.node(
          'BatchNormalization',
          [
            input.name,
            graph.floats(`${name}/gamma`, [channels], gamma),
            graph.floats(`${name}/beta`, [channels], beta),
            graph.floats(`${name}/moving_mean`, [channels], mean.values),
            graph.floats(`${name}/moving_variance`, [channels], weight('moving_variance').values),
          ],
          name,
          { epsilon: { float: (c.epsilon as number | undefined) ?? 1e-3 } },
        ),
        shape: input.shape,
      };
    }
    case 'Activation':
      return activation(graph, c.activation as string, input, name, name);
    case 'ReLU': {
      if (c.negative_slope || c.threshold)
        throw new OnnxExportError(name, 'a ReLU with a negative slope or threshold is not supported');
      const max = c.max_value as number | null | undefined;
      if (max == null) return { name: graph.node('Relu', [input.name], name), shape: input.shape };
      return {
        name: graph.node('Clip', [input.name, graph.scalar(`${name}/min`, 0), graph.scalar(`${name}/max`, max)], name),
        shape: input.shape,
      };
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      needs4d();
      const size = pair(c.pool_size ?? 2);
      const g = geometry(layer, input, size, pair(c.strides ?? size), [1, 1], input.shape[3] as number);
      // Keras averages over the pixels inside the image only: count_include_pad = 0, ONNX's default.
      return {
        name: graph.node(layer.class_name === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool', [input.name], name, g.attrs),
        shape: g.shape,
      };
    }
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D': {
      needs4d();
      const pooled = graph.node(
        layer.class_name === 'GlobalAveragePooling2D' ? 'GlobalAveragePool' : 'GlobalMaxPool',
        [input.name],
        c.keepdims ? name : `${name}/nchw11`,
      );
      if (c.keepdims) return { name: pooled, shape: [input.shape[0], 1, 1, input.shape[3]] };
      return { name: graph.node('Flatten', [pooled], name, { axis: 1 }), shape: [input.shape[0], input.shape[3]] };
    }
    case 'Add': {
      let sum = inputs[0].name;
      for (let i = 1; i < inputs.length; i++)
        sum = graph.node('Add', [sum, inputs[i].name], i === inputs.length - 1 ? name : `${name}/${i}`);
      return { name: sum, shape: input.shape };
    }
    case 'Concatenate': {
      const rank = input.shape.length;
      const axis = (((c.axis as number | undefined) ?? -1) + rank) % rank;
      const shape = [...input.shape];
      shape[axis] = inputs.reduce((n, t) => n + (t.shape[axis] as number), 0);
      return {
        name: graph.node(
          'Concat',
          inputs.map((t) => t.name),
          name,
          { axis: rank === 4 ? TO_NCHW[axis] : axis },
        ),
        shape,
      };
    }
    case 'ZeroPadding2D': {
      needs4d();
      const p = c.padding as number | [number, number] | [[number, number], [number, number]];
      const [[top, bottom], [left, right]] =
        typeof p === 'number'
          ? [
              [p, p],
              [p, p],
            ]
          : typeof p[0] === 'number'
            ? [
                [p[0], p[0]],
                [p[1] as number, p[1] as number],
              ]
            : (p as [[number, number], [number, number]]);
      const pads = graph.int64s(`${name}/pads`, [0, 0, top, left, 0, 0, bottom, right]);
      const [n, h, w, ch] = input.shape;
      return {
        name: graph.node('Pad', [input.name, pads], name),
        shape: [n, (h as number) + top + bottom, (w as number) + left + right, ch],
      };
    }
    case 'Dropout':
      return { name: graph.node('Identity', [input.name], name), shape: input.shape };
    case 'Flatten': {
      if (input.shape.length !== 4)
        return { name: graph.node('Flatten', [input.name], name, { axis: 1 }), shape: input.shape };
      // Keras flattens in NHWC order, which the next Dense's kernel rows follow.
      const nhwc = graph.node('Transpose', [input.name], `${name}/nhwc`, { perm: [0, 2, 3, 1] });
      const [n, h, w, ch] = input.shape as number[];
      return { name: graph.node('Flatten', [nhwc], name, { axis: 1 }), shape: [n, h * w * ch] };
    }
    default:
      throw new OnnxExportError(name, `${layer.class_name} has no ONNX translation here`);
  }
}
