/**
 * The lab worker: owns tfjs, the decoded dataset and every model, so training never blocks the page. The page talks
 * to it through the typed calls of protocol.ts; see rpc.ts for the message plumbing.
 */
import '../lab/models'; // registers LightConv2D / LightDense before any model is built or loaded
import { ensureBackend } from './backend';
import { classify, loadModel } from './classify';
import { loadSource, summarise, type DatasetSource, type LoadedDataset } from './dataset';
import { readLayout } from './ingest';
import { listModels, measureModels } from './measure';
import type { ImageFormat, SplitSettings } from './protocol';
import { emit, serve, withTransfer, type Handlers } from './rpc';
import { TrainQueue } from './train-queue';
import { unzipToFiles } from './unzip';

let dataset: LoadedDataset | null = null;
let datasetName = '';
const queue = new TrainQueue();

function refuseWhileTraining(what: string): void {
  if (queue.busy) throw new Error(`cannot ${what} while models are training: wait for the run to end or cancel it`);
}

/** Loads a source, keeps it as the current dataset, and returns its summary with the thumbnails transferred. */
async function load(source: DatasetSource, name: string, args: ImageFormat & SplitSettings) {
  refuseWhileTraining('load a dataset');
  const ds = await loadSource(source, args, (done, total) => emit({ type: 'ingest-progress', done, total, phase: 'decoding' }));
  dataset = ds;
  datasetName = name;
  return describe(args);
}

function describe(split: SplitSettings) {
  if (!dataset) throw new Error('no dataset loaded yet: drop a folder or zip, or use the demo dataset');
  const summary = summarise(dataset, datasetName, split);
  return withTransfer(summary, summary.thumbnails.map((t) => t.rgba.buffer as ArrayBuffer));
}

const handlers: Handlers = {
  init: async ({ backend }) => {
    try {
      return { backend: await ensureBackend(backend), backendError: null, models: listModels() };
    } catch (err) {
      return { backend: null, backendError: (err as Error).message, models: listModels() };
    }
  },
  setBackend: async ({ backend }) => {
    refuseWhileTraining('change the backend');
    return ensureBackend(backend);
  },
  loadDemo: async (args) =>
    load({ kind: 'demo', perClass: args.perClass, seed: args.seed }, `Demo phantom set (${args.perClass} per class, seed ${args.seed})`, args),
  loadFiles: async (args) => load({ kind: 'folder', name: args.name, files: args.files, layout: readLayout(args.name, args.files) }, args.name, args),
  loadZip: async (args) => {
    refuseWhileTraining('load a dataset');
    const files = await unzipToFiles(args.name, args.zip, (read, total) => emit({ type: 'ingest-progress', done: read, total, phase: 'reading' }));
    return load({ kind: 'zip', name: args.name, files, layout: readLayout(args.name, files) }, args.name, args);
  },
  describe: async (args) => describe(args),
  measureModels: async (args) => measureModels(args),
  train: async ({ settings, models }) => {
    if (!dataset) throw new Error('no dataset loaded yet: drop a folder or zip, or use the demo dataset');
    return queue.run(settings, models, dataset, (ds) => (dataset = ds));
  },
  cancel: async ({ modelId }) => {
    queue.cancel(modelId);
    return null;
  },
  loadModel: async ({ ref, modelJson, weights }) => loadModel(ref, modelJson, weights),
  classify: async ({ ref, images }) => {
    const results = await classify(ref, images);
    return withTransfer(results, results.flatMap((r) => (r.thumbnail ? [r.thumbnail.rgba.buffer as ArrayBuffer] : [])));
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
