/**
 * Trained models as the worker holds them, shared by the Classify panel and the error gallery: each run's files go
 * over once under `trained:<runId>` and are sent again only when the run was trained again (new files). One copy per
 * run in the worker, whichever part of the page asked first.
 */
import type { LoadedModelInfo } from '../../worker/protocol';
import type { LabClient } from '../lab-client';
import { modelFiles } from '../state/artefacts';

/** The worker ref of a run trained in this page. */
export function trainedRef(runId: string): string {
  return `trained:${runId}`;
}

const sent = new Map<string, { files: object; info: Promise<LoadedModelInfo> }>();

/**
 * Loads run `runId`'s model into the worker unless its current files are already there.
 * @throws Error when the page holds no files for it (results opened from a file, or a failed run)
 */
export function ensureTrainedModel(client: LabClient, runId: string): Promise<LoadedModelInfo> {
  const files = modelFiles(runId);
  if (!files)
    return Promise.reject(
      new Error(
        `${runId}: no model files in this page (results opened from a file, or a run that failed): train it here to explain it`,
      ),
    );
  const ref = trainedRef(runId);
  const known = sent.get(ref);
  if (known && known.files === files) return known.info;
  // A copy of the weights goes over: the page keeps its own for downloads.
  const info = client.call('loadModel', {
    ref,
    modelJson: files.modelJson,
    weights: files.weights.slice().buffer as ArrayBuffer,
  });
  sent.set(ref, { files, info });
  info.catch(() => {
    if (sent.get(ref)?.info === info) sent.delete(ref);
  });
  return info;
}
