/**
 * Trained models put to use on images, in the worker: the Classify panel (a model trained here or loaded from
 * files, scores and Grad-CAM of dropped X-rays) and the error gallery (Grad-CAM of a run's test images).
 */
import { useMemo } from 'react';
import type { Classification, ExplainedImage, LoadedModelInfo, PickedFile } from '../../worker/protocol';
import type { ExplainClassArg, ExplainProgressEvent } from '../../worker/protocol-explain';
import type { LabClient } from '../lab-client';
import { ensureTrainedModel } from '../lib/worker-models';
import type { LabStore } from './lab-store';

export type ExplainProgress = Omit<ExplainProgressEvent, 'type'>;

export interface InferenceActions {
  /**
   * Loads run `runId`'s model into the worker unless its current files are already there (shared by the Classify
   * panel and the gallery); rejects when the page holds no files for it.
   */
  loadTrainedModel(runId: string): Promise<LoadedModelInfo>;
  /** Loads TF.js model files the user picked (model.json text and its weights, moved) under a new ref. */
  loadModelFiles(name: string, modelJson: string, weights: ArrayBuffer): Promise<LoadedModelInfo>;
  /** Loads a model.onnx the user picked (its bytes, moved) under a new ref. */
  loadOnnxModel(name: string, bytes: ArrayBuffer): Promise<LoadedModelInfo>;
  classify(ref: string, images: PickedFile[]): Promise<Classification[]>;
  /** Grad-CAM of the class each dropped image is predicted as. */
  explainFiles(ref: string, images: PickedFile[]): Promise<ExplainedImage[]>;
  /** Grad-CAM of a run's test images (named by file, with their labels) for `classes`. */
  explainTestImages(
    ref: string,
    files: string[],
    labels: number[],
    classes: ExplainClassArg,
  ): Promise<ExplainedImage[]>;
  /** Stops the explanation under way; it rejects with "Grad-CAM cancelled". */
  cancelExplain(): Promise<null>;
  /** Follows every explanation's progress; returns the unsubscribe function. */
  onExplainProgress(listener: (progress: ExplainProgress) => void): () => void;
}

export function inferenceActions(client: LabClient): InferenceActions {
  return {
    loadTrainedModel: (runId) => ensureTrainedModel(client, runId),
    // Date.now() makes each load a new ref: the same file loaded twice may be a newer download.
    loadModelFiles: (name, modelJson, weights) =>
      client.call('loadModel', { ref: `file:${name}:${Date.now()}`, modelJson, weights }, [weights]),
    loadOnnxModel: (name, bytes) => client.call('loadOnnxModel', { ref: `onnx:${name}:${Date.now()}`, bytes }, [bytes]),
    classify: (ref, images) => client.call('classify', { ref, images }),
    explainFiles: (ref, images) => client.call('explainFiles', { ref, images, classes: 'predicted' }),
    explainTestImages: (ref, files, labels, classes) =>
      client.call('explainTestImages', { ref, files, labels, classes }),
    cancelExplain: () => client.call('cancelExplain', null),
    onExplainProgress: (listener) =>
      client.on((event) => {
        if (event.type === 'explain-progress') listener({ ref: event.ref, done: event.done, total: event.total });
      }),
  };
}

export function useInference(store: LabStore): InferenceActions {
  return useMemo(() => inferenceActions(store.client), [store]);
}
