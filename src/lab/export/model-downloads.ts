/**
 * Every form a trained model leaves the lab in, as files under one folder — what `compare --out` writes to
 * `models/<id>/` and what the page offers for download:
 *
 *   model.json + weights.bin        the lab's own format (LightConv2D/LightDense kept; outputs logits; compact)
 *   stock/model.json + weights.bin  stock TF.js: plain @tensorflow/tfjs loads it; outputs probabilities
 *   model.h5                        the stock model as a Keras .h5 (keras.models.load_model)
 *   model.onnx                      the stock model as ONNX (onnxruntime, ONNX converters); probabilities out
 */
import type * as tf from '@tensorflow/tfjs';
import { checkExportMetadata, type ExportMetadata } from './export-metadata';
import { stockModelToKerasH5 } from './keras-h5/keras-h5-file';
import { modelToFiles } from '../models/model-files';
import { stockModelToOnnx } from './onnx/onnx-file';
import { stockModelToFiles } from './stock/stock-files';
import { toStockModel } from './stock/stock-model';

export interface DownloadOptions {
  /** Leave out the Keras .h5 (it loads the 4 MB HDF5 library, and a transfer model's file is ~85 MB). Default true. */
  readonly h5?: boolean;
}

/** Relative path → contents of every download of `model` (see the module note). Reads the weights; creates no tensors. */
export async function modelDownloads(model: tf.LayersModel, meta: ExportMetadata, options: DownloadOptions = {}): Promise<Map<string, string | Uint8Array>> {
  checkExportMetadata(meta);
  const files = new Map<string, string | Uint8Array>();
  const lab = await modelToFiles(model, 'weights.bin', { ...meta, format: 'lab', output: 'logits' });
  files.set('model.json', lab.modelJson);
  files.set('weights.bin', lab.weights);
  const stock = await toStockModel(model);
  const stockFiles = stockModelToFiles(stock, meta);
  files.set('stock/model.json', stockFiles.modelJson);
  files.set('stock/weights.bin', stockFiles.weights);
  if (options.h5 ?? true) files.set('model.h5', await stockModelToKerasH5(stock, meta));
  files.set('model.onnx', stockModelToOnnx(stock, meta));
  return files;
}
