/**
 * Trains the selected models one after another on a frozen copy of the settings. A model that fails does not stop
 * the queue; a backend that stops working does (every later model would fail the same way), and the models already
 * finished keep their results because each was sent to the page the moment it finished.
 */
import { backendAlive, ensureBackend, forgetBackend } from './backend';
import { atFormat, progressToPage, resplit, type LoadedDataset } from './dataset';
import type { QueueOutcome, RunSettings } from './protocol';
import { emit } from './rpc';
import { failedResult, trainOne, type TrainOneOutcome } from './train-one';

export class TrainQueue {
  private running = false;
  private cancelAll = false;
  private readonly cancelled = new Set<string>();
  private readonly controllers = new Map<string, AbortController>();
  /** Stops decoding the dataset again at the run's size when the whole queue is cancelled. */
  private decoding: AbortController | null = null;
  /** Resolves the current model's race when the backend fails outside any awaited call (see `backendBroke`). */
  private broke: ((reason: string) => void) | null = null;

  get busy(): boolean {
    return this.running;
  }

  /**
   * Reports an uncaught error in the worker during a run. Such errors come from the backend's own asynchronous
   * machinery (a lost WebGL context surfaces in a fence poll, not in our awaits), and the read we are waiting on
   * may then never settle: so the current model is failed at once instead of waited for. Returns false when idle.
   */
  backendBroke(reason: string): boolean {
    if (!this.running || !this.broke) return false;
    this.broke(reason);
    return true;
  }

  /** Cancels one model (trained or queued), or the whole queue. */
  cancel(modelId: string | null): void {
    if (modelId == null) {
      this.cancelAll = true;
      this.decoding?.abort();
      for (const c of this.controllers.values()) c.abort();
      return;
    }
    this.cancelled.add(modelId);
    this.controllers.get(modelId)?.abort();
  }

  /**
   * Runs the queue. `dataset` is decoded again when the frozen size or channels differ from what is loaded;
   * `keep` receives that version so the next run need not decode again.
   */
  async run(
    settings: RunSettings,
    models: readonly string[],
    dataset: LoadedDataset,
    keep: (ds: LoadedDataset) => void,
  ): Promise<QueueOutcome> {
    if (this.running) throw new Error('a training run is already in progress');
    this.running = true;
    this.cancelAll = false;
    this.cancelled.clear();
    try {
      for (const id of models) emit({ type: 'model-phase', modelId: id, phase: 'queued', message: null });
      const backend = await ensureBackend(settings.backend);
      emit({ type: 'backend', backend });
      this.decoding = new AbortController();
      const decoded = await atFormat(dataset, settings, { signal: this.decoding.signal, onProgress: progressToPage() });
      this.decoding = null;
      if (!decoded) {
        for (const id of models) emit({ type: 'model-phase', modelId: id, phase: 'skipped', message: 'cancelled while decoding the images' });
        return { status: 'cancelled', message: null, failed: [] };
      }
      const ds = resplit(decoded, settings);
      keep(ds);
      const { sets } = ds;
      if (sets.train.count === 0) throw new Error('the training split is empty: lower the validation and test fractions');
      if (sets.test.count === 0) throw new Error('the test split is empty: raise the test fraction (or add a test/ folder)');
      const { positiveClass } = ds.summary;
      const failed: QueueOutcome['failed'] = [];

      for (let i = 0; i < models.length; i++) {
        const modelId = models[i];
        if (this.cancelAll || this.cancelled.has(modelId)) {
          emit({ type: 'model-phase', modelId, phase: this.cancelAll ? 'skipped' : 'cancelled', message: 'cancelled before it started' });
          continue;
        }
        const controller = new AbortController();
        this.controllers.set(modelId, controller);
        const ctx = { settings, sets, positiveClass, backendName: backend.name, signal: controller.signal };
        const broken = new Promise<TrainOneOutcome & { broken: true }>((resolve) => {
          this.broke = (reason) => resolve({ result: failedResult(modelId, ctx, reason), files: null, error: reason, broken: true });
        });
        const out: TrainOneOutcome & { broken?: true } = await Promise.race([trainOne(modelId, ctx), broken]);
        this.broke = null;
        this.controllers.delete(modelId);

        const { result, files } = out;
        const transfer: Transferable[] = [result.probabilities.buffer as ArrayBuffer, result.labels.buffer as ArrayBuffer];
        if (files) transfer.push(files.weights.buffer as ArrayBuffer);
        emit({ type: 'model-result', result, files }, transfer);
        const status = result.record.status;
        if (status === 'failed') failed.push({ modelId, label: result.record.label, error: result.record.error ?? 'unknown error' });
        const phase = status === 'ok' ? 'done' : status;
        emit({ type: 'model-phase', modelId, phase, message: result.record.error ?? null });

        if (out.error != null && (out.broken || !(await backendAlive(5_000)))) {
          forgetBackend();
          for (const rest of models.slice(i + 1)) {
            emit({ type: 'model-phase', modelId: rest, phase: 'skipped', message: 'not trained: the backend stopped working' });
          }
          return {
            status: 'backend-failed',
            failed,
            message:
              `The ${backend.name} backend stopped working while training ${modelId} (${result.record.error}). ` +
              'The models finished before it keep their results and downloads. Choose another backend in Settings ' +
              '(wasm is the most robust) and train the remaining models again.',
          };
        }
      }
      return { status: this.cancelAll ? 'cancelled' : 'done', message: null, failed };
    } finally {
      this.broke = null;
      this.decoding = null;
      this.running = false;
      this.controllers.clear();
    }
  }
}
