/**
 * The results on the page: which trained models were downloaded (leaving with any that were not asks first), and an
 * experiment card opened from a file in their place.
 */
import { useEffect, useMemo } from 'react';
import { parseExperimentOrResults } from '../../lab/experiment/card';
import { runKeyId } from '../../lab/experiment/run-control';
import { isEnsemble } from '../../lab/report/ensemble-record';
import { modelIdCheck } from '../../lab/registry/model-id';
import { isBusy, type LabState } from './lab-state';
import { messageOf, showError, type LabStore } from './lab-store';

export interface ResultsActions {
  /**
   * Opens an experiment card (experiment.json or results.json) and shows its results without training. A file that
   * is not a valid card changes nothing and says why.
   */
  openExperiment(file: File): Promise<void>;
  /** Run keys (`cnn@1`) whose files were downloaded. */
  markDownloaded(ids: string[]): void;
}

/** Models trained in this page whose files were never downloaded (seed ensembles have none; failed runs neither). */
export function hasUnsavedModels(state: LabState): boolean {
  return (
    state.context?.origin.kind === 'trained' &&
    state.results.some((r) => r.record.status !== 'failed' && !isEnsemble(r.record) && !state.downloaded[runKeyId(r)])
  );
}

export function resultsActions(store: LabStore): ResultsActions {
  return {
    openExperiment: async (file) => {
      if (isBusy(store.state()))
        return showError(store, 'Wait for the training run to end (or cancel it) before opening an experiment.');
      try {
        const checkModel = modelIdCheck(store.state().models.map((m) => m.id));
        const card = parseExperimentOrResults(await file.text(), file.name, { checkModel });
        store.dispatch({ type: 'open-card', card, name: file.name });
      } catch (err) {
        showError(store, messageOf(err));
      }
    },
    markDownloaded: (ids) => store.dispatch({ type: 'downloaded', ids }),
  };
}

export function useResults(store: LabStore, state: LabState): ResultsActions {
  // Leaving with trained models that were never downloaded asks first.
  const unsaved = hasUnsavedModels(state);
  useEffect(() => {
    if (!unsaved) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [unsaved]);
  return useMemo(() => resultsActions(store), [store]);
}
