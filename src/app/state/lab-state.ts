/**
 * Everything the page shows about the lab, as plain data, and the reducer that applies worker events to it.
 * Tensors and models never appear here: runs are referred to by their key (`light-k2@1`, a model with a seed).
 */
import type { ExperimentCard } from '../../lab/experiment/card';
import { plannedRuns, runKeyId, type RunKey } from '../../lab/experiment/run-control';
import { isEnsemble } from '../../lab/report/ensemble-record';
import type { EpochRecord } from '../../lab/report/result-record';
import type { PairComparison } from '../../lab/report/comparisons';
import type {
  BackendInfo,
  CardData,
  DatasetEstimate,
  DatasetInfo,
  Environment,
  Experiment,
  FeatureProgress,
  IngestProgress,
  LabEvent,
  ModelGroup,
  ModelInfo,
  ModelPhase,
  ModelResult,
  ModelSizeInfo,
  LabArgs,
  TrainProgress,
} from '../../worker/protocol';
import {
  applyBackboneEvent,
  backbonesReducer,
  INITIAL_BACKBONES,
  type BackboneAction,
  type BackbonesState,
} from './backbones-state';
import { runsFromCard } from '../../lab/persist/runs-from-card';
import { sameSetup } from '../../lab/persist/same-setup';
import type { InterruptedRun, SavedProject } from '../../lab/persist/saved-project';

/** One run's journey (a model with a seed) through the current or last experiment. */
export interface RunProgress {
  modelId: string;
  seed: number;
  phase: ModelPhase;
  message: string | null;
  progress: TrainProgress | null;
  history: EpochRecord[];
  /** Loss and accuracy on the first batch, before any update: where the training curves start. */
  start: { loss: number; accuracy: number } | null;
  /** The untrained model on the validation split: where the validation curves start. */
  startVal: { loss: number; accuracy: number } | null;
  /** Transfer models: the backbone pass now under way (building phase). */
  features: FeatureProgress | null;
  /** Transfer models: splits whose features came from the cache. */
  cachedSplits: FeatureProgress['split'][];
  /** Autosave's cost per checkpointed epoch (see the 'autosave-cost' event). */
  autosave: AutosaveCost[];
}

export interface AutosaveCost {
  epoch: number;
  /** Training held up while the checkpoint was read and encoded. */
  ms: number;
  /** The epoch's own wall time (training and validation). */
  epochMs: number;
  bytes: number;
  /** The IndexedDB write, behind the next epoch; null until it is done. */
  writeMs: number | null;
}

/**
 * The experiment behind the results on the page, captured when its run started (or read from an opened file), so
 * a dataset loaded afterwards can never relabel them.
 */
export interface ResultsContext {
  experiment: Experiment;
  /** The data section of the card; null until the worker has split the data. */
  data: CardData | null;
  testImages: { files: string[]; labels: number[] } | null;
  environment: Environment | null;
  /** Trained in this page, or opened from a file (then no model files exist here). */
  /** `stored`: an opened project the worker keeps as the saved project, so training on adds to it as to trained results. */
  origin: { kind: 'trained' } | { kind: 'file'; name: string; createdAt: string; stored?: boolean };
  /** The paired tests an opened file was written with (a results.json has no probabilities to test again). */
  comparisons?: readonly PairComparison[];
}

/** A picked folder, files or zip and how to load it: the files, format, image limit, split and label table. */
export type PickedLoad = Omit<LabArgs<'loadPicked'>, 'subset'>;

/**
 * A picked dataset whose decoded images would not fit the data budget, held until the user chooses: its estimate
 * (with the budget subset that fits, if any) and the load it was made for, so the choice loads exactly that.
 */
export interface BudgetOffer {
  estimate: DatasetEstimate;
  load: PickedLoad;
}

export interface LabState {
  backend: BackendInfo | null;
  backendBusy: boolean;
  models: ModelInfo[];
  groups: ModelGroup[];
  /** Counts at `key` (size × channels), measured with the backbone weights of `weightsVersion`. */
  sizes: { key: string; list: ModelSizeInfo[]; weightsVersion: number } | null;
  dataset: DatasetInfo | null;
  /** Where listing or decoding a dataset stands; null when none is under way. */
  ingest: IngestProgress | null;
  /** The worker's estimate for the load under way, once its files are listed (a subset's in `chosen`); else null. */
  loadEstimate: DatasetEstimate | null;
  /** A picked dataset over the data budget, waiting for the user to load a subset, load all, or cancel. */
  budgetOffer: BudgetOffer | null;
  loadingData: boolean;
  running: boolean;
  /** Every run of the current or last experiment, in the order the loop takes them. */
  queue: RunKey[];
  runs: Record<string, RunProgress>;
  /** One per finished run, in the order they finished; a run trained again replaces its old result. */
  results: ModelResult[];
  context: ResultsContext | null;
  /** By run key: downloaded since it finished. */
  downloaded: Record<string, boolean>;
  error: string | null;
  backbones: BackbonesState;
  /** Saved runs that stopped mid-training (a reload, a crash), offered for resume. */
  interrupted: InterruptedRun[];
  /** Autosave could not write (storage full or refused); null when all is well. */
  storageProblem: string | null;
  /** A run moved to another backend after its own failed, and where it continues; null when none did. */
  recovery: string | null;
}

export const INITIAL_STATE: LabState = {
  backend: null,
  backendBusy: true,
  models: [],
  groups: [],
  sizes: null,
  dataset: null,
  ingest: null,
  loadEstimate: null,
  budgetOffer: null,
  loadingData: false,
  running: false,
  queue: [],
  runs: {},
  results: [],
  context: null,
  downloaded: {},
  error: null,
  backbones: INITIAL_BACKBONES,
  interrupted: [],
  storageProblem: null,
  recovery: null,
};

export type LabAction =
  | { type: 'ready'; backend: BackendInfo | null; models: ModelInfo[]; groups: ModelGroup[] }
  | { type: 'backend-busy' }
  | { type: 'backend'; backend: BackendInfo | null }
  | { type: 'sizes'; key: string; list: ModelSizeInfo[]; weightsVersion: number }
  | { type: 'loading-data'; loading: boolean }
  /** A picked dataset is over the budget: the listing ends and the offer waits for a choice (null: it is dismissed). */
  | { type: 'budget-offer'; offer: BudgetOffer | null }
  | { type: 'dataset'; dataset: DatasetInfo }
  | { type: 'run-start'; experiment: Experiment; only?: RunKey[] }
  | { type: 'restore'; saved: SavedProject }
  | { type: 'interrupted'; list: InterruptedRun[] }
  | { type: 'run-end' }
  | { type: 'open-card'; card: ExperimentCard; name: string; stored?: boolean }
  | { type: 'event'; event: LabEvent }
  | { type: 'downloaded'; ids: string[] }
  | { type: 'error'; message: string | null }
  | BackboneAction;

const emptyRun = (key: RunKey): RunProgress => ({
  ...key,
  phase: 'queued',
  message: null,
  progress: null,
  history: [],
  start: null,
  startVal: null,
  features: null,
  cachedSplits: [],
  autosave: [],
});

/** A finished run as the page showed it: its curves from epoch 0 (kept in the record) through its last epoch. */
function restoredRun(r: ModelResult): RunProgress {
  const c = r.record.curveStart;
  return {
    ...emptyRun(r),
    phase: r.record.status === 'ok' ? 'done' : r.record.status,
    message: r.record.error ?? null,
    history: r.record.history ?? [],
    start: c?.loss != null && c.accuracy != null ? { loss: c.loss, accuracy: c.accuracy } : null,
    startVal: c?.valLoss != null && c.valAccuracy != null ? { loss: c.valLoss, accuracy: c.valAccuracy } : null,
  };
}

function updateRun(state: LabState, key: RunKey, change: (run: RunProgress) => RunProgress): LabState {
  const id = runKeyId(key);
  return { ...state, runs: { ...state.runs, [id]: change(state.runs[id] ?? emptyRun(key)) } };
}

/**
 * A run starts. Results of the experiment before stay when only the models or seeds differ on the same data (they
 * share a split and settings, so one table compares them); otherwise they make way, and the table and the card
 * describe one experiment only.
 */
function startRun(state: LabState, experiment: Experiment, only?: RunKey[]): LabState {
  const previous = state.context;
  const fingerprint = state.dataset?.identity.fingerprint;
  const addsTo = previous != null && (previous.origin.kind === 'trained' || previous.origin.stored === true);
  const keep =
    previous != null &&
    addsTo &&
    sameSetup(previous.experiment, experiment) &&
    previous.data != null &&
    previous.data.identity.fingerprint === fingerprint;
  const queue = only ?? plannedRuns(experiment);
  const restarted = new Set(queue.map(runKeyId));
  // A model trained again makes its old seed ensemble stale: the loop scores a new one from the runs it makes.
  const retrained = new Set(queue.map((k) => k.modelId));
  const stale = (r: ModelResult) => restarted.has(runKeyId(r)) || (isEnsemble(r.record) && retrained.has(r.modelId));
  const results = keep ? state.results.filter((r) => !stale(r)) : [];
  const runs: Record<string, RunProgress> = {};
  if (keep) for (const r of results) runs[runKeyId(r)] = state.runs[runKeyId(r)];
  for (const key of queue) runs[runKeyId(key)] = emptyRun(key);
  const union = (a: readonly (string | number)[], b: readonly (string | number)[]) => [...new Set([...a, ...b])];
  const merged: Experiment = keep
    ? {
        ...experiment,
        models: union(previous!.experiment.models, experiment.models) as string[],
        seeds: union(previous!.experiment.seeds, experiment.seeds) as number[],
      }
    : experiment;
  return {
    ...state,
    running: true,
    error: null,
    recovery: null,
    queue: [...(keep ? state.queue.filter((k) => !restarted.has(runKeyId(k))) : []), ...queue],
    runs,
    results,
    downloaded: keep ? state.downloaded : {},
    context: {
      experiment: merged,
      data: keep ? previous!.data : null,
      testImages: keep ? previous!.testImages : null,
      environment: keep ? previous!.environment : null,
      origin: { kind: 'trained' },
    },
  };
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
    case 'storage-problem':
      return { ...state, storageProblem: event.message };
    case 'resumed': {
      if (event.kind !== 'fallback') return state;
      // The autosave figures so far were measured on the backend that failed; the row reports the one training now.
      const moved = state.runs[runKeyId(event)] ? updateRun(state, event, (run) => ({ ...run, autosave: [] })) : state;
      return { ...moved, recovery: event.message };
    }
    case 'model-phase':
      return updateRun(state, event, (run) => ({ ...run, phase: event.phase, message: event.message }));
    case 'train-progress': {
      const p = event.progress;
      return updateRun(state, p, (run) => ({
        ...run,
        progress: p,
        start: run.start ?? { loss: p.loss, accuracy: p.accuracy },
      }));
    }
    case 'baseline':
      return updateRun(state, event, (run) => ({
        ...run,
        startVal: { loss: event.valLoss, accuracy: event.valAccuracy },
      }));
    case 'epoch-end':
      return updateRun(state, event, (run) => ({ ...run, history: [...run.history, event.log] }));
    case 'autosave-cost': {
      // Two events per epoch: the hold-up as the checkpoint is taken, then the write's duration once it is stored.
      // A write finishing just after a new experiment started belongs to the old one: no hold-up of its epoch here.
      const taken = state.runs[runKeyId(event)]?.autosave.some((a) => a.epoch === event.epoch) ?? false;
      if (event.writeMs != null && !taken) return state;
      return updateRun(state, event, (run) => {
        const before = run.autosave.find((a) => a.epoch === event.epoch);
        const cost: AutosaveCost = {
          epoch: event.epoch,
          ms: event.ms || before?.ms || 0,
          epochMs: event.epochMs || before?.epochMs || 0,
          bytes: event.bytes || before?.bytes || 0,
          writeMs: event.writeMs ?? before?.writeMs ?? null,
        };
        return {
          ...run,
          autosave: [...run.autosave.filter((a) => a.epoch !== event.epoch), cost].sort((a, b) => a.epoch - b.epoch),
        };
      });
    }
    case 'feature-progress': {
      const p = event.progress;
      return updateRun(state, event, (run) => ({
        ...run,
        features: p,
        cachedSplits:
          p.cached && !run.cachedSplits.includes(p.split) ? [...run.cachedSplits, p.split] : run.cachedSplits,
      }));
    }
    case 'run-data':
      return state.context
        ? {
            ...state,
            context: {
              ...state.context,
              data: event.data,
              testImages: event.testImages,
              environment: event.environment,
            },
          }
        : state;
    case 'backbones':
    case 'backbone-progress':
      return { ...state, backbones: applyBackboneEvent(state.backbones, event) };
    case 'explain-progress':
      return state; // the gallery and the Classify panel follow it themselves
    case 'dataset-estimate':
      // The loading row says what is being decoded; the offer before it came from the estimate call's answer.
      return state.loadingData ? { ...state, loadEstimate: event.estimate } : state;
    case 'model-result': {
      const id = runKeyId(event.result);
      const results = [...state.results.filter((r) => runKeyId(r) !== id), event.result];
      // A resumed run's record holds every epoch, those before the interruption too.
      const resumed = event.result.record.history;
      const withHistory =
        resumed && resumed.length > (state.runs[id]?.history.length ?? 0)
          ? updateRun(state, event.result, (run) => ({ ...run, history: resumed }))
          : state;
      return { ...withHistory, results, downloaded: { ...state.downloaded, [id]: false }, ingest: null };
    }
  }
}

/** The runs of `results` that trained (seed ensembles are results, not runs of the queue). */
function trainedKeys(results: readonly ModelResult[]): RunKey[] {
  return results.filter((r) => !isEnsemble(r.record)).map((r) => ({ modelId: r.modelId, seed: r.seed }));
}

/** An opened experiment card replaces what the table shows (the loaded dataset and the trained models' files stay). */
function openCard(state: LabState, card: ExperimentCard, name: string, stored: boolean): LabState {
  const results: ModelResult[] = runsFromCard(card);
  const runs: Record<string, RunProgress> = {};
  for (const r of results) {
    runs[runKeyId(r)] = restoredRun(r);
  }
  return {
    ...state,
    results,
    runs,
    queue: trainedKeys(results),
    downloaded: {},
    error: null,
    context: {
      experiment: card.settings,
      data: card.data,
      testImages: card.testImages,
      environment: card.environment,
      origin: { kind: 'file', name, createdAt: card.createdAt, stored },
      comparisons: card.comparisons,
    },
  };
}

/**
 * The project saved in this browser, shown as it was left: its results table, curves and (via artefacts) model
 * files, and its interrupted runs offered for resume. Applied only to a page that shows no results yet.
 */
function restoreSaved(state: LabState, saved: SavedProject): LabState {
  const notes = saved.problems.length > 0 ? saved.problems.join('\n') : null;
  if (state.running || state.results.length > 0 || saved.context == null) {
    return { ...state, interrupted: saved.interrupted, error: notes ?? state.error };
  }
  const results: ModelResult[] = saved.runs.map(({ files: _files, ...r }) => r);
  const runs: Record<string, RunProgress> = {};
  for (const r of results) {
    runs[runKeyId(r)] = restoredRun(r);
  }
  const { experiment, data, testImages, environment } = saved.context;
  return {
    ...state,
    results,
    runs,
    queue: trainedKeys(results),
    downloaded: Object.fromEntries(results.map((r) => [runKeyId(r), false])),
    interrupted: saved.interrupted,
    error: notes ?? state.error,
    context: { experiment, data, testImages, environment, origin: { kind: 'trained' } },
  };
}

export function labReducer(state: LabState, action: LabAction): LabState {
  switch (action.type) {
    case 'ready':
      return { ...state, backend: action.backend, models: action.models, groups: action.groups, backendBusy: false };
    case 'backend-busy':
      return { ...state, backendBusy: true };
    case 'backend':
      return { ...state, backend: action.backend ?? state.backend, backendBusy: false };
    case 'sizes':
      return { ...state, sizes: { key: action.key, list: action.list, weightsVersion: action.weightsVersion } };
    case 'loading-data':
      // A new load replaces an offer still waiting; one that ends (cancelled, failed) leaves no progress behind.
      return action.loading
        ? { ...state, loadingData: true, budgetOffer: null, loadEstimate: null }
        : { ...state, loadingData: false, ingest: null, loadEstimate: null };
    case 'budget-offer':
      return action.offer
        ? { ...state, budgetOffer: action.offer, loadingData: false, ingest: null, loadEstimate: null }
        : { ...state, budgetOffer: null };
    case 'dataset':
      return { ...state, dataset: action.dataset, loadingData: false, ingest: null, loadEstimate: null };
    case 'run-start':
      return startRun(
        {
          ...state,
          interrupted: state.interrupted.filter((i) => !action.only?.some((k) => runKeyId(k) === runKeyId(i))),
        },
        action.experiment,
        action.only,
      );
    case 'restore':
      return restoreSaved(state, action.saved);
    case 'interrupted':
      return { ...state, interrupted: action.list };
    case 'run-end': {
      // A run that stopped early (an error, a crashed worker) leaves no run looking busy.
      const runs = { ...state.runs };
      for (const key of state.queue) {
        const run = runs[runKeyId(key)];
        if (run && ['queued', 'preparing', 'training', 'evaluating'].includes(run.phase)) {
          runs[runKeyId(key)] = { ...run, phase: 'skipped', message: 'not finished: the run stopped' };
        }
      }
      return { ...state, running: false, ingest: null, runs };
    }
    case 'open-card':
      return openCard(state, action.card, action.name, action.stored === true);
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

/** A training queue or a dataset load is under way: neither the data nor the backend may change under it. */
export function isBusy(state: LabState): boolean {
  return state.running || state.loadingData;
}
