/**
 * The export part of the page ↔ worker contract (see protocol.ts): a trained model's lab files in, its standard
 * formats out (stock TF.js, Keras .h5), and a whole experiment (its card and every trained model) out as a PyTorch
 * project. Files travel as bytes by relative path, their buffers transferred.
 */
import type { ExperimentCard } from '../lab/experiment/card';
import type { StandardFormat } from '../lab/export/standard-formats';

/** A trained model as the page keeps it (the lab's model.json and weights), for (modelId, seed). */
export interface TrainedModelFiles {
  modelId: string;
  seed: number;
  modelJson: string;
  weights: ArrayBuffer;
}

/** The standard forms one trained model downloads in, beside the lab's own. */
export type ModelFormat = StandardFormat;

/** Relative '/'-path → file bytes. */
export type ExportedFiles = Record<string, Uint8Array>;

export interface ExportApi {
  /** The model as stock TF.js (stock/model.json + stock/weights.bin), a Keras .h5 (model.h5) or ONNX (model.onnx). */
  exportModel: { args: { modelJson: string; weights: ArrayBuffer; format: ModelFormat }; result: ExportedFiles };
  /** The experiment of `card` as a PyTorch project, starting from the given trained models (transfer models need their backbone loaded). */
  exportPytorch: { args: { card: ExperimentCard; trained: TrainedModelFiles[] }; result: ExportedFiles };
}
