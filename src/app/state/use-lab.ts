/**
 * Connects the page to the lab worker: applies its events to the state, and offers the actions the sections call.
 * Settings are read through a ref so an action always uses the latest values, and `train` freezes a copy.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef } from 'react';
import { parseExperimentOrResults } from '../../lab/experiment/card';
import { runKeyId } from '../../lab/experiment/run-control';
import { isEnsemble } from '../../lab/report/ensemble-record';
import { splitOf } from '../../lab/experiment/schema';
import type { InterruptedRun } from '../../lab/persist/saved-project';
import { modelIdCheck } from '../../lab/registry/model-id';
import type { Experiment, LabResult, Picked, StorageUsage } from '../../worker/protocol';
import type { PickedLabels } from '../../lab/data/table/picked-labels';
import { getLabClient } from '../lab-client';
import { saveBlob } from '../lib/download';
import { projectPartsOf } from '../lib/project-file';
import { installTestHooks } from '../lib/test-hooks';
import { storeModelFiles } from './artefacts';
import { backboneActions, type BackboneActions } from './backbone-actions';
import { readDatasetBudget, writeDatasetBudget } from './dataset-budget';
import { INITIAL_STATE, labReducer, type LabState } from './lab-state';
import { experimentOf, type Settings } from './settings';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
/** One init per page, however often React mounts the hook. */
let initOnce: Promise<LabResult<'init'>> | null = null;
/** One restore of the saved project per page. */
let restoreOnce: Promise<void> | null = null;

/**
 * Asks the browser to keep the lab's storage (not evicted under pressure), then shows the project saved in this
 * browser: results, curves, model files and interrupted runs. A store that cannot be read says why; nothing changes.
 */
async function restoreSaved(
  client: ReturnType<typeof getLabClient>,
  dispatch: (a: Parameters<typeof labReducer>[1]) => void,
): Promise<void> {
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
    dispatch({ type: 'error', message: `Saved work could not be restored: ${message(err)}` });
  }
}

/** What to tell the user when some models of a run failed (the rest finished normally). */
function failureMessage(failed: LabResult<'train'>['failed'], total: number): string {
  const lines = failed.map((f) => `${f.label} (seed ${f.seed}) failed: ${f.error}`);
  const rest = failed.length < total ? 'The other models finished; their results are below. ' : '';
  return `${lines.join('\n')}\n${rest}Deselect the failed model or change the setting its message names, then train again.`;
}

/** The core's "too large for memory" names what fits; say where the page's image limit is. */
function withLimitAdvice(text: string): string {
  return /too large for memory/.test(text)
    ? `${text}\nTo load a subset, set "Load at most … images" in step 1 (seeded, same share of each class), then load it again.`
    : text;
}

export interface LabActions extends BackboneActions {
  loadDemo(): Promise<void>;
  /**
   * Loads a picked or dropped folder, files or zip (with `labels`, its classes from a label table among the files);
   * a failure leaves the loaded dataset as it was.
   */
  loadPicked(picked: Picked, labels?: PickedLabels | null): Promise<void>;
  /** Stops the dataset load in progress; the previous dataset stays. */
  cancelLoad(): void;
  /** Trains `models` (ids, in order) with every seed, with a frozen copy of the current settings. */
  train(models: string[]): Promise<void>;
  /**
   * Opens an experiment card (experiment.json) and shows its results without training. A file that is not a valid
   * card changes nothing and says why; returns the card's settings so the page can take them over.
   */
  openExperiment(file: File): Promise<void>;
  cancel(modelId: string | null): void;
  /** Run keys (`cnn@1`) whose files were downloaded. */
  markDownloaded(ids: string[]): void;
  showError(text: string | null): void;
  /** Continues an interrupted run from its saved checkpoint (the same data must be loaded). */
  resume(run: InterruptedRun): Promise<void>;
  /** Forgets an interrupted run's checkpoint. */
  discard(run: InterruptedRun): Promise<void>;
  /** Saves the project as one zip (in the worker), with the decoded images when asked; a failure says why. */
  saveProject(withImages: boolean): Promise<void>;
  /**
   * Opens a project zip ("Save project"): its table, curves, models, interrupted runs and (if saved with them) its
   * images, and keeps it in this browser's store. A bad file changes nothing and says why.
   */
  openProject(file: File): Promise<void>;
  /** What the browser stores for the lab. */
  storageUsage(): Promise<StorageUsage>;
  /** Empties the project store; what the page shows stays. */
  clearStorage(): Promise<StorageUsage>;
  /** Sets (and remembers) the budget for keeping the decoded dataset in this browser. */
  setDatasetBudget(bytes: number): Promise<StorageUsage>;
}

export function useLab(settings: Settings): [LabState, LabActions] {
  const [state, dispatch] = useReducer(labReducer, INITIAL_STATE);
  const client = getLabClient();
  const latest = useRef(settings);
  latest.current = settings;
  const current = useRef(state);
  current.current = state;
  // Made once: it remembers which downloads the user cancelled across renders.
  const transfer = useMemo(() => backboneActions(client, dispatch, () => current.current), [client]);
  const busy = useRef(false);
  busy.current = state.running || state.loadingData;

  useEffect(() => {
    const offEvents = client.on((event) => {
      if (event.type === 'model-result' && event.files) storeModelFiles(runKeyId(event.result), event.files);
      dispatch({ type: 'event', event });
    });
    const offCrash = client.onCrash((err) => {
      dispatch({ type: 'run-end' });
      dispatch({ type: 'loading-data', loading: false });
      dispatch({ type: 'error', message: err.message });
    });
    installTestHooks(client);
    initOnce ??= client.call('init', { backend: latest.current.backend });
    initOnce
      .then((r) => {
        dispatch({ type: 'ready', backend: r.backend, models: r.models, groups: r.groups });
        if (r.backendError)
          dispatch({ type: 'error', message: `${r.backendError}. Choose another backend in Settings.` });
        restoreOnce ??= restoreSaved(client, dispatch);
        // After init: restoring cached weights (up to 87 MB from IndexedDB) must not hold up the page.
        return client.call('backbones', null).then((info) => {
          dispatch({ type: 'backbones-info', info });
          if (info.restoreError) dispatch({ type: 'error', message: `${info.restoreError}. Load the weights again.` });
        });
      })
      .catch((err) => dispatch({ type: 'error', message: message(err) }));
    return () => {
      offEvents();
      offCrash();
    };
  }, [client]);

  // Parameter counts follow the input size live (debounced: typing "128" should not build models at 1 and 12), and
  // the loaded weights (MobileNetV2's alpha changes its count).
  const ready = state.models.length > 0;
  const weightsVersion = state.backbones.version;
  useEffect(() => {
    if (!ready) return;
    const { size, channels } = settings;
    const key = `${size}x${channels}`;
    const timer = setTimeout(() => {
      if (!(Number.isInteger(size) && size >= 1 && size <= 1024)) return;
      client.call('measureModels', { size, channels }).then(
        (list) => dispatch({ type: 'sizes', key, list, weightsVersion }),
        () => undefined,
      );
    }, 250);
    return () => clearTimeout(timer);
  }, [client, ready, settings.size, settings.channels, weightsVersion]);

  // A new backend choice applies at once when idle; a running queue keeps the one it started with.
  const firstBackend = useRef(true);
  useEffect(() => {
    if (firstBackend.current) {
      firstBackend.current = false;
      return;
    }
    if (!ready || busy.current) return;
    dispatch({ type: 'backend-busy' });
    client.call('setBackend', { backend: settings.backend }).then(
      (backend) => dispatch({ type: 'backend', backend }),
      (err) => {
        dispatch({ type: 'backend', backend: null });
        dispatch({ type: 'error', message: message(err) });
      },
    );
  }, [client, ready, settings.backend]);

  // The split follows the fractions and seed; the worker re-deals it (cheap) while idle.
  const hasData = state.dataset != null;
  useEffect(() => {
    if (!hasData || busy.current) return;
    const split = splitOf(settings);
    const timer = setTimeout(() => {
      client.call('splitDataset', split).then(
        (d) => dispatch({ type: 'dataset', dataset: d }),
        () => undefined,
      );
    }, 250);
    return () => clearTimeout(timer);
  }, [client, hasData, settings.valFraction, settings.testFraction, settings.seeds[0], settings.keepOfficialVal]);

  // Leaving with trained models that were never downloaded asks first.
  const unsaved =
    state.context?.origin.kind === 'trained' &&
    state.results.some((r) => r.record.status !== 'failed' && !isEnsemble(r.record) && !state.downloaded[runKeyId(r)]);
  useEffect(() => {
    if (!unsaved) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [unsaved]);

  const load = useCallback(async (start: () => Promise<LabState['dataset']>) => {
    dispatch({ type: 'error', message: null });
    dispatch({ type: 'loading-data', loading: true });
    try {
      const dataset = await start();
      // null: cancelled, and the worker kept the dataset loaded before.
      if (dataset) dispatch({ type: 'dataset', dataset });
      else dispatch({ type: 'loading-data', loading: false });
    } catch (err) {
      dispatch({ type: 'loading-data', loading: false });
      dispatch({ type: 'error', message: withLimitAdvice(message(err)) });
    }
  }, []);

  /** Trains `experiment` (or only the runs `only`, resumed from their checkpoints), then reports how it went. */
  const runQueue = async (experiment: Experiment, total: number, only?: { modelId: string; seed: number }[]) => {
    dispatch({ type: 'run-start', experiment, only });
    try {
      const outcome = await client.call('train', { experiment, resume: only });
      if (outcome.status === 'backend-failed') dispatch({ type: 'error', message: outcome.message });
      else if (outcome.failed.length > 0) dispatch({ type: 'error', message: failureMessage(outcome.failed, total) });
      const dataset = await client.call('splitDataset', splitOf(latest.current));
      dispatch({ type: 'dataset', dataset });
    } catch (err) {
      dispatch({ type: 'error', message: message(err) });
    } finally {
      dispatch({ type: 'run-end' });
    }
  };

  const format = () => {
    const s = latest.current;
    return { size: s.size, channels: s.channels, ...splitOf(s) };
  };

  const actions: LabActions = {
    loadDemo: () => load(() => client.call('loadDemo', { ...format(), perClass: latest.current.demoPerClass })),
    loadPicked: (picked, labels) =>
      load(() =>
        client.call('loadPicked', { ...format(), limit: latest.current.limit, picked, labels: labels ?? null }),
      ),
    cancelLoad: () => {
      client.call('cancelLoad', null).catch((err) => dispatch({ type: 'error', message: message(err) }));
    },
    train: async (models) => {
      const s = latest.current;
      await runQueue({ ...experimentOf(s), models: [...models] }, models.length * s.seeds.length);
    },
    resume: async (run) => {
      const context = current.current.context;
      if (busy.current)
        return dispatch({ type: 'error', message: 'Wait for the training run to end (or cancel it) before resuming.' });
      if (!context)
        return dispatch({
          type: 'error',
          message: 'The experiment of this run was not saved: it cannot be resumed. Discard it and train again.',
        });
      if (current.current.dataset?.identity.fingerprint !== run.fingerprint) {
        return dispatch({
          type: 'error',
          message: `To resume ${run.label}, load the data it trained on first (${run.source}).`,
        });
      }
      const key = { modelId: run.modelId, seed: run.seed };
      await runQueue(context.experiment, 1, [key]);
    },
    discard: async (run) => {
      try {
        await client.call('discardCheckpoint', { modelId: run.modelId, seed: run.seed });
        dispatch({
          type: 'interrupted',
          list: current.current.interrupted.filter((i) => runKeyId(i) !== runKeyId(run)),
        });
      } catch (err) {
        dispatch({ type: 'error', message: message(err) });
      }
    },
    saveProject: async (withImages) => {
      const { context, results } = current.current;
      try {
        if (!context) throw new Error('there is nothing to save yet');
        const { card, models } = projectPartsOf(context, results);
        const zip = await client.call('saveProject', { card, models, withImages });
        saveBlob(new Blob([zip as BlobPart], { type: 'application/zip' }), 'xray-lab-project.zip');
      } catch (err) {
        dispatch({ type: 'error', message: `Could not save the project: ${message(err)}` });
      }
    },
    openProject: async (file) => {
      if (busy.current)
        return dispatch({
          type: 'error',
          message: 'Wait for the training run to end (or cancel it) before opening a project.',
        });
      try {
        // The saved project restored at start-up must not land on top of the opened one.
        await restoreOnce;
        const bytes = await file.arrayBuffer();
        const opened = await client.call('openProject', { bytes, name: file.name }, [bytes]);
        for (const [id, files] of opened.models) storeModelFiles(id, files);
        if (opened.dataset) dispatch({ type: 'dataset', dataset: opened.dataset });
        dispatch({ type: 'open-card', card: opened.card, name: file.name, stored: opened.storageProblem == null });
        dispatch({ type: 'interrupted', list: opened.interrupted });
        if (opened.storageProblem) dispatch({ type: 'error', message: opened.storageProblem });
      } catch (err) {
        dispatch({ type: 'error', message: message(err) });
      }
    },
    storageUsage: () => client.call('storageUsage', null),
    setDatasetBudget: (bytes) => {
      writeDatasetBudget(bytes);
      return client.call('setDatasetBudget', { bytes });
    },
    clearStorage: async () => {
      const usage = await client.call('clearStorage', null);
      dispatch({ type: 'interrupted', list: [] });
      return usage;
    },
    cancel: (modelId) => {
      client.call('cancel', { modelId }).catch((err) => dispatch({ type: 'error', message: message(err) }));
    },
    openExperiment: async (file) => {
      if (busy.current) {
        dispatch({
          type: 'error',
          message: 'Wait for the training run to end (or cancel it) before opening an experiment.',
        });
        return;
      }
      try {
        const checkModel = modelIdCheck(current.current.models.map((m) => m.id));
        const card = parseExperimentOrResults(await file.text(), file.name, { checkModel });
        dispatch({ type: 'open-card', card, name: file.name });
      } catch (err) {
        dispatch({ type: 'error', message: message(err) });
      }
    },
    markDownloaded: (ids) => dispatch({ type: 'downloaded', ids }),
    showError: (text) => dispatch({ type: 'error', message: text }),
    ...transfer,
  };
  // One object for the page's lifetime, each method calling this render's: sections that receive it can skip
  // re-rendering on every progress message (every action reads the latest state through refs anyway).
  const latestActions = useRef(actions);
  latestActions.current = actions;
  const stable = useMemo(
    () =>
      Object.fromEntries(
        Object.keys(actions).map((name) => [
          name,
          (...args: unknown[]) =>
            (latestActions.current[name as keyof LabActions] as (...a: unknown[]) => unknown)(...args),
        ]),
      ) as unknown as LabActions,
    [],
  ); // the keys never change
  return [state, stable];
}
