/**
 * A lab model rewritten with stock Keras layers only, as plain data: the model config and every layer's weights in
 * Keras order. Both the TF.js export (stock-files.ts) and the Keras .h5 writer are made from it.
 *
 * - LightConv2D(filters, k) is exactly Conv2D(k, relu) followed by Conv2D(filters), both with the layer's kernel size,
 *   strides and padding: y = conv(relu(conv(x, W1) + b1), W2) + b2.
 * - LightDense(units, k) is Dense(k, no bias) followed by Dense(units); its forward-pass scale sqrt(2/units) is folded
 *   into both kernels, so y = x·(sW1)·(sW2) + b as before.
 * - A softmax Activation is appended: lab models output logits (their softmax lives in the loss), an exported model
 *   outputs class probabilities, as the study's Keras models did.
 */
import type * as tf from '@tensorflow/tfjs';
import {
  activationJson,
  conv2dJson,
  denseJson,
  from,
  STOCK_LAYER_CLASSES,
  type LayerJson,
  type TopologyJson,
} from './keras-json';

/** One weight array, named as TF.js manifests and Keras .h5 files name it: `<layer>/<weight>` (`block1_conv1/kernel`). */
export interface StockWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** One layer of the stock model with its weights in Keras order (kernel, bias; gamma, beta, moving mean, variance). */
export interface StockLayer {
  readonly name: string;
  readonly className: string;
  readonly weights: readonly StockWeight[];
}

export interface StockModel {
  /** Keras functional-model JSON (what TF.js calls modelTopology and Keras model_config). */
  readonly topology: TopologyJson;
  /** Every layer, in topology order. */
  readonly layers: readonly StockLayer[];
  /** Name of the appended softmax layer: the model's output. */
  readonly outputLayer: string;
  /** Number of weights (equal to the lab model's: the rewrite only regroups them). */
  readonly params: number;
}

/** Thrown for a layer that neither is stock nor has a stock rewrite. */
export class NotStockError extends Error {
  constructor(
    readonly layer: string,
    readonly className: string,
  ) {
    super(
      `layer "${layer}" is a ${className}, which has no stock Keras equivalent; the stock export knows LightConv2D, ` +
        `LightDense and ${[...STOCK_LAYER_CLASSES].join(', ')}`,
    );
    this.name = 'NotStockError';
  }
}

type ValuesByName = Map<string, { shape: number[]; values: Float32Array }>;

/**
 * Rewrites `model` (any registry model, transfer models included) with stock layers. Reads the weights once
 * (asynchronously, so WebGPU is not stalled); creates no tensors and leaves `model` untouched.
 * @throws NotStockError for a layer class it cannot rewrite; Error for a model with more than one output
 */
export async function toStockModel(model: tf.LayersModel): Promise<StockModel> {
  const source = model.toJSON(null, false) as unknown as TopologyJson;
  const outputs = source.config.output_layers;
  if (outputs.length !== 1) throw new Error(`the stock export takes a model with one output, got ${outputs.length}`);
  const taken = new Set(source.config.layers.map((l) => l.name));
  const freshName = (base: string) => {
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
    taken.add(name);
    return name;
  };

  const layersJson: LayerJson[] = [];
  const layers: StockLayer[] = [];
  for (const json of source.config.layers) {
    const values = await readWeights(model.getLayer(json.name));
    for (const { json: out, weights } of rewriteLayer(json, values, freshName)) {
      layersJson.push(out);
      layers.push({ name: out.name, className: out.class_name, weights });
    }
  }

  const [outName, outNode, outTensor] = outputs[0];
  const outputLayer = freshName('probabilities');
  layersJson.push(activationJson(outputLayer, 'softmax', [[[outName, outNode, outTensor, {}]]]));
  layers.push({ name: outputLayer, className: 'Activation', weights: [] });

  const topology: TopologyJson = {
    ...source,
    config: { ...source.config, layers: layersJson, output_layers: [[outputLayer, 0, 0]] },
  };
  const params = layers.reduce((sum, l) => sum + l.weights.reduce((s, w) => s + w.values.length, 0), 0);
  return { topology, layers, outputLayer, params };
}

/** A layer's weights by short name (`kernel`, `w1`, `moving_mean`), copied out of the backend. */
async function readWeights(layer: tf.layers.Layer): Promise<ValuesByName> {
  const byName: ValuesByName = new Map();
  for (const w of layer.weights) {
    const data = await w.read().data();
    byName.set(w.originalName.split('/').pop()!, {
      shape: [...w.shape] as number[],
      values: Float32Array.from(data as Float32Array),
    });
  }
  return byName;
}

/** One lab layer as one or two stock layers with their weights. */
function rewriteLayer(
  json: LayerJson,
  values: ValuesByName,
  freshName: (base: string) => string,
): Array<{ json: LayerJson; weights: StockWeight[] }> {
  const c = json.config;
  const trainable = c.trainable !== false;
  const take = (short: string, layer: string, as = short, scale = 1): StockWeight => {
    const w = values.get(short);
    if (!w) throw new Error(`layer "${json.name}" has no weight "${short}"`);
    const out = scale === 1 ? w.values : w.values.map((v) => v * scale);
    return { name: `${layer}/${as}`, shape: w.shape, values: out };
  };

  if (json.class_name === 'LightConv2D') {
    const first = freshName(`${json.name}_rank`);
    const common = {
      kernelSize: c.kernel_size as [number, number],
      strides: c.strides as [number, number],
      padding: c.padding as string,
      l2: (c.l2 as number) ?? 0,
      trainable,
    };
    return [
      {
        json: conv2dJson({ ...common, name: first, filters: c.rank as number, activation: 'relu' }, json.inbound_nodes),
        weights: [take('w1', first, 'kernel'), take('b1', first, 'bias')],
      },
      {
        json: conv2dJson(
          { ...common, name: json.name, filters: c.filters as number, activation: 'linear' },
          from(first),
        ),
        weights: [take('w2', json.name, 'kernel'), take('b2', json.name, 'bias')],
      },
    ];
  }

  if (json.class_name === 'LightDense') {
    const units = c.units as number;
    const scale = c.scale_factors === false ? 1 : Math.sqrt(2 / units);
    const l2 = (c.l2 as number) ?? 0;
    const first = freshName(`${json.name}_rank`);
    // The penalty was l2·Σw² on the unscaled factor; on the folded kernel sW it is (l2/s²)·Σ(sW)².
    const foldedL2 = l2 / (scale * scale);
    return [
      {
        json: denseJson(
          { name: first, units: c.rank as number, useBias: false, l2: foldedL2, trainable },
          json.inbound_nodes,
        ),
        weights: [take('w1', first, 'kernel', scale)],
      },
      {
        json: denseJson({ name: json.name, units, useBias: true, l2: foldedL2, trainable }, from(first)),
        weights: [take('w2', json.name, 'kernel', scale), take('bias', json.name, 'bias')],
      },
    ];
  }

  if (!STOCK_LAYER_CLASSES.has(json.class_name)) throw new NotStockError(json.name, json.class_name);
  const weights = [...values.keys()].map((short) => take(short, json.name));
  return [{ json, weights }];
}
