/**
 * "Save project" and "Open project": the whole project as one zip, made and read by the worker (results, curves,
 * models, interrupted runs and, when asked, the decoded images). An opened project is kept in this browser too.
 */
import { useMemo } from 'react';
import { saveBlob } from '../lib/download';
import { projectPartsOf } from '../lib/project-file';
import { storeModelFiles } from './artefacts';
import { isBusy } from './lab-state';
import { messageOf, showError, type LabStore } from './lab-store';
import { savedProjectRestored } from './use-browser-store';

export interface ProjectFileActions {
  /** Saves the project as one zip (in the worker), with the decoded images when asked; a failure says why. */
  saveProject(withImages: boolean): Promise<void>;
  /**
   * Opens a project zip ("Save project"): its table, curves, models, interrupted runs and (if saved with them) its
   * images, and keeps it in this browser's store. A bad file changes nothing and says why.
   */
  openProject(file: File): Promise<void>;
}

export function projectFileActions(store: LabStore): ProjectFileActions {
  const { client, dispatch } = store;
  return {
    saveProject: async (withImages) => {
      const { context, results } = store.state();
      try {
        if (!context) throw new Error('there is nothing to save yet');
        const { card, models } = projectPartsOf(context, results);
        const zip = await client.call('saveProject', { card, models, withImages });
        saveBlob(new Blob([zip as BlobPart], { type: 'application/zip' }), 'xray-lab-project.zip');
      } catch (err) {
        showError(store, `Could not save the project: ${messageOf(err)}`);
      }
    },
    openProject: async (file) => {
      if (isBusy(store.state()))
        return showError(store, 'Wait for the training run to end (or cancel it) before opening a project.');
      try {
        // The saved project restored at start-up must not land on top of the opened one.
        await savedProjectRestored();
        const bytes = await file.arrayBuffer();
        const opened = await client.call('openProject', { bytes, name: file.name }, [bytes]);
        for (const [id, files] of opened.models) storeModelFiles(id, files);
        if (opened.dataset) dispatch({ type: 'dataset', dataset: opened.dataset });
        dispatch({ type: 'open-card', card: opened.card, name: file.name, stored: opened.storageProblem == null });
        dispatch({ type: 'interrupted', list: opened.interrupted });
        if (opened.storageProblem) showError(store, opened.storageProblem);
      } catch (err) {
        showError(store, messageOf(err));
      }
    },
  };
}

export function useProjectFile(store: LabStore): ProjectFileActions {
  return useMemo(() => projectFileActions(store), [store]);
}
