/**
 * Zip archives for downloads (fflate): one model as model.json + weights.bin, or everything at once with the
 * experiment card, the reports and a model card per run. Stored without compression: float32 weights barely
 * compress, and storing is fast.
 */
import { zip, strToU8, type Zippable } from 'fflate';
import type { ModelFilesData } from '../../worker/protocol';

function zipAsync(files: Zippable): Promise<Blob> {
  return new Promise((resolve, reject) => {
    zip(files, { level: 0 }, (err, data) =>
      err ? reject(err) : resolve(new Blob([data as BlobPart], { type: 'application/zip' })),
    );
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

/** Files by path (experiment.json, reports, model cards, every run's model in every format) in one zip. */
export function zipAll(files: Readonly<Record<string, string | Uint8Array>>): Promise<Blob> {
  const tree: Zippable = {};
  for (const [path, content] of Object.entries(files))
    tree[path] = typeof content === 'string' ? strToU8(content) : content;
  return zipAsync(tree);
}
