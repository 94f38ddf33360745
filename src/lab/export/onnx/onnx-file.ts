/**
 * A lab model as one `model.onnx`, made from the same stock rewrite as the TF.js and Keras exports (../stock): each
 * LightConv2D is the two convolutions it is, each LightDense two Gemms, and the appended softmax gives class
 * probabilities. Input and output are the stock model's — float32 NHWC pixels [N, size, size, channels] in the
 * model's pixel range, probabilities [N, classes] — and the metadata travels in `metadata_props`.
 */
import type * as tf from '@tensorflow/tfjs';
import { checkExportMetadata, type ExportMetadata } from '../export-metadata';
import type { InboundTensor } from '../stock/keras-json';
import { toStockModel, type StockModel, type StockWeight } from '../stock/stock-model';
import { floatValueInfo, OnnxGraph } from './onnx-graph';
import { layerNodes, OnnxExportError, type OnnxTensor } from './layer-nodes';
import type { onnx as proto } from 'onnx-proto';
import { onnx } from './onnx-schema';

/** Opset 13 (ONNX 1.8, 2020): every runtime and converter in use reads it. */
export const ONNX_OPSET = 13;
/** The graph's input; its output is named after the stock model's softmax layer, `probabilities`. */
export const INPUT_NAME = 'image';
/** The IR version that goes with opset 13. */
const IR_VERSION = 7;

/** What `metadata_props` holds, every value a string (ONNX's map is string → string). */
export interface OnnxMetadataProps {
  readonly modelId: string;
  /** JSON array: output i is the probability of classNames[i]. */
  readonly classNames: string;
  readonly inputSize: string;
  readonly channels: string;
  readonly pixelRange: string;
  /** 'NHWC': the input is channels-last, as in TF.js and Keras. */
  readonly layout: 'NHWC';
  readonly output: 'probabilities';
  readonly format: 'onnx';
  readonly generatedBy: string;
}

export function onnxMetadataProps(meta: ExportMetadata): OnnxMetadataProps {
  return {
    modelId: meta.modelId,
    classNames: JSON.stringify(meta.classNames),
    inputSize: String(meta.inputSize),
    channels: String(meta.channels),
    pixelRange: meta.pixelRange,
    layout: 'NHWC',
    output: 'probabilities',
    format: 'onnx',
    generatedBy: 'X-Ray Lab ONNX export (LightConv2D/LightDense rewritten as Conv/Gemm, softmax appended)',
  };
}

/** The lab model as model.onnx bytes. Reads the weights; creates no tensors. */
export async function onnxModelFile(model: tf.LayersModel, meta: ExportMetadata): Promise<Uint8Array> {
  checkExportMetadata(meta);
  return stockModelToOnnx(await toStockModel(model), meta);
}

/** Serialises an already rewritten model (shared with the stock TF.js and .h5 writers when all are wanted). */
export function stockModelToOnnx(stock: StockModel, meta: ExportMetadata): Uint8Array {
  checkExportMetadata(meta);
  const graph = new OnnxGraph();
  const config = stock.topology.config;
  if (config.input_layers.length !== 1 || config.layers.filter((l) => l.class_name === 'InputLayer').length !== 1)
    throw new Error(`the ONNX export takes a model with one input, got ${config.input_layers.length}`);
  const weightsOf = new Map(
    stock.layers.map((l) => [
      l.name,
      new Map<string, StockWeight>(l.weights.map((w) => [w.name.split('/').pop()!, w])),
    ]),
  );
  const tensors = new Map<string, OnnxTensor>();
  const inputs: proto.IValueInfoProto[] = [];

  for (const layer of config.layers) {
    if (layer.class_name === 'InputLayer') {
      const shape = (layer.config.batch_input_shape ?? layer.config.batchInputShape) as Array<number | null>;
      // One input name for every model (Keras names transfer models' input "input_1"), so callers need not look it up.
      const name = graph.claim(INPUT_NAME);
      inputs.push(floatValueInfo(name, shape));
      // Conv and pooling read NCHW: one transpose here, and the graph stays channels-first.
      tensors.set(
        layer.name,
        shape.length === 4
          ? { name: graph.node('Transpose', [name], `${name}/nchw`, { perm: [0, 3, 1, 2] }), shape }
          : { name, shape },
      );
      continue;
    }
    if (layer.inbound_nodes.length !== 1)
      throw new OnnxExportError(
        layer.name,
        `is called ${layer.inbound_nodes.length} times; the export takes layers called once`,
      );
    const sources = layer.inbound_nodes[0].map(([from, node]: InboundTensor) => {
      const t = tensors.get(from);
      if (!t || node !== 0)
        throw new OnnxExportError(layer.name, `reads "${from}" (call ${node}), which comes later or is shared`);
      return t;
    });
    tensors.set(layer.name, layerNodes(graph, layer, weightsOf.get(layer.name) ?? new Map(), sources));
  }

  const out = tensors.get(config.output_layers[0][0]);
  if (!out || out.shape.length !== 2)
    throw new Error(`the ONNX export expects a [N, classes] output, got ${JSON.stringify(out?.shape)}`);
  if (out.shape[1] !== meta.classNames.length) {
    throw new Error(`the model has ${out.shape[1]} outputs but the metadata names ${meta.classNames.length} classes`);
  }

  const model: proto.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'X-Ray Lab',
    producerVersion: '1',
    docString: `${meta.modelId}: float32 NHWC pixels [N, ${meta.inputSize}, ${meta.inputSize}, ${meta.channels}] in [${meta.pixelRange}] → class probabilities [N, ${meta.classNames.length}] (${meta.classNames.join(', ')})`,
    graph: {
      name: meta.modelId,
      node: graph.nodes,
      initializer: graph.initializers,
      input: inputs,
      output: [floatValueInfo(out.name, out.shape)],
    },
    metadataProps: Object.entries(onnxMetadataProps(meta)).map(([key, value]) => ({ key, value })),
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
