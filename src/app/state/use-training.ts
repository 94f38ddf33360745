/**
 * Step 3's queue: train the ticked models with every seed on a frozen copy of the settings, cancel one model or all,
 * and say which runs failed. Resuming an interrupted run goes through the same queue (use-resume.ts).
 */
import { useMemo } from 'react';
import { splitOf } from '../../lab/experiment/schema';
import type { RunKey } from '../../lab/experiment/run-control';
import type { Experiment, LabResult } from '../../worker/protocol';
import { messageOf, showError, type LabStore } from './lab-store';
import { experimentOf } from './settings';

export interface TrainingActions {
  /** Trains `models` (ids, in order) with every seed, with a frozen copy of the current settings. */
  train(models: string[]): Promise<void>;
  /** Cancels model `modelId`'s runs, or the whole queue with null. */
  cancel(modelId: string | null): void;
}

/** What to tell the user when some runs failed (the rest finished normally); `total`: the runs the queue held. */
export function failureMessage(failed: LabResult<'train'>['failed'], total: number): string {
  const lines = failed.map((f) => `${f.label} (seed ${f.seed}) failed: ${f.error}`);
  const rest = failed.length < total ? 'The other models finished; their results are below. ' : '';
  return `${lines.join('\n')}\n${rest}Deselect the failed model or change the setting its message names, then train again.`;
}

/**
 * Trains `experiment` (or only the runs `only`, resumed from their checkpoints), then reports how it went and deals
 * the data again at the current settings (a run may have decoded it at its own size).
 */
export async function runQueue(store: LabStore, experiment: Experiment, total: number, only?: RunKey[]): Promise<void> {
  const { client, dispatch } = store;
  dispatch({ type: 'run-start', experiment, only });
  try {
    const outcome = await client.call('train', { experiment, resume: only });
    if (outcome.status === 'backend-failed') showError(store, outcome.message);
    else if (outcome.failed.length > 0) showError(store, failureMessage(outcome.failed, total));
    const dataset = await client.call('splitDataset', splitOf(store.settings()));
    dispatch({ type: 'dataset', dataset });
  } catch (err) {
    showError(store, messageOf(err));
  } finally {
    dispatch({ type: 'run-end' });
  }
}

export function trainingActions(store: LabStore): TrainingActions {
  return {
    train: async (models) => {
      const s = store.settings();
      await runQueue(store, { ...experimentOf(s), models: [...models] }, models.length * s.seeds.length);
    },
    cancel: (modelId) => {
      store.client.call('cancel', { modelId }).catch((err) => showError(store, messageOf(err)));
    },
  };
}

export function useTraining(store: LabStore): TrainingActions {
  return useMemo(() => trainingActions(store), [store]);
}
