/**
 * The lab worker: owns tfjs, the decoded dataset and every model, so training never blocks the page. The page talks
 * to it through the typed calls of protocol.ts; see rpc.ts for the message plumbing.
 */
import '../lab/models'; // registers LightConv2D / LightDense before any model is built or loaded
import { ensureBackend } from './backend';
import {
  backbonesInfo,
  backbonesRestored,
  cancelBackboneLoad,
  clearCaches,
  loadBackboneFiles,
  loadBackboneUrl,
} from './backbones';
import { classify, loadModel } from './classify';
import { loadOnnxModel } from './onnx-classify';
import { buffersOf, exportModel, exportPytorch } from './export-formats';
import {
  cancelExplain,
  explainFiles,
  explainNamedImages,
  explainSetImages,
  explainTransferables,
  type ExplainHooks,
} from './explain';
import {
  describe,
  estimateDataset,
  loadDataset,
  progressToPage,
  resplit,
  type DatasetSource,
  type LoadedDataset,
} from './dataset';
import { listModels, measureModels } from './measure';
import { MODEL_GROUPS } from '../lab/registry/groups';
import type { ImageFormat, SplitSettings } from './protocol';
import { emit, serve, withTransfer, yieldToEvents, type Handlers } from './rpc';
import { TrainQueue } from './train-queue';
import { Autosave } from './autosave';
import { storageUsage } from './storage-usage';
import { DatasetAutosave } from './dataset-autosave';
import { loseGpu } from './gpu-fault';
import { keepOpenedProject, readOpenedProject, saveProjectZip } from './project-file';

let dataset: LoadedDataset | null = null;
/** The dataset load in progress, so Cancel can stop it. */
let loading: AbortController | null = null;
/** A project is being opened: its dataset and store replace the current ones, so nothing may load or train meanwhile. */
let opening = false;
const autosave = new Autosave((message) => emit({ type: 'storage-problem', message }));
const queue = new TrainQueue(autosave);
const datasetAutosave = new DatasetAutosave((message) => emit({ type: 'storage-problem', message }));
/**
 * The backend switch in progress (settled when none). A Train clicked right after a backend change waits for it
 * instead of initialising a backend alongside it, so the two never interleave.
 */
let backendSwitch: Promise<unknown> = Promise.resolve();

/** Grad-CAM progress to the page after each batch, then a yield so a Cancel click gets through. */
function explainProgress(ref: string): ExplainHooks {
  return {
    onProgress: async (done, total) => {
      emit({ type: 'explain-progress', ref, done, total });
      await yieldToEvents();
    },
  };
}

function refuseWhileTraining(what: string): void {
  if (queue.busy) throw new Error(`cannot ${what} while models are training: wait for the run to end or cancel it`);
  if (opening) throw new Error(`cannot ${what} while a project is opening: wait for it`);
}

/**
 * Loads a source and makes it the current dataset. Whatever goes wrong (a bad layout, too large, cancelled), the
 * dataset loaded before stays, since it is replaced only once the new one is complete.
 */
async function load(source: DatasetSource, args: ImageFormat & SplitSettings) {
  return whileLoading(async (options) => {
    const ds = await loadDataset(source, {
      ...options,
      format: { size: args.size, channels: args.channels },
      split: splitArgs(args),
      onEstimate: (estimate) => emit({ type: 'dataset-estimate', estimate }),
    });
    if (!ds) return null;
    dataset = ds;
    void datasetAutosave.save(ds);
    return info(ds);
  });
}

/** Runs one listing or load at a time, cancellable by cancelLoad, with progress to the page and the dataset budget. */
async function whileLoading<T>(
  work: (options: { signal: AbortSignal; onProgress: ReturnType<typeof progressToPage>; budgetBytes: number }) => T,
) {
  refuseWhileTraining('load a dataset');
  if (loading) throw new Error('a dataset is already loading: wait for it or cancel it');
  const controller = new AbortController();
  loading = controller;
  try {
    return await work({ signal: controller.signal, onProgress: progressToPage(), budgetBytes: datasetAutosave.budget });
  } finally {
    loading = null;
  }
}

const splitArgs = ({ valFraction, testFraction, seed, keepOfficialVal }: SplitSettings): SplitSettings => ({
  valFraction,
  testFraction,
  seed,
  keepOfficialVal,
});

/** The dataset as the page shows it, thumbnails transferred. */
function info(ds: LoadedDataset) {
  const shown = describe(ds);
  return withTransfer(
    shown,
    shown.thumbnails.map((t) => t.rgba.buffer as ArrayBuffer),
  );
}

const handlers: Handlers = {
  init: async ({ backend }) => {
    try {
      return {
        backend: await ensureBackend(backend),
        backendError: null,
        models: listModels(),
        groups: [...MODEL_GROUPS],
      };
    } catch (err) {
      return { backend: null, backendError: (err as Error).message, models: listModels(), groups: [...MODEL_GROUPS] };
    }
  },
  setBackend: async ({ backend }) => {
    refuseWhileTraining('change the backend');
    const switching = backendSwitch.then(() => ensureBackend(backend));
    backendSwitch = switching.catch(() => undefined);
    return switching;
  },
  loadDemo: async (args) => {
    const shown = await load({ kind: 'demo', perClass: args.perClass, seed: args.seed }, args);
    if (!shown) throw new Error('the demo dataset was not generated');
    return shown;
  },
  loadPicked: async ({ picked, labels, subset, ...args }) =>
    load({ kind: 'picked', picked, limit: args.limit, labels: labels ?? null, subset: subset ?? 0 }, args),
  estimatePicked: async ({ picked, labels, subset, ...args }) =>
    whileLoading((options) =>
      estimateDataset(
        { kind: 'picked', picked, limit: args.limit, labels: labels ?? null, subset: subset ?? 0 },
        { ...options, format: { size: args.size, channels: args.channels }, split: splitArgs(args) },
      ),
    ),
  cancelLoad: async () => {
    loading?.abort();
    return null;
  },
  splitDataset: async (split) => {
    if (!dataset) throw new Error('no dataset loaded yet: drop a folder or zip, or use the demo dataset');
    // A running queue trains on views of the store: reorder it only when idle.
    if (!queue.busy && !opening) {
      const next = resplit(dataset, split);
      if (next !== dataset) void datasetAutosave.save(next);
      dataset = next;
    }
    return info(dataset);
  },
  measureModels: async (args) => measureModels(args),
  train: async ({ experiment, resume }) => {
    if (opening) throw new Error('a project is opening: wait for it, then train');
    if (!dataset) throw new Error('no dataset loaded yet: drop a folder or zip, or use the demo dataset');
    // The run would keep (and hand back) the old dataset over the one being loaded.
    if (loading) throw new Error('a dataset is still loading: wait for it or cancel it, then train');
    return queue.run(
      experiment,
      dataset,
      (ds) => void datasetAutosave.save((dataset = ds)),
      Promise.all([backbonesRestored(), backendSwitch]),
      resume,
    );
  },
  restoreSaved: async () => {
    const saved = await autosave.load();
    if (!saved) return null;
    // Copies for the page; the store keeps its own.
    return withTransfer(
      saved,
      saved.runs.flatMap((r) => [
        r.probabilities.buffer as ArrayBuffer,
        r.labels.buffer as ArrayBuffer,
        ...(r.files ? [r.files.weights.buffer as ArrayBuffer] : []),
      ]),
    );
  },
  discardCheckpoint: async (key) => {
    await autosave.discard(key);
    return null;
  },
  restoreDataset: async () => {
    if (dataset || loading || opening) return null;
    const ds = await datasetAutosave.restore();
    // A load (or an opened project's images) that arrived meanwhile wins.
    if (!ds || dataset || opening) return null;
    dataset = ds;
    return info(ds);
  },
  setDatasetBudget: async ({ bytes }) => {
    await datasetAutosave.setBudget(bytes, dataset);
    return storageUsage(autosave, datasetAutosave);
  },
  storageUsage: async () => storageUsage(autosave, datasetAutosave),
  saveProject: async ({ card, models, withImages }) => {
    const zip = await saveProjectZip(card, models, withImages, () => dataset, autosave);
    return withTransfer(zip, [zip.buffer as ArrayBuffer]);
  },
  openProject: async ({ bytes, name }) => {
    refuseWhileTraining('open a project');
    if (loading) throw new Error('a dataset is still loading: wait for it or cancel it, then open the project');
    opening = true;
    try {
      // Everything that can fail on a bad file runs before anything changes.
      const opened = readOpenedProject(new Uint8Array(bytes), name);
      const shown = opened.dataset ? describe(opened.dataset) : null;
      const storageProblem = await keepOpenedProject(opened, autosave);
      if (opened.dataset) {
        dataset = opened.dataset;
        void datasetAutosave.save(dataset);
      }
      const result = {
        card: opened.card,
        models: opened.models,
        interrupted: storageProblem ? [] : opened.checkpoints.map((c) => c.info),
        dataset: shown,
        storageProblem,
      };
      // A Set: two entries of one zip may share a buffer, and a buffer listed twice cannot be transferred.
      return withTransfer(result, [
        ...new Set([
          ...opened.models.map(([, f]) => f.weights.buffer as ArrayBuffer),
          ...(shown ? shown.thumbnails.map((t) => t.rgba.buffer as ArrayBuffer) : []),
        ]),
      ]);
    } finally {
      opening = false;
    }
  },
  loseGpuContext: async () => loseGpu(),
  clearStorage: async () => {
    refuseWhileTraining('clear stored data');
    await autosave.clear();
    await datasetAutosave.clear();
    return storageUsage(autosave, datasetAutosave);
  },
  cancel: async ({ modelId }) => {
    queue.cancel(modelId);
    return null;
  },
  loadModel: async ({ ref, modelJson, weights }) => loadModel(ref, modelJson, weights),
  loadOnnxModel: async ({ ref, bytes }) => loadOnnxModel(ref, bytes),
  classify: async ({ ref, images }) => {
    const results = await classify(ref, images);
    return withTransfer(
      results,
      results.flatMap((r) => (r.thumbnail ? [r.thumbnail.rgba.buffer as ArrayBuffer] : [])),
    );
  },
  exportModel: async ({ modelJson, weights, format }) => {
    const files = await exportModel(modelJson, weights, format);
    return withTransfer(files, buffersOf(files));
  },
  exportPytorch: async ({ card, trained }) => {
    const files = await exportPytorch(card, trained);
    return withTransfer(files, buffersOf(files));
  },
  explainSplit: async ({ ref, split, indices, classes }) => {
    if (!dataset) throw new Error('no dataset loaded yet: drop a folder or zip, or use the demo dataset');
    const explained = await explainSetImages(ref, dataset.sets[split], indices, classes, explainProgress(ref));
    return withTransfer(explained, explainTransferables(explained));
  },
  explainTestImages: async ({ ref, files, labels, classes }) => {
    if (!dataset) throw new Error('no dataset loaded: load the dataset these results were trained on to explain them');
    const explained = await explainNamedImages(ref, dataset.images, files, labels, classes, explainProgress(ref));
    return withTransfer(explained, explainTransferables(explained));
  },
  explainFiles: async ({ ref, images, classes }) => {
    if (classes === 'true')
      throw new Error('dropped images have no known class: explain their predicted class or a named one');
    const explained = await explainFiles(ref, images, classes, explainProgress(ref));
    return withTransfer(explained, explainTransferables(explained));
  },
  cancelExplain: async () => {
    cancelExplain();
    return null;
  },
  backbones: async () => backbonesInfo(),
  // Weights change what a run uses: refused while one is in progress, so a model never trains on half of each.
  loadBackboneUrl: async ({ backboneId, url }) => {
    refuseWhileTraining('load backbone weights');
    return loadBackboneUrl(backboneId, url);
  },
  loadBackboneFiles: async ({ backboneId, files }) => {
    refuseWhileTraining('load backbone weights');
    return loadBackboneFiles(backboneId, files);
  },
  cancelBackboneLoad: async ({ backboneId }) => {
    cancelBackboneLoad(backboneId);
    return null;
  },
  clearTransferCaches: async () => {
    refuseWhileTraining('clear the transfer caches');
    await clearCaches();
    return null;
  },
};

// Uncaught errors here come from tfjs's own timers (a lost GPU context, out of memory). Handle them instead of letting
// them reach the page as a worker crash: during a run they stop the queue, otherwise they are shown as a problem.
function onUncaught(reason: string): void {
  if (!queue.backendBroke(reason)) emit({ type: 'problem', message: `The lab worker hit an error: ${reason}` });
}
self.addEventListener('error', (e: ErrorEvent) => {
  e.preventDefault();
  onUncaught(e.message || String(e.error));
});
self.addEventListener('unhandledrejection', (e: PromiseRejectionEvent) => {
  e.preventDefault();
  onUncaught(e.reason instanceof Error ? e.reason.message : String(e.reason));
});

serve(handlers);
