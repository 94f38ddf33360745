/**
 * The transfer-learning part of the page ↔ worker contract (see protocol.ts): which backbones exist, what weights are
 * loaded, dropped weight files on their way to the worker, and the calls that load and clear them. Plain,
 * structured-cloneable data.
 */
import type { BackboneWeightsInfo } from '../lab/transfer/backbone-weights';
import type { BackboneId } from '../lab/transfer/backbones';
import type { WeightsProgress } from '../lab/transfer/load-weights';
import type { FeatureProgress } from '../lab/transfer/split-features';

export type { BackboneId, BackboneWeightsInfo, FeatureProgress, WeightsProgress };

/** A pretrained backbone the page can load weights for (the core's BackboneSpec, without its builder). */
export interface BackboneSpecInfo {
  id: BackboneId;
  network: string;
  /** Same-origin path of the TF.js export, relative to the page: the page resolves it against document.baseURI. */
  defaultUrl: string;
  nativeSize: number;
  /** What a run says when no weights are loaded. */
  missingWeights: string;
  /** Whether the advanced fine-tuning stage exists for it (InceptionV3 only). */
  fineTunable: boolean;
}

/** Loaded weights as the page shows them: the core's description, plus whether they are in the browser's cache. */
export interface BackboneStatus extends BackboneWeightsInfo {
  cached: boolean;
}

/** The transfer-learning side of the worker, as the page asks for it after init. */
export interface BackbonesInfo {
  specs: BackboneSpecInfo[];
  loaded: BackboneStatus[];
  /** False where the worker has no IndexedDB: weights and features then live only until the page is closed. */
  persistent: boolean;
  /** Why restoring cached weights failed, or null. */
  restoreError: string | null;
}

/** Dropped weight files, handed to the worker as Blobs (it reads them: the page never holds 87 MB arrays). */
export interface WeightsBlob {
  name: string;
  blob: Blob;
}

/** The worker's transfer-learning methods (part of LabApi). */
export interface TransferApi {
  /** The backbones and their loaded weights, once the weights cached on an earlier visit are restored. */
  backbones: { args: null; result: BackbonesInfo };
  /** Downloads a TF.js layers model from an absolute URL; a failure leaves the weights loaded before in place. */
  loadBackboneUrl: { args: { backboneId: BackboneId; url: string }; result: BackboneStatus };
  /** Reads dropped files (a Keras .h5, or model.json + .bin shards); a failure leaves the loaded weights in place. */
  loadBackboneFiles: { args: { backboneId: BackboneId; files: WeightsBlob[] }; result: BackboneStatus };
  /** Stops a download in progress. */
  cancelBackboneLoad: { args: { backboneId: BackboneId }; result: null };
  /** Empties the weights and feature caches and unloads every backbone. */
  clearTransferCaches: { args: null; result: null };
}
