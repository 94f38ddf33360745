/**
 * Autosave in the worker, off the main thread: the experiment as a run starts, every finished run (record, test
 * probabilities, model files) as it ends, and a checkpoint of the training run after every epoch. Writes never hold
 * up training: checkpoints queue behind each other and only the newest waiting one is written. A failed write
 * (storage full, storage refused) is reported once to the page and training goes on.
 */
import type { CardData, Environment } from '../lab/experiment/card';
import type { RunKey } from '../lab/experiment/run-control';
import type { FinishedRun } from '../lab/experiment/run-experiment';
import type { Experiment } from '../lab/experiment/schema';
import { encodeCheckpoint } from '../lab/persist/checkpoint-codec';
import { ProjectStore, StorageError } from '../lab/persist/project-store';
import { sameSetup, unionExperiment } from '../lab/persist/same-setup';
import {
  savedRunId,
  type InterruptedRun,
  type SavedContext,
  type SavedProject,
  type SavedRun,
} from '../lab/persist/saved-project';
import { findModel } from '../lab/registry';
import type { TrainCheckpoint } from '../lab/train/checkpoint';

/** What a checkpoint needs to say about the data it trained on (resume needs the same). */
export interface DataRef {
  fingerprint: string;
  source: string;
}

export class Autosave {
  private store: Promise<ProjectStore> | null = null;
  /** Writes in order; `waiting` is the newest checkpoint not yet started (older waiting ones are dropped). */
  private chain: Promise<void> = Promise.resolve();
  private readonly waiting = new Map<string, () => Promise<void>>();
  private reported = new Set<string>();

  constructor(private readonly report: (message: string) => void) {}

  private open(): Promise<ProjectStore> {
    this.store ??= ProjectStore.open();
    // A refused store is asked again next time (the user may have changed a setting).
    this.store.catch(() => (this.store = null));
    return this.store;
  }

  /** Runs a write after the ones before it; a failure is reported (once per kind) and swallowed. */
  private enqueue(work: (store: ProjectStore) => Promise<void>): Promise<void> {
    this.chain = this.chain.then(async () => {
      try {
        await work(await this.open());
      } catch (err) {
        const message = err instanceof StorageError ? err.message : `Autosave failed: ${(err as Error).message}`;
        const kind = err instanceof StorageError ? err.reason : 'other';
        if (!this.reported.has(kind)) {
          this.reported.add(kind);
          this.report(message);
        }
      }
    });
    return this.chain;
  }

  /** A run starts: keep the saved results when only models or seeds differ on the same data, else start afresh. */
  startExperiment(experiment: Experiment, fingerprint: string): Promise<void> {
    this.reported.clear();
    return this.enqueue(async (store) => {
      const saved = await store.getContext();
      const keep =
        saved != null && sameSetup(saved.experiment, experiment) && saved.data?.identity.fingerprint === fingerprint;
      if (!keep) await store.clearRuns();
      await store.putContext({
        experiment: keep ? unionExperiment(saved!.experiment, experiment) : experiment,
        data: keep ? saved!.data : null,
        testImages: keep ? saved!.testImages : null,
        environment: keep ? saved!.environment : null,
        savedAt: new Date().toISOString(),
      });
    });
  }

  runData(data: CardData, testImages: { files: string[]; labels: number[] }, environment: Environment): Promise<void> {
    return this.enqueue(async (store) => {
      const saved = await store.getContext();
      if (saved) await store.putContext({ ...saved, data, testImages, environment, savedAt: new Date().toISOString() });
    });
  }

  /** A finished run replaces its checkpoint. Failed runs are kept too (their row says why), without files. */
  runFinished(run: FinishedRun, classNames: readonly string[]): Promise<void> {
    const e = run.evaluation;
    const saved: SavedRun = {
      modelId: run.key.modelId,
      seed: run.key.seed,
      record: run.record,
      classNames: [...classNames],
      positiveClass: e?.positiveClass ?? classNames.findIndex((c) => c === run.record.positiveClass),
      // Copies: the originals are transferred to the page and detached.
      probabilities: e ? e.probabilities.slice() : new Float32Array(0),
      labels: e ? e.labels.slice() : new Int32Array(0),
      roc: e?.roc ?? [],
      files: run.files ? { modelJson: run.files.modelJson, weights: run.files.weights.slice() } : null,
    };
    this.waiting.delete(savedRunId(run.key));
    if (run.record.status === 'failed') {
      // A failed run keeps its last checkpoint (the weights before a NaN loss, a lost GPU): it can be resumed.
      return this.enqueue(async (store) => {
        if ((await store.getCheckpoint(run.key).catch(() => null)) == null) await store.putRun(saved);
      });
    }
    return this.enqueue((store) => store.putRun(saved));
  }

  /**
   * Queues the checkpoint after an epoch; returns its size at once (the write follows the ones before it, and
   * `onWritten` gets its duration — the IndexedDB put, behind the next epoch).
   */
  checkpoint(key: RunKey, data: DataRef, cp: TrainCheckpoint, onWritten?: (ms: number) => void): number {
    const id = savedRunId(key);
    const bytes = encodeCheckpoint(cp);
    const info: InterruptedRun = {
      modelId: key.modelId,
      seed: key.seed,
      label: labelOf(key.modelId),
      epoch: cp.epoch,
      epochs: cp.epochsPlanned,
      fingerprint: data.fingerprint,
      source: data.source,
      backend: cp.backend,
      bytes: bytes.byteLength,
      savedAt: new Date().toISOString(),
    };
    const first = !this.waiting.has(id);
    this.waiting.set(id, async () => {
      const start = performance.now();
      await (await this.open()).putCheckpoint(info, bytes);
      onWritten?.(performance.now() - start);
    });
    if (first) {
      void this.enqueue(async () => {
        const write = this.waiting.get(id);
        this.waiting.delete(id);
        await write?.();
      });
    }
    return bytes.byteLength;
  }

  /** Resolves when every queued write has settled (tests, and before a resume reads a checkpoint back). */
  flush(): Promise<void> {
    return this.chain;
  }

  async checkpointOf(key: RunKey) {
    await this.flush();
    return (await this.open()).getCheckpoint(key);
  }

  discard(key: RunKey): Promise<void> {
    this.waiting.delete(savedRunId(key));
    return this.enqueue((store) => store.deleteCheckpoint(key));
  }

  /** The stored checkpoints' bytes (for "Save project"); none when the store cannot be read. */
  async checkpointEntries(): Promise<{ info: InterruptedRun; bytes: Uint8Array }[]> {
    await this.flush();
    return (await this.open()).checkpointEntries();
  }

  /**
   * An opened project file becomes the saved project, so a reload shows it (and can resume its interrupted runs).
   * Throws the StorageError when it cannot be stored: the page still shows the project and says so.
   */
  async replaceWith(
    context: SavedContext,
    runs: readonly SavedRun[],
    checkpoints: readonly { info: InterruptedRun; bytes: Uint8Array }[],
  ): Promise<void> {
    this.waiting.clear();
    // In the write queue like every other write (a Discard queued meanwhile comes after it), but its error is the caller's.
    let failure: unknown = null;
    const replaced = this.chain.then(async () => {
      try {
        await (await this.open()).replaceProject(context, runs, checkpoints);
      } catch (err) {
        failure = err;
      }
    });
    this.chain = replaced;
    await replaced;
    if (failure) throw failure;
  }

  async load(): Promise<SavedProject | null> {
    await this.flush();
    return (await this.open()).load();
  }

  async clear(): Promise<void> {
    this.waiting.clear();
    await this.flush();
    await (await this.open()).clear();
  }

  async bytes(): Promise<number> {
    await this.flush();
    return (await this.open()).bytes();
  }
}

function labelOf(modelId: string): string {
  try {
    return findModel(modelId).label;
  } catch {
    return modelId;
  }
}
