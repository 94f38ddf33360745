/**
 * The page's lab: one state (lab-store.ts) and the focused hooks over it, each doing one job and handing the page a
 * small typed action object. Components get these objects, never the worker client. Every action object is made once
 * for the page's lifetime (it reads the latest state and settings through the store), so sections that receive one
 * can skip re-rendering on every progress message.
 */
import { useMemo } from 'react';
import type { BackboneActions } from './backbone-actions';
import type { LabState } from './lab-state';
import { showError, useLabStore } from './lab-store';
import type { Settings } from './settings';
import { useBackbones } from './use-backbones';
import { useBrowserStore, type BrowserStoreActions } from './use-browser-store';
import { useDataset, type DatasetActions } from './use-dataset';
import { useExports, type ExportActions } from './use-exports';
import { useInference, type InferenceActions } from './use-inference';
import { useBackendChoice, useLabSession } from './use-lab-session';
import { useModelSizes } from './use-model-sizes';
import { useProjectFile, type ProjectFileActions } from './use-project-file';
import { useResults, type ResultsActions } from './use-results';
import { useResume, type ResumeActions } from './use-resume';
import { useTraining, type TrainingActions } from './use-training';

export interface Lab {
  dataset: DatasetActions;
  backbones: BackboneActions;
  training: TrainingActions;
  resume: ResumeActions;
  results: ResultsActions;
  exports: ExportActions;
  inference: InferenceActions;
  projectFile: ProjectFileActions;
  browserStore: BrowserStoreActions;
  /** Shows `text` in the page's error banner (null hides it). */
  showError(text: string | null): void;
}

export function useLab(settings: Settings): [LabState, Lab] {
  const [state, store] = useLabStore(settings);
  useLabSession(store);
  const ready = state.models.length > 0;
  useBackendChoice(store, ready, settings.backend);
  useModelSizes(store, ready, settings.size, settings.channels, state.backbones.version);
  // The saved project is restored before the backbones are asked for, as the worker starts.
  const browserStore = useBrowserStore(store, ready);
  const backbones = useBackbones(store, ready);
  const dataset = useDataset(store, settings, state.dataset != null);
  const training = useTraining(store);
  const resume = useResume(store);
  const results = useResults(store, state);
  const projectFile = useProjectFile(store);
  const exports = useExports(store);
  const inference = useInference(store);
  const lab = useMemo<Lab>(
    () => ({
      dataset,
      backbones,
      training,
      resume,
      results,
      exports,
      inference,
      projectFile,
      browserStore,
      showError: (text) => showError(store, text),
    }),
    [store, dataset, backbones, training, resume, results, exports, inference, projectFile, browserStore],
  );
  return [state, lab];
}
