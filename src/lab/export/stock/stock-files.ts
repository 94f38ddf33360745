/**
 * The stock TF.js export: model.json + weights.bin that plain `@tensorflow/tfjs` loads with `tf.loadLayersModel` —
 * no lab code, nothing registered — and that `tensorflowjs_converter --input_format=tfjs_layers_model` converts to
 * Keras. Its output is class probabilities (a final softmax), and the class names, input size, channels and pixel
 * range travel in `userDefinedMetadata`.
 */
import type * as tf from '@tensorflow/tfjs';
import { checkExportMetadata, type ExportMetadata } from '../export-metadata';
import type { ModelFiles } from '../../models/model-files';
import { toStockModel, type StockModel } from './stock-model';

/** `userDefinedMetadata` of a stock export: the export metadata plus what the file holds. */
export interface StockMetadata extends ExportMetadata {
  readonly format: 'stock';
  /** The model ends in a softmax: outputs are probabilities in classNames order. */
  readonly output: 'probabilities';
  readonly generatedBy: string;
}

/** The lab model as stock TF.js files (see the module note). Reads the weights; creates no tensors. */
export async function stockModelFiles(
  model: tf.LayersModel,
  meta: ExportMetadata,
  weightsFileName = 'weights.bin',
): Promise<ModelFiles> {
  checkExportMetadata(meta);
  return stockModelToFiles(await toStockModel(model), meta, weightsFileName);
}

/** Serialises an already rewritten model (shared with the .h5 writer when both are wanted). */
export function stockModelToFiles(
  stock: StockModel,
  meta: ExportMetadata,
  weightsFileName = 'weights.bin',
): ModelFiles {
  const weights = stock.layers.flatMap((l) => l.weights);
  const data = new Float32Array(stock.params);
  let offset = 0;
  for (const w of weights) {
    data.set(w.values, offset);
    offset += w.values.length;
  }
  const metadata: StockMetadata = {
    modelId: meta.modelId,
    classNames: [...meta.classNames],
    inputSize: meta.inputSize,
    channels: meta.channels,
    pixelRange: meta.pixelRange,
    format: 'stock',
    output: 'probabilities',
    generatedBy: 'X-Ray Lab stock export',
  };
  const json = {
    format: 'layers-model',
    generatedBy: stock.topology.keras_version ?? 'TensorFlow.js',
    convertedBy: 'X-Ray Lab stock export (LightConv2D/LightDense rewritten as Conv2D/Dense, softmax appended)',
    modelTopology: stock.topology,
    weightsManifest: [
      {
        paths: [weightsFileName],
        weights: weights.map((w) => ({ name: w.name, shape: [...w.shape], dtype: 'float32' })),
      },
    ],
    userDefinedMetadata: metadata,
  };
  return { modelJson: JSON.stringify(json), weights: new Uint8Array(data.buffer), weightsFileName };
}
