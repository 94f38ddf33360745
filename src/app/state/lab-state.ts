/**
 * Everything the page shows about the lab, as plain data, and the reducer that applies worker events to it.
 * Tensors and models never appear here: models are referred to by id.
 */
import type { EpochLog } from '../../lab/train/train-log';
import type {
  BackendInfo, DatasetInfo, FeatureProgress, IngestProgress, LabEvent, ModelInfo, ModelPhase, ModelResult, ModelSizeInfo, RunSettings,
  TrainProgress,
} from '../../worker/protocol';
import { applyBackboneEvent, backbonesReducer, INITIAL_BACKBONES, type BackboneAction, type BackbonesState } from './backbones-state';

/** One model's journey through the current (or last) run. */
export interface ModelRun {
  phase: ModelPhase;
  message: string | null;
  progress: TrainProgress | null;
  history: EpochLog[];
  /** Loss and accuracy on the first batch, before any update: where the training curves start. */
  start: { loss: number; accuracy: number } | null;
  /** The untrained model on the validation split: where the validation curves start. */
  startVal: { loss: number; accuracy: number } | null;
  /** Transfer models: the backbone pass now under way (building phase). */
  features: FeatureProgress | null;
  /** Transfer models: splits whose features came from the cache. */
  cachedSplits: FeatureProgress['split'][];
}

export interface LabState {
  backend: BackendInfo | null;
  backendBusy: boolean;
  models: ModelInfo[];
  /** Counts at `key` (size × channels), measured with the backbone weights of `weightsVersion`. */
  sizes: { key: string; list: ModelSizeInfo[]; weightsVersion: number } | null;
  dataset: DatasetInfo | null;
  /** Where listing or decoding a dataset stands; null when none is under way. */
  ingest: IngestProgress | null;
  loadingData: boolean;
  running: boolean;
  runSettings: RunSettings | null;
  queue: string[];
  runs: Record<string, ModelRun>;
  /** In the order the models finished; a retrained model replaces its old result. */
  results: ModelResult[];
  downloaded: Record<string, boolean>;
  error: string | null;
  backbones: BackbonesState;
}

export const INITIAL_STATE: LabState = {
  backend: null, backendBusy: true, models: [], sizes: null, dataset: null, ingest: null, loadingData: false,
  running: false, runSettings: null, queue: [], runs: {}, results: [], downloaded: {}, error: null, backbones: INITIAL_BACKBONES,
};

export type LabAction =
  | { type: 'ready'; backend: BackendInfo | null; models: ModelInfo[] }
  | { type: 'backend-busy' }
  | { type: 'backend'; backend: BackendInfo | null }
  | { type: 'sizes'; key: string; list: ModelSizeInfo[]; weightsVersion: number }
  | { type: 'loading-data'; loading: boolean }
  | { type: 'dataset'; dataset: DatasetInfo }
  | { type: 'run-start'; settings: RunSettings; queue: string[] }
  | { type: 'run-end' }
  | { type: 'event'; event: LabEvent }
  | { type: 'downloaded'; ids: string[] }
  | { type: 'error'; message: string | null }
  | BackboneAction;

const emptyRun = (): ModelRun => ({
  phase: 'queued', message: null, progress: null, history: [], start: null, startVal: null, features: null, cachedSplits: [],
});

function updateRun(state: LabState, id: string, change: (run: ModelRun) => ModelRun): LabState {
  return { ...state, runs: { ...state.runs, [id]: change(state.runs[id] ?? emptyRun()) } };
}

function applyEvent(state: LabState, event: LabEvent): LabState {
  switch (event.type) {
    case 'ingest-progress':
      // A run's decoding, once done, gives way to the training rows; a load keeps it until its dataset arrives.
      return { ...state, ingest: event.progress.phase === 'done' && state.running ? null : event.progress };
    case 'backend':
      return { ...state, backend: event.backend };
    case 'problem':
      return { ...state, error: event.message };
    case 'model-phase':
      return updateRun(state, event.modelId, (run) => ({ ...run, phase: event.phase, message: event.message }));
    case 'train-progress': {
      const p = event.progress;
      return updateRun(state, p.modelId, (run) => ({
        ...run,
        progress: p,
        start: run.start ?? { loss: p.loss, accuracy: p.accuracy },
      }));
    }
    case 'baseline':
      return updateRun(state, event.modelId, (run) => ({ ...run, startVal: { loss: event.valLoss, accuracy: event.valAccuracy } }));
    case 'epoch-end':
      return updateRun(state, event.modelId, (run) => ({ ...run, history: [...run.history, event.log] }));
    case 'feature-progress': {
      const p = event.progress;
      return updateRun(state, event.modelId, (run) => ({
        ...run,
        features: p,
        cachedSplits: p.cached && !run.cachedSplits.includes(p.split) ? [...run.cachedSplits, p.split] : run.cachedSplits,
      }));
    }
    case 'backbones':
    case 'backbone-progress':
      return { ...state, backbones: applyBackboneEvent(state.backbones, event) };
    case 'model-result': {
      const results = [...state.results.filter((r) => r.modelId !== event.result.modelId), event.result];
      const downloaded = { ...state.downloaded, [event.result.modelId]: false };
      return { ...state, results, downloaded, ingest: null };
    }
  }
}

export function labReducer(state: LabState, action: LabAction): LabState {
  switch (action.type) {
    case 'ready':
      return { ...state, backend: action.backend, models: action.models, backendBusy: false };
    case 'backend-busy':
      return { ...state, backendBusy: true };
    case 'backend':
      return { ...state, backend: action.backend ?? state.backend, backendBusy: false };
    case 'sizes':
      return { ...state, sizes: { key: action.key, list: action.list, weightsVersion: action.weightsVersion } };
    case 'loading-data':
      return { ...state, loadingData: action.loading, ingest: action.loading ? state.ingest : null };
    case 'dataset':
      return { ...state, dataset: action.dataset, loadingData: false, ingest: null };
    case 'run-start': {
      const runs = { ...state.runs };
      for (const id of action.queue) runs[id] = emptyRun();
      return { ...state, running: true, runSettings: action.settings, queue: action.queue, runs, error: null };
    }
    case 'run-end': {
      // A run that stopped early (an error, a crashed worker) leaves no model looking busy.
      const runs = { ...state.runs };
      for (const id of state.queue) {
        const run = runs[id];
        if (run && ['queued', 'preparing', 'training', 'evaluating'].includes(run.phase)) {
          runs[id] = { ...run, phase: 'skipped', message: 'not finished: the run stopped' };
        }
      }
      return { ...state, running: false, ingest: null, runs };
    }
    case 'event':
      return applyEvent(state, action.event);
    case 'downloaded': {
      const downloaded = { ...state.downloaded };
      for (const id of action.ids) downloaded[id] = true;
      return { ...state, downloaded };
    }
    case 'error':
      return { ...state, error: action.message };
    default:
      return { ...state, backbones: backbonesReducer(state.backbones, action) };
  }
}
