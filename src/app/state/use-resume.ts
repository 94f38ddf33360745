/**
 * Runs that stopped mid-training (a reload, a crash) and were autosaved: continue one from its checkpoint, or forget
 * it. Resuming needs the experiment the run belonged to and the data it trained on.
 */
import { useMemo } from 'react';
import { runKeyId } from '../../lab/experiment/run-control';
import type { InterruptedRun } from '../../lab/persist/saved-project';
import { isBusy, type LabState } from './lab-state';
import { messageOf, showError, type LabStore } from './lab-store';
import { runQueue } from './use-training';

export interface ResumeActions {
  /** Continues an interrupted run from its saved checkpoint (the same data must be loaded). */
  resume(run: InterruptedRun): Promise<void>;
  /** Forgets an interrupted run's checkpoint. */
  discard(run: InterruptedRun): Promise<void>;
}

/** Why `run` cannot resume now, or null when it can. */
export function resumeBlocker(state: LabState, run: InterruptedRun): string | null {
  if (isBusy(state)) return 'Wait for the training run to end (or cancel it) before resuming.';
  if (!state.context)
    return 'The experiment of this run was not saved: it cannot be resumed. Discard it and train again.';
  if (state.dataset?.identity.fingerprint !== run.fingerprint)
    return `To resume ${run.label}, load the data it trained on first (${run.source}).`;
  return null;
}

export function resumeActions(store: LabStore): ResumeActions {
  return {
    resume: async (run) => {
      const state = store.state();
      const blocker = resumeBlocker(state, run);
      if (blocker) return showError(store, blocker);
      await runQueue(store, state.context!.experiment, 1, [{ modelId: run.modelId, seed: run.seed }]);
    },
    discard: async (run) => {
      try {
        await store.client.call('discardCheckpoint', { modelId: run.modelId, seed: run.seed });
        store.dispatch({
          type: 'interrupted',
          list: store.state().interrupted.filter((i) => runKeyId(i) !== runKeyId(run)),
        });
      } catch (err) {
        showError(store, messageOf(err));
      }
    },
  };
}

export function useResume(store: LabStore): ResumeActions {
  return useMemo(() => resumeActions(store), [store]);
}
