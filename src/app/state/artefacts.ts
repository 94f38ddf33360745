/**
 * Trained models' files (model.json text and weights bytes), kept outside React state: they are large, never
 * rendered, and must survive a worker that crashed or a backend that died after the model finished.
 */
import type { ModelFilesData } from '../../worker/protocol';

const files = new Map<string, ModelFilesData>();

export function storeModelFiles(modelId: string, data: ModelFilesData): void {
  files.set(modelId, data);
}

export function modelFiles(modelId: string): ModelFilesData | undefined {
  return files.get(modelId);
}
