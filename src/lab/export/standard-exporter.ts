/**
 * The run loop's exporter (runExperiment's `exporter` option) that makes every trained model leave in the standard
 * formats (standard-formats.ts) beside the lab's own files. `compare --out` and `run --out` write them under
 * `models/<id>/`.
 */
import type { ModelExporter } from '../experiment/run-experiment';
import type { ExportMetadata } from './export-metadata';
import type { SavedModelMeta } from '../models/saved-model-meta';
import { STANDARD_FORMATS, standardFormatFiles } from './standard-formats';

export interface StandardExportOptions {
  /** Leave out the Keras .h5 (it loads the 4 MB HDF5 library, and a transfer model's file is ~85 MB). Default true. */
  readonly h5?: boolean;
}

/** The export metadata of a saved model (SavedModelMeta carries more: label, seed, positive class). */
export function exportMetadataOf(meta: SavedModelMeta): ExportMetadata {
  return {
    modelId: meta.modelId,
    classNames: [...meta.classNames],
    inputSize: meta.inputSize,
    channels: meta.channels,
    pixelRange: meta.pixelRange,
  };
}

/** Files the standard formats add to a model's folder; the lab format's model.json / weights.bin are the loop's own. */
export function standardFormatsExporter(options: StandardExportOptions = {}): ModelExporter {
  const formats = (options.h5 ?? true) ? STANDARD_FORMATS : STANDARD_FORMATS.filter((f) => f !== 'h5');
  return (model, saved) => standardFormatFiles(model, exportMetadataOf(saved), formats);
}
