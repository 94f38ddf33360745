/**
 * The standard formats a trained model leaves the lab in, beside the lab's own model.json + weights.bin:
 *
 *   stock/model.json + weights.bin  stock TF.js: plain @tensorflow/tfjs loads it; outputs probabilities
 *   model.h5                        the stock model as a Keras .h5 (keras.models.load_model)
 *   model.onnx                      the stock model as ONNX (onnxruntime, ONNX converters); probabilities out
 *
 * The run loop's exporter writes all of them under `models/<id>/`; the page's worker makes one at a time.
 */
import type * as tf from '@tensorflow/tfjs';
import { checkExportMetadata, type ExportMetadata } from './export-metadata';
import { stockModelToKerasH5 } from './keras-h5/keras-h5-file';
import { stockModelToOnnx } from './onnx/onnx-file';
import { stockModelToFiles } from './stock/stock-files';
import { toStockModel } from './stock/stock-model';

export type StandardFormat = 'stock' | 'h5' | 'onnx';

/** Every standard format, in the order their files are listed. */
export const STANDARD_FORMATS: readonly StandardFormat[] = ['stock', 'h5', 'onnx'];

/**
 * Relative path → contents of `model` in each of `formats`. The model is rewritten once for all of them; reads the
 * weights, creates no tensors.
 */
export async function standardFormatFiles(
  model: tf.LayersModel,
  meta: ExportMetadata,
  formats: readonly StandardFormat[] = STANDARD_FORMATS,
): Promise<Record<string, string | Uint8Array>> {
  checkExportMetadata(meta);
  const stock = await toStockModel(model);
  const out: Record<string, string | Uint8Array> = {};
  for (const format of STANDARD_FORMATS.filter((f) => formats.includes(f))) {
    if (format === 'stock') {
      const files = stockModelToFiles(stock, meta);
      out['stock/model.json'] = files.modelJson;
      out['stock/weights.bin'] = files.weights;
    }
    // Loads the 4 MB HDF5 library on first use.
    if (format === 'h5') out['model.h5'] = await stockModelToKerasH5(stock, meta);
    if (format === 'onnx') out['model.onnx'] = stockModelToOnnx(stock, meta);
  }
  return out;
}
