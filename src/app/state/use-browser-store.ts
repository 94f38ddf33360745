/**
 * What the lab keeps in this browser: the project saved there comes back when the page opens (with the decoded
 * dataset, so an interrupted run can resume without the folder), and the Storage step shows, clears and budgets it.
 */
import { useEffect, useMemo } from 'react';
import { runKeyId } from '../../lab/experiment/run-control';
import type { StorageUsage } from '../../worker/protocol';
import { storeModelFiles } from './artefacts';
import { readDatasetBudget, writeDatasetBudget } from './dataset-budget';
import { messageOf, showError, type LabStore } from './lab-store';

export interface BrowserStoreActions {
  /** What the browser stores for the lab. */
  storageUsage(): Promise<StorageUsage>;
  /** Empties the project store; what the page shows stays. */
  clearStorage(): Promise<StorageUsage>;
  /** Sets (and remembers) the budget for keeping the decoded dataset in this browser. */
  setDatasetBudget(bytes: number): Promise<StorageUsage>;
}

/** One restore of the saved project per page. */
let restoreOnce: Promise<void> | null = null;

/** Settles once the saved project has been restored (at once when no restore has started). */
export function savedProjectRestored(): Promise<void> {
  return restoreOnce ?? Promise.resolve();
}

/**
 * Asks the browser to keep the lab's storage (not evicted under pressure), then shows the project saved in this
 * browser: results, curves, model files and interrupted runs. A store that cannot be read says why; nothing changes.
 */
export async function restoreSaved(store: LabStore): Promise<void> {
  const { client, dispatch } = store;
  try {
    await navigator.storage?.persist?.().catch(() => false);
    // The dataset kept in this browser comes back first, so an interrupted run can resume without the folder.
    const dataset = await client
      .call('setDatasetBudget', { bytes: readDatasetBudget() })
      .then(() => client.call('restoreDataset', null))
      .catch(() => null);
    if (dataset) dispatch({ type: 'dataset', dataset });
    const saved = await client.call('restoreSaved', null);
    if (!saved) return;
    for (const run of saved.runs) if (run.files) storeModelFiles(runKeyId(run), run.files);
    dispatch({ type: 'restore', saved });
  } catch (err) {
    showError(store, `Saved work could not be restored: ${messageOf(err)}`);
  }
}

export function browserStoreActions(store: LabStore): BrowserStoreActions {
  const { client } = store;
  return {
    storageUsage: () => client.call('storageUsage', null),
    setDatasetBudget: (bytes) => {
      writeDatasetBudget(bytes);
      return client.call('setDatasetBudget', { bytes });
    },
    clearStorage: async () => {
      const usage = await client.call('clearStorage', null);
      store.dispatch({ type: 'interrupted', list: [] });
      return usage;
    },
  };
}

/** Restores the saved project once the worker is ready; returns the Storage step's actions. */
export function useBrowserStore(store: LabStore, ready: boolean): BrowserStoreActions {
  useEffect(() => {
    if (ready) restoreOnce ??= restoreSaved(store);
  }, [store, ready]);
  return useMemo(() => browserStoreActions(store), [store]);
}
