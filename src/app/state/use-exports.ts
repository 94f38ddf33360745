/**
 * Step 5's exports made by the worker from the lab files the page keeps: one model in a standard format (stock TF.js,
 * Keras .h5, ONNX), every format at once for "Download all", and the experiment as a PyTorch project. The worker gets
 * copies of the weights (moved, not cloned): the page keeps its own for later downloads.
 */
import { useMemo } from 'react';
import { runKeyId } from '../../lab/experiment/run-control';
import type { ModelFilesData, ModelResult } from '../../worker/protocol';
import type { ExportedFiles, ModelFormat, TrainedModelFiles } from '../../worker/protocol-export';
import type { LabClient } from '../lab-client';
import { modelFiles } from './artefacts';
import type { ResultsContext } from './lab-state';
import type { LabStore } from './lab-store';
import { cardOf } from './results-card';

export interface ExportActions {
  /** One model's files in `format`, by relative path. */
  exportModel(saved: ModelFilesData, format: ModelFormat): Promise<ExportedFiles>;
  /** A model in every standard format the CLI writes (stock/model.json, stock/weights.bin, model.h5, model.onnx). */
  standardFormats(saved: ModelFilesData): Promise<ExportedFiles>;
  /** The experiment of the results on the page as a PyTorch project, with every run of `results` that trained here. */
  pytorchProject(context: ResultsContext, results: readonly ModelResult[]): Promise<ExportedFiles>;
}

/** A copy of the weights' bytes, to move to the worker. */
const weightsCopy = (saved: ModelFilesData) => saved.weights.slice().buffer as ArrayBuffer;

export function exportActions(client: LabClient): ExportActions {
  const exportModel = (saved: ModelFilesData, format: ModelFormat) => {
    const weights = weightsCopy(saved);
    return client.call('exportModel', { modelJson: saved.modelJson, weights, format }, [weights]);
  };
  return {
    exportModel,
    standardFormats: async (saved) => {
      const out: ExportedFiles = {};
      for (const format of ['stock', 'h5', 'onnx'] as const) Object.assign(out, await exportModel(saved, format));
      return out;
    },
    pytorchProject: async (context, results) => {
      const card = cardOf(context, results);
      const trained: TrainedModelFiles[] = [];
      for (const r of results) {
        const saved = r.record.status === 'ok' ? modelFiles(runKeyId(r)) : undefined;
        if (saved)
          trained.push({ modelId: r.modelId, seed: r.seed, modelJson: saved.modelJson, weights: weightsCopy(saved) });
      }
      return client.call(
        'exportPytorch',
        { card, trained },
        trained.map((t) => t.weights),
      );
    },
  };
}

export function useExports(store: LabStore): ExportActions {
  return useMemo(() => exportActions(store.client), [store]);
}
