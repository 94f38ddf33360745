/**
 * What the lab keeps of a project between visits, as plain data: the experiment behind the results, every finished
 * run (record, test probabilities, ROC, trained model files) and, for a run that was interrupted, its last
 * checkpoint. The same shapes live in IndexedDB (project-store.ts) and in a project zip (project-zip.ts).
 * Framework-free and tfjs-free: the page's main thread reads them too.
 */
import type { CardData, Environment } from '../experiment/card';
import type { Experiment } from '../experiment/schema';
import type { RocPoint } from '../eval/roc';
import type { ResultRecord } from '../report/result-record';

/** The experiment the saved results belong to (the page's ResultsContext). */
export interface SavedContext {
  readonly experiment: Experiment;
  readonly data: CardData | null;
  readonly testImages: { readonly files: string[]; readonly labels: number[] } | null;
  readonly environment: Environment | null;
  readonly savedAt: string;
}

/** A trained model as TF.js files. */
export interface SavedModelFiles {
  readonly modelJson: string;
  readonly weights: Uint8Array;
}

/** One finished run, everything the page needs to show it and offer its download. */
export interface SavedRun {
  readonly modelId: string;
  readonly seed: number;
  readonly record: ResultRecord;
  readonly probabilities: Float32Array;
  readonly labels: Int32Array;
  readonly classNames: string[];
  readonly positiveClass: number;
  readonly roc: RocPoint[];
  readonly files: SavedModelFiles | null;
}

/** An interrupted run, as the page offers it ("light-k4 stopped at epoch 3 of 5"); the checkpoint's bytes stay stored. */
export interface InterruptedRun {
  readonly modelId: string;
  readonly seed: number;
  readonly label: string;
  /** Epochs completed, and planned. */
  readonly epoch: number;
  readonly epochs: number;
  /** The data it trained on: resume needs the same (DataIdentity.fingerprint). */
  readonly fingerprint: string;
  readonly source: string;
  readonly backend: string;
  readonly bytes: number;
  readonly savedAt: string;
}

export interface SavedProject {
  readonly context: SavedContext | null;
  readonly runs: SavedRun[];
  readonly interrupted: InterruptedRun[];
  /** Entries that could not be read and were left out, one line each: the page shows them (never a silent loss). */
  readonly problems: string[];
}

/** A run's key as the page and the worker spell it. */
export const savedRunId = (r: { modelId: string; seed: number }): string => `${r.modelId}@${r.seed}`;

/** Why a stored run is unusable, or null when it is whole. */
export function savedRunProblem(r: unknown): string | null {
  const x = r as Partial<SavedRun> | null;
  if (x == null || typeof x !== 'object') return 'not an object';
  if (typeof x.modelId !== 'string' || !Number.isInteger(x.seed)) return 'no model id or seed';
  if (x.record == null || typeof x.record !== 'object' || x.record.modelId !== x.modelId)
    return 'its result record is missing or belongs to another run';
  if (!(x.probabilities instanceof Float32Array) || !(x.labels instanceof Int32Array))
    return 'its test probabilities are missing';
  if (!Array.isArray(x.classNames) || x.classNames.length === 0) return 'its class names are missing';
  if (x.classNames.length > 0 && x.probabilities.length !== x.labels.length * x.classNames.length)
    return 'its test probabilities do not match its labels';
  if (!Array.isArray(x.roc)) return 'its ROC curve is missing';
  if (x.files != null && (typeof x.files.modelJson !== 'string' || !(x.files.weights instanceof Uint8Array)))
    return 'its model files are damaged';
  if (x.files != null) {
    try {
      JSON.parse(x.files.modelJson);
    } catch {
      return 'its model.json is not JSON';
    }
  }
  return null;
}

/** Why a stored context is unusable, or null. */
export function savedContextProblem(c: unknown): string | null {
  const x = c as Partial<SavedContext> | null;
  if (x == null || typeof x !== 'object') return 'not an object';
  if (x.experiment == null || !Array.isArray(x.experiment.models) || !Array.isArray(x.experiment.seeds))
    return 'its experiment settings are missing';
  return null;
}
