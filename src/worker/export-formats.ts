/**
 * The worker's exports: a trained model rebuilt from the lab files the page keeps, then written in the standard
 * formats or, with the experiment's card, as a PyTorch project (which also uses the backbone weights loaded here).
 * Every model rebuilt here is disposed before the files go back.
 */
import type * as tf from '@tensorflow/tfjs';
import { modelFromFiles } from '../lab/models/model-files';
import { pytorchSpecOfCard, writePytorchProject } from '../lab/export/pytorch';
import type { SavedModelMeta } from '../lab/models/saved-model-meta';
import { exportMetadataOf } from '../lab/export/standard-exporter';
import { standardFormatFiles } from '../lab/export/standard-formats';
import type { ExperimentCard } from '../lab/experiment/card';
import type { ExportedFiles, ModelFormat, TrainedModelFiles } from './protocol-export';

const bytes = (contents: string | Uint8Array): Uint8Array =>
  typeof contents === 'string' ? new TextEncoder().encode(contents) : contents;

/** The model's stock TF.js files, Keras .h5 or model.onnx, from its lab files (whose metadata says classes, size, range). */
export async function exportModel(
  modelJson: string,
  weights: ArrayBuffer,
  format: ModelFormat,
): Promise<ExportedFiles> {
  const model = await modelFromFiles(modelJson, weights);
  try {
    const meta = exportMetadataOf(model.getUserDefinedMetadata() as unknown as SavedModelMeta);
    const files = await standardFormatFiles(model, meta, [format]);
    return Object.fromEntries(Object.entries(files).map(([path, contents]) => [path, bytes(contents)]));
  } finally {
    model.dispose();
  }
}

/** Every file of the experiment's PyTorch project, with the trained models' weights. */
export async function exportPytorch(
  card: ExperimentCard,
  trained: readonly TrainedModelFiles[],
): Promise<ExportedFiles> {
  const models: Array<{ modelId: string; seed: number; model: tf.LayersModel }> = [];
  try {
    for (const t of trained)
      models.push({ modelId: t.modelId, seed: t.seed, model: await modelFromFiles(t.modelJson, t.weights) });
    const files = await writePytorchProject(pytorchSpecOfCard(card, models));
    return Object.fromEntries([...files].map(([path, contents]) => [path, bytes(contents)]));
  } finally {
    for (const m of models) m.model.dispose();
  }
}

/** The buffers of `files`, to transfer rather than copy. */
export function buffersOf(files: ExportedFiles): Transferable[] {
  return [...new Set(Object.values(files).map((b) => b.buffer as ArrayBuffer))];
}
