/** How much the lab stores in this browser, and what the browser allows (navigator.storage where it exists). */
import type { Autosave } from './autosave';
import type { DatasetAutosave } from './dataset-autosave';
import type { StorageUsage } from './protocol';

export async function storageUsage(autosave: Autosave, data: DatasetAutosave): Promise<StorageUsage> {
  const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
  const [projectBytes, datasetBytes, estimate, persisted] = await Promise.all([
    autosave.bytes().catch(() => 0),
    data.bytes().catch(() => 0),
    storage?.estimate ? storage.estimate().catch(() => null) : null,
    storage?.persisted ? storage.persisted().catch(() => null) : null,
  ]);
  return {
    projectBytes,
    usage: estimate?.usage ?? null,
    quota: estimate?.quota ?? null,
    persisted,
    datasetBytes,
    datasetBudget: data.budget,
    datasetNote: data.note,
  };
}
