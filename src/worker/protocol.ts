/**
 * The typed contract between the page and the lab worker. Plain, structured-cloneable data only: the page never
 * holds a tensor or a model, it refers to models by id. Pixels and weights travel as transferable buffers.
 *
 * Two kinds of traffic:
 * - calls: the page sends `{kind: 'call', id, method, args}`; the worker answers once with a reply of the same id.
 * - events: the worker pushes `{kind: 'event', event}` at any time (progress, epoch logs, finished models).
 */
import type { SplitSettings } from '../lab/data/assign-splits';
import type { DataIdentity } from '../lab/data/data-identity';
import type { CardData, Environment, ExperimentCard } from '../lab/experiment/card';
import type { Experiment } from '../lab/experiment/schema';
import type { ModelGroup } from '../lab/registry/groups';
import type { PickedFile, Picked } from '../lab/data/browser/picked';
import type { DecodeEstimate } from '../lab/data/decode-estimate';
import type { IngestProgress } from '../lab/data/scan';
import type { DatasetSummary } from '../lab/data/summary';
import type { PickedLabels } from '../lab/data/table/picked-labels';
import type { BatchLog, EpochLog } from '../lab/train/train-log';
import type { ResultRecord } from '../lab/report/result-record';
import type { RocPoint } from '../lab/eval/roc';
import type { InterruptedRun, SavedModelFiles, SavedProject } from '../lab/persist/saved-project';
import type { RunKey } from '../lab/experiment/run-control';
import type { BackboneId, BackboneStatus, FeatureProgress, TransferApi, WeightsProgress } from './protocol-transfer';
import type { ExportApi } from './protocol-export';
import type { ExplainApi, ExplainProgressEvent } from './protocol-explain';

export type BackendPreference = 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** The backend the worker computes on, as the indicator shows it. */
export interface BackendInfo {
  name: string;
  preference: BackendPreference;
  /** GPU adapter or renderer description; '' when there is none (wasm, cpu). */
  adapter: string;
  /** The software renderer behind a GPU backend (SwiftShader, llvmpipe, …); absent on a real GPU and on wasm/cpu. */
  software?: string;
  /** Backends passed over before `name`, with the reason. */
  fallbacks: { name: string; reason: string }[];
  /** Convolution-gradient kernels replaced by the lab's fast ones (wasm/cpu). */
  fastKernels: string[];
  /** What trains: the lab's fast path or stock tfjs; absent before a backend reports it. */
  kernels?: 'lab' | 'stock';
  /** Why the lab's kernels were asked for and stock tfjs runs (another tfjs version). */
  kernelsNote?: string;
  /** What 'auto' measured for the run's model and size (training images/s per backend); absent when nothing was. */
  measured?: { name: string; imagesPerSec: number | null; note: string | null }[];
}

/** One registry entry, without its builder. */
export interface ModelInfo {
  id: string;
  /** Where the page lists it. */
  group: ModelGroup['id'];
  /** The pretrained backbone it needs loaded first; null for networks trained from scratch. */
  backbone: BackboneId | null;
  /** LightLayers rank k; null for other networks. */
  rank: number | null;
  label: string;
  description: string;
  minSize: number;
}

/** Parameters of one model at an input size, or why it cannot be built there. */
export interface ModelSizeInfo {
  id: string;
  params: number | null;
  trainableParams: number | null;
  bytes: number | null;
  error: string | null;
}

/** How the loaded images are split into train / validation / test: the core's SplitSettings, as the page sets them. */
export type {
  CardData,
  DataIdentity,
  DatasetSummary,
  DecodeEstimate,
  Environment,
  Experiment,
  IngestProgress,
  ModelGroup,
  Picked,
  PickedFile,
  SplitSettings,
};
export type * from './protocol-transfer';
export type * from './protocol-explain';

/** Store images at this resolution when loading. */
export interface ImageFormat {
  size: number;
  channels: 1 | 3;
}

/** How a folder or zip is loaded: its format, and a seeded class-stratified subset (0 = every image). */
export interface LoadFormat extends ImageFormat {
  limit: number;
}

export interface Thumbnail {
  label: number;
  file: string;
  side: number;
  /** side × side RGBA. */
  rgba: Uint8ClampedArray;
}

/** The loaded dataset as the page shows it: the core's summary, plus a few thumbnails per class. */
export interface DatasetInfo {
  summary: DatasetSummary;
  /** True for the generated phantom set (no files behind it). */
  demo: boolean;
  /** The image limit it was loaded with (a seeded class-stratified subset); 0 = every image. */
  limit: number;
  /** The budget subset it was loaded with (`loadPicked`'s `subset`); absent or 0: none. */
  subset?: number;
  /** Every image file of the source: counts per class and a fingerprint of names and sizes. */
  identity: DataIdentity;
  thumbnails: Thumbnail[];
}

/**
 * Before a picked folder or zip is decoded: the core's estimate (decode-estimate.ts) of the decoded images at the
 * chosen size and channels against the page's dataset budget (or, when that is off or larger, the tab's memory
 * limit), counted from the listed files alone. `fits` false: `subset` is the largest budget subset that fits (every
 * class, whole patients, official splits kept); load it with `loadPicked`'s `subset: estimate.subset.request`.
 * `line` says all of it in one sentence.
 */
export interface DatasetEstimate extends DecodeEstimate {
  /** The tab's memory limit: above it, loading every image is refused before decoding. */
  memoryLimitBytes: number;
  /** Every image may still be loaded: it fits the memory limit (over the dataset budget it is only not kept here). */
  loadAllAllowed: boolean;
  /** The budget subset this load takes (`loadPicked`'s `subset`): its image count, bytes and counts in words. */
  chosen: { images: number; decodedBytes: number; line: string } | null;
}

/** A trained model's outcome: the report record plus what the page needs to move the threshold and draw ROC. */
export interface ModelResult {
  modelId: string;
  seed: number;
  record: ResultRecord;
  /** test count × classes softmax probabilities (empty when the model was not evaluated). */
  probabilities: Float32Array;
  labels: Int32Array;
  classNames: string[];
  positiveClass: number;
  roc: RocPoint[];
  /** With --adapt-bn: the test probabilities of the model as trained (`probabilities` are the adapted ones). */
  probabilitiesBeforeAdaptation?: Float32Array;
}

/** A trained model as TF.js files. */
export interface ModelFilesData {
  modelJson: string;
  weights: Uint8Array;
}

export type ModelPhase =
  'queued' | 'preparing' | 'training' | 'evaluating' | 'done' | 'failed' | 'cancelled' | 'skipped';

/** The core's batch log of one run, with the epochs planned and the time left. */
export interface TrainProgress extends BatchLog {
  modelId: string;
  seed: number;
  epochs: number;
  /** Estimated milliseconds left for this model's training. */
  etaMs: number;
}

export interface Classification {
  file: string;
  probabilities: number[];
  predicted: number;
  thumbnail: Thumbnail | null;
  error: string | null;
}

export interface LoadedModelInfo {
  ref: string;
  size: number;
  channels: 1 | 3;
  classNames: string[];
  pixelRange: '0,1' | '-1,1';
}

/** What the browser stores for the lab (see src/lab/persist), and what it allows. */
export interface StorageUsage {
  /** Bytes the project store holds. */
  projectBytes: number;
  /** navigator.storage.estimate(): everything this site stores, and its quota; null where unknown. */
  usage: number | null;
  quota: number | null;
  /** Whether the browser granted persistent storage (not evicted under pressure). */
  persisted: boolean | null;
  /** Bytes the stored dataset takes (0: none), the budget it must fit, and why it is not stored (null: nothing to say). */
  datasetBytes: number;
  datasetBudget: number;
  datasetNote: string | null;
}

export interface QueueOutcome {
  status: 'done' | 'cancelled' | 'backend-failed';
  message: string | null;
  /** Runs that failed, with the reason (their rows say it too). */
  failed: { modelId: string; seed: number; label: string; error: string }[];
}

/** Every method the worker offers: its argument and its result (the transfer-learning ones in protocol-transfer.ts). */
export interface LabApi extends TransferApi, ExportApi, ExplainApi {
  /** Lists the models and starts a backend; `backendError` says why none started (the list still comes back). */
  init: {
    args: { backend: BackendPreference };
    result: { backend: BackendInfo | null; backendError: string | null; models: ModelInfo[]; groups: ModelGroup[] };
  };
  setBackend: { args: { backend: BackendPreference }; result: BackendInfo };
  loadDemo: { args: ImageFormat & SplitSettings & { perClass: number }; result: DatasetInfo };
  /**
   * Loads what the user picked or dropped through the core pipeline. A bad layout or a set too large for memory
   * rejects before any decoding and leaves the loaded dataset as it was; null when cancelled (the old one stays).
   */
  loadPicked: {
    args: LoadFormat &
      SplitSettings & {
        picked: Picked;
        labels?: PickedLabels | null;
        /** A budget subset of about this many images (an estimate's `subset.request`); absent or 0: every image. */
        subset?: number;
      };
    result: DatasetInfo | null;
  };
  /**
   * Lists what the user picked and estimates its decoded size against the dataset budget, decoding nothing (the
   * page asks this first, and offers the estimate's subset when `fits` is false). The listing is kept for the
   * `loadPicked` of the same files that follows. Cancelled by `cancelLoad` (null); a bad layout rejects.
   */
  estimatePicked: {
    args: LoadFormat & SplitSettings & { picked: Picked; labels?: PickedLabels | null; subset?: number };
    result: DatasetEstimate | null;
  };
  /** Stops the dataset load in progress, if any. */
  cancelLoad: { args: null; result: null };
  /**
   * Deals the loaded dataset into this split (fractions, seed) and describes it; a split it already has is kept
   * as is, and while a queue trains the store keeps its order.
   */
  splitDataset: { args: SplitSettings; result: DatasetInfo };
  measureModels: { args: ImageFormat; result: ModelSizeInfo[] };
  /** Runs an experiment (every model × seed) on the loaded dataset, decoded again at its size when needed. */
  train: { args: { experiment: Experiment; resume?: RunKey[] }; result: QueueOutcome };
  /** The project saved in this browser (results, model files, interrupted runs); null when nothing is saved. */
  restoreSaved: { args: null; result: SavedProject | null };
  /** The dataset stored in this browser, loaded as the current one (null: none stored, or one is loaded already). */
  restoreDataset: { args: null; result: DatasetInfo | null };
  /** The budget for storing the dataset (bytes); a loaded dataset that now fits is stored. */
  setDatasetBudget: { args: { bytes: number }; result: StorageUsage };
  /** Forgets an interrupted run's checkpoint. */
  discardCheckpoint: { args: RunKey; result: null };
  storageUsage: { args: null; result: StorageUsage };
  /** Empties the project store (the loaded dataset and the page's results stay). */
  clearStorage: { args: null; result: StorageUsage };
  /**
   * "Save project": the zip of `card`, the page's model files, the stored checkpoints of runs on the same data and,
   * with `withImages`, the loaded dataset (which must be the card's data).
   */
  saveProject: {
    args: { card: ExperimentCard; models: [string, SavedModelFiles][]; withImages: boolean };
    result: Uint8Array;
  };
  /**
   * "Open project": reads a project zip whole (a bad one rejects naming the part, and nothing changes), keeps it as
   * the saved project, and makes its images (if saved with them) the loaded dataset.
   */
  openProject: { args: { bytes: ArrayBuffer; name: string }; result: OpenedProjectInfo };
  /** Test hook (`?test-hooks`): loses the WebGL context or the WebGPU device as a GPU reset does; false on wasm/cpu. */
  loseGpuContext: { args: null; result: boolean };
  /** Cancels one model, all its seeds (the queue goes on), or the whole queue when modelId is null. */
  cancel: { args: { modelId: string | null }; result: null };
  loadModel: { args: { ref: string; modelJson: string; weights: ArrayBuffer }; result: LoadedModelInfo };
  /** A model.onnx (NHWC images in, class scores out) for `classify`, run by onnxruntime-web. */
  loadOnnxModel: { args: { ref: string; bytes: ArrayBuffer }; result: LoadedModelInfo };
  classify: { args: { ref: string; images: PickedFile[] }; result: Classification[] };
}

/** An opened project as the page takes it. */
export interface OpenedProjectInfo {
  card: ExperimentCard;
  models: [string, SavedModelFiles][];
  interrupted: InterruptedRun[];
  dataset: DatasetInfo | null;
  storageProblem: string | null;
}

export type LabMethod = keyof LabApi;
export type LabArgs<M extends LabMethod> = LabApi[M]['args'];
export type LabResult<M extends LabMethod> = LabApi[M]['result'];

export type CallMessage = { [M in LabMethod]: { kind: 'call'; id: number; method: M; args: LabArgs<M> } }[LabMethod];

/** An error as it crosses the worker boundary. */
export interface ErrorInfo {
  name: string;
  message: string;
}

export type ReplyMessage =
  { kind: 'reply'; id: number; ok: true; value: unknown } | { kind: 'reply'; id: number; ok: false; error: ErrorInfo };

export type LabEvent =
  /** Listing or decoding a dataset (also when a run decodes it again at its own input size). */
  | { type: 'ingest-progress'; progress: IngestProgress }
  /** A picked dataset is listed and about to be decoded: what it will take against the budget (see DatasetEstimate). */
  | { type: 'dataset-estimate'; estimate: DatasetEstimate }
  | { type: 'model-phase'; modelId: string; seed: number; phase: ModelPhase; message: string | null }
  | { type: 'train-progress'; progress: TrainProgress }
  | { type: 'epoch-end'; modelId: string; seed: number; log: EpochLog }
  /** Validation loss and accuracy of the untrained model: where the validation curve starts. */
  | { type: 'baseline'; modelId: string; seed: number; valLoss: number; valAccuracy: number }
  | { type: 'model-result'; result: ModelResult; files: ModelFilesData | null }
  /**
   * What a run trains and scores on, sent once the data is split: the card's data section, the test images in
   * scoring order, and where it runs. The page keeps it with the results, so a later dataset cannot relabel them.
   */
  | { type: 'run-data'; data: CardData; testImages: { files: string[]; labels: number[] }; environment: Environment }
  | { type: 'backend'; backend: BackendInfo }
  /** A transfer model's backbone pass over one split (or its features taken from the cache). */
  | { type: 'feature-progress'; modelId: string; seed: number; progress: FeatureProgress }
  /** A weights load under way; null once it ended (loaded, failed or cancelled). */
  | { type: 'backbone-progress'; backboneId: BackboneId; progress: WeightsProgress | null }
  /** What is loaded now, after any change (a load, a restore, a clear). */
  | { type: 'backbones'; loaded: BackboneStatus[] }
  /** An error outside any call (a backend failing in its own timers while idle). */
  | { type: 'problem'; message: string }
  /** Grad-CAM under way (protocol-explain.ts). */
  | ExplainProgressEvent
  /** Autosave could not write (storage full or refused): training goes on, the page says so. */
  | { type: 'storage-problem'; message: string }
  /** A run continues from its checkpoint (a resume, or after its backend failed): what happened and where. */
  | {
      type: 'resumed';
      modelId: string;
      seed: number;
      epoch: number;
      backend: string;
      kind: 'resume' | 'fallback';
      message: string;
    }
  /**
   * Autosave's cost for one epoch's checkpoint: `ms` held up training (reading the weights and optimizer state,
   * encoding), next to the epoch's own wall time `epochMs`; `writeMs` is the IndexedDB write behind the next epoch (null until it is done).
   */
  | {
      type: 'autosave-cost';
      modelId: string;
      seed: number;
      epoch: number;
      ms: number;
      epochMs: number;
      bytes: number;
      writeMs: number | null;
    };

export type EventMessage = { kind: 'event'; event: LabEvent };
export type WorkerMessage = ReplyMessage | EventMessage;
