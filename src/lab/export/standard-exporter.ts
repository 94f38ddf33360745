/**
 * The run loop's exporter (runExperiment's `exporter` option) that makes every trained model leave in the standard
 * formats beside the lab's own files: `stock/model.json` + `stock/weights.bin` (plain TF.js, probabilities out) and
 * `model.h5` (the same stock model for Keras) and `model.onnx` (ONNX Runtime and its converters). `compare --out` and
 * `run --out` write them under `models/<id>/`.
 */
import type { ModelExporter } from '../experiment/run-experiment';
import { checkExportMetadata, type ExportMetadata } from './export-metadata';
import { stockModelToKerasH5 } from './keras-h5/keras-h5-file';
import { stockModelToOnnx } from './onnx/onnx-file';
import type { DownloadOptions } from './model-downloads';
import type { SavedModelMeta } from '../models/saved-model-meta';
import { stockModelToFiles } from './stock/stock-files';
import { toStockModel } from './stock/stock-model';

/** The export metadata of a saved model (SavedModelMeta carries more: label, seed, positive class). */
export function exportMetadataOf(meta: SavedModelMeta): ExportMetadata {
  return { modelId: meta.modelId, classNames: [...meta.classNames], inputSize: meta.inputSize, channels: meta.channels, pixelRange: meta.pixelRange };
}

/**
 * Files the standard formats add to a model's folder — the lab format's model.json / weights.bin are the loop's own
 * (the same paths modelDownloads uses). The model is rewritten once for all of them.
 */
export function standardFormatsExporter(options: DownloadOptions = {}): ModelExporter {
  return async (model, saved) => {
    const meta = exportMetadataOf(saved);
    checkExportMetadata(meta);
    const stock = await toStockModel(model);
    const files = stockModelToFiles(stock, meta);
    const out: Record<string, string | Uint8Array> = { 'stock/model.json': files.modelJson, 'stock/weights.bin': files.weights };
    if (options.h5 ?? true) out['model.h5'] = await stockModelToKerasH5(stock, meta);
    out['model.onnx'] = stockModelToOnnx(stock, meta);
    return out;
  };
}
