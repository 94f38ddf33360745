/**
 * Zip archives for downloads (fflate): one model as model.json + weights.bin, or everything at once with
 * results.json and report.md. Stored without compression: float32 weights barely compress, and storing is fast.
 */
import { zip, strToU8, type Zippable } from 'fflate';
import type { ModelFilesData } from '../../worker/protocol';

function zipAsync(files: Zippable): Promise<Blob> {
  return new Promise((resolve, reject) => {
    zip(files, { level: 0 }, (err, data) => (err ? reject(err) : resolve(new Blob([data as BlobPart], { type: 'application/zip' }))));
  });
}

/** The two TF.js files of a model, as tf.loadLayersModel expects them side by side. */
function modelEntries(files: ModelFilesData): Zippable {
  // Copy: fflate may hand the buffer to a worker, and the page keeps its own copy for later downloads.
  return { 'model.json': strToU8(files.modelJson), 'weights.bin': files.weights.slice() };
}

export function zipModel(files: ModelFilesData): Promise<Blob> {
  return zipAsync(modelEntries(files));
}

/** `models/<id>/model.json`, `models/<id>/weights.bin` for every model, plus the two reports. */
export function zipAll(models: ReadonlyMap<string, ModelFilesData>, resultsJson: string, reportMd: string): Promise<Blob> {
  const tree: Zippable = { 'results.json': strToU8(resultsJson), 'report.md': strToU8(reportMd) };
  const folder: Zippable = {};
  for (const [id, files] of models) folder[id] = modelEntries(files);
  if (models.size > 0) tree.models = folder;
  return zipAsync(tree);
}
