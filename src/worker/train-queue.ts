/**
 * The page's training queue: the core's run loop (every model × seed) with live progress posted to the page. A run
 * that fails does not stop the queue; a backend that stops working does (every later run would fail the same way),
 * and the runs already finished keep their results because each was sent to the page the moment it finished.
 */
import { splitManifest } from '../lab/data/data-identity';
import type { ImageSet } from '../lab/data/image-set';
import { describeEnvironment } from '../lab/experiment/environment';
import { RunControl, runKeyId, type RunKey } from '../lab/experiment/run-control';
import { plannedRuns, runExperiment, type FinishedRun, type LoopHooks } from '../lab/experiment/run-experiment';
import type { RunPhase } from '../lab/experiment/run-types';
import { splitOf, type Experiment } from '../lab/experiment/schema';
import type { CurveStartRecord } from '../lab/report/result-record';
import type { BatchLog } from '../lab/train/train-log';
import type { TrainCheckpoint } from '../lab/train/checkpoint';
import type { Autosave } from './autosave';
import { forgetGpuInstance, watchGpuLoss } from './gpu-fault';
import { backendAlive, calibrationTargetFor, ensureBackend, forgetBackend } from './backend';
import { atFormat, progressToPage, resplit, type LoadedDataset } from './dataset';
import type { BackendInfo, BackendPreference, LabEvent, ModelPhase, ModelResult, QueueOutcome } from './protocol';
import { emit, yieldToEvents } from './rpc';

/** Where training goes when its backend fails: GPUs first, then the CPU backends (wasm is the most robust). */
const FALLBACK_ORDER: BackendPreference[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
const isGpu = (name: string) => name === 'webgl' || name === 'webgpu';

/** Live progress is posted at most this often; more would only cost the page time. */
const PROGRESS_INTERVAL_MS = 150;

const PHASES: Record<RunPhase, ModelPhase> = {
  building: 'preparing',
  training: 'training',
  evaluating: 'evaluating',
  timing: 'evaluating',
};

export class TrainQueue {
  private running = false;
  private control: RunControl | null = null;
  /** Stops decoding the dataset again at the run's size when the whole queue is cancelled. */
  private decoding: AbortController | null = null;

  /** `autosave`: where experiments, finished runs and epoch checkpoints are saved (none: nothing is saved). */
  constructor(private readonly autosave: Autosave | null = null) {}

  get busy(): boolean {
    return this.running;
  }

  /**
   * Reports an uncaught error in the worker during a run. Such errors come from the backend's own asynchronous
   * machinery (a lost WebGL context surfaces in a fence poll, not in our awaits), and the read we are waiting on
   * may then never settle: so the current run is failed at once instead of waited for. Returns false when idle.
   */
  backendBroke(reason: string): boolean {
    return this.running && (this.control?.interrupt(reason) ?? false);
  }

  /** Cancels one model (all its seeds), or the whole queue. */
  cancel(modelId: string | null): void {
    if (modelId == null) this.decoding?.abort();
    this.control?.cancel(modelId);
  }

  /**
   * Runs the experiment. `dataset` is decoded again when the experiment's size, channels or image limit differ
   * from what is loaded; `keep` receives that version so the next run need not decode again. `ready`: what must
   * settle first (cached backbone weights being restored).
   */
  async run(
    experiment: Experiment,
    dataset: LoadedDataset,
    keep: (ds: LoadedDataset) => void,
    ready?: Promise<unknown>,
    resume?: readonly RunKey[],
  ): Promise<QueueOutcome> {
    if (this.running) throw new Error('a training run is already in progress');
    // Busy and cancellable from the first moment: a Cancel sent right after Train must not be lost.
    this.running = true;
    const control = new RunControl();
    this.control = control;
    try {
      await ready;
      const runs = resume ?? plannedRuns(experiment);
      for (const key of runs) emit({ type: 'model-phase', ...key, phase: 'queued', message: null });
      // 'auto' times the backends on the run's first image model at this size (cached per device).
      let backend = await ensureBackend(
        experiment.backend,
        calibrationTargetFor(experiment, experiment.models),
        experiment.kernels,
      );
      emit({ type: 'backend', backend });
      this.decoding = new AbortController();
      const format = { size: experiment.size, channels: experiment.channels, limit: experiment.limit };
      const decoded = await atFormat(dataset, format, { signal: this.decoding.signal, onProgress: progressToPage() });
      this.decoding = null;
      if (!decoded || control.cancelledAll) {
        for (const key of runs)
          emit({ type: 'model-phase', ...key, phase: 'skipped', message: 'cancelled while decoding the images' });
        return { status: 'cancelled', message: null, failed: [] };
      }
      const ds = resplit(decoded, splitOf(experiment));
      keep(ds);
      const { train, val, test } = ds.sets;
      if (train.count === 0) throw new Error('the training split is empty: lower the validation and test fractions');
      if (test.count === 0) throw new Error('the test split is empty: raise the test fraction (or add a test/ folder)');
      let resumes = await this.checkpointsToResume(resume ?? [], ds);
      /** The newest checkpoint of each run, in memory: a run whose backend fails continues from it elsewhere. */
      const latest = new Map<string, TrainCheckpoint>();
      /** What the page is told when a run starts again: a resume, or a backend that failed. */
      const notes = new Map<string, { kind: 'resume' | 'fallback'; message: string }>();
      for (const [id, cp] of resumes)
        notes.set(id, {
          kind: 'resume',
          message: `continues from its checkpoint after epoch ${cp.epoch} of ${cp.epochsPlanned}`,
        });
      void this.autosave?.startExperiment(experiment, ds.identity.fingerprint);
      const runData = emitRunData(ds, backend);
      void this.autosave?.runData(runData.data, runData.testImages, runData.environment);
      const dataRef = { fingerprint: ds.identity.fingerprint, source: ds.summary.source };
      /** Epoch 0 of each run's curves as the page drew it, kept in the record so a reload draws it again. */
      const curveStarts = new Map<string, Partial<CurveStartRecord>>();

      let failed: QueueOutcome['failed'] = [];
      let only: readonly RunKey[] | undefined = resume;
      let unwatch: () => void = () => undefined;
      try {
        for (;;) {
          let broken: { key: RunKey; error: string } | null = null;
          // A lost GPU may never fail a read, only leave it waiting: its loss event fails the run instead.
          unwatch();
          unwatch = watchGpuLoss((reason) => void control.interrupt(reason));
          const outcome = await runExperiment(
            experiment,
            { train, val: val.count > 0 ? val : null, test },
            {
              ...progressHooks(experiment, curveStarts),
              checkpoints: (key) => {
                const from = resumes.get(runKeyId(key)) ?? null;
                const note = notes.get(runKeyId(key));
                notes.delete(runKeyId(key));
                if (note) emit({ type: 'resumed', ...key, epoch: from?.epoch ?? 0, backend: backend.name, ...note });
                // Each epoch's checkpoint figures, for the page: the hold-up is reported right after the checkpoint is
                // taken (onCheckpointCost follows onCheckpoint of the same epoch), the write's duration once it is stored.
                let taken: { epoch: number; figures: { ms: number; epochMs: number; bytes: number } } | null = null;
                return {
                  resumeFrom: from,
                  onCheckpoint: (cp) => {
                    latest.set(runKeyId(key), cp);
                    const own = { ms: 0, epochMs: cp.history[cp.history.length - 1]?.ms ?? 0, bytes: 0 };
                    taken = { epoch: cp.epoch, figures: own };
                    own.bytes =
                      this.autosave?.checkpoint(key, dataRef, cp, (writeMs) => {
                        emit({ type: 'autosave-cost', ...key, epoch: cp.epoch, ...own, writeMs });
                      }) ?? 0;
                  },
                  onCheckpointCost: (epoch, ms) => {
                    if (taken?.epoch !== epoch) return;
                    const own = taken.figures;
                    own.ms = ms;
                    emit({ type: 'autosave-cost', ...key, epoch, ...own, writeMs: null });
                  },
                };
              },
              onRunEnd: (finished) => {
                const run = withCurveStart(finished, curveStarts.get(runKeyId(finished.key)));
                void this.autosave?.runFinished(run, train.classNames);
                postResult(run, train);
                const { record } = run;
                if (record.status === 'failed')
                  failed.push({ ...run.key, label: record.label, error: record.error ?? 'unknown error' });
              },
              shouldStop: async (run, interrupted) => {
                // A NaN loss on a GPU is the GPU's fault as often as the model's: it too moves the run to the next backend.
                const gpuNaN = isGpu(backend.name) && /the loss became/.test(run.record.error ?? '');
                if (!gpuNaN && !interrupted && (await backendAlive(5_000))) return null;
                forgetBackend();
                broken = { key: run.key, error: run.record.error ?? 'unknown error' };
                return (
                  `The ${backend.name} backend stopped working while training ${run.key.modelId} (${run.record.error}). ` +
                  'The runs finished before it keep their results and downloads. Choose another backend in Settings ' +
                  '(wasm is the most robust) and train the remaining models again.'
                );
              },
            },
            { control, only },
          );
          if (outcome.status !== 'stopped' || broken == null)
            return {
              status: outcome.status === 'stopped' ? 'backend-failed' : outcome.status,
              message: outcome.message,
              failed,
            };
          // The backend broke: continue the broken run (from its last checkpoint) and the rest on the next backend.
          const { key, error } = broken as { key: RunKey; error: string };
          const next = await this.nextBackend(backend.name);
          if (next == null || control.cancelledAll)
            return { status: 'backend-failed', message: outcome.message, failed };
          if (isGpu(backend.name)) forgetGpuInstance(backend.name);
          const from = latest.get(runKeyId(key)) ?? null;
          const where = from
            ? `from its checkpoint after epoch ${from.epoch} of ${from.epochsPlanned}`
            : 'from the start (it had no checkpoint yet)';
          const message = `The ${backend.name} backend failed while training ${key.modelId} (${error}); it continues ${where} on ${next.name}.`;
          backend = next;
          emit({ type: 'backend', backend });
          notes.set(runKeyId(key), { kind: 'fallback', message });
          const all = only ?? plannedRuns(experiment);
          only = all.slice(all.findIndex((k) => runKeyId(k) === runKeyId(key)));
          resumes = from ? new Map([[runKeyId(key), from]]) : new Map();
          // It is trained again: its failure is no longer news.
          failed = failed.filter((f) => runKeyId(f) !== runKeyId(key));
        }
      } finally {
        unwatch();
      }
    } finally {
      this.decoding = null;
      this.control = null;
      this.running = false;
    }
  }

  /**
   * The first backend after `broken` in the fallback order that starts, or null. A software GPU (SwiftShader,
   * llvmpipe) is passed over: it trains tens of times slower than wasm, which is why auto never picks one either.
   */
  private async nextBackend(broken: string): Promise<BackendInfo | null> {
    for (const name of FALLBACK_ORDER.slice(FALLBACK_ORDER.indexOf(broken as BackendPreference) + 1)) {
      try {
        const info = await ensureBackend(name);
        if (info.software == null && (await backendAlive(5_000))) return info;
      } catch {
        // try the next one
      }
      forgetBackend();
    }
    return null;
  }

  /** The saved checkpoints of the runs to resume, each checked against the loaded data's fingerprint. */
  private async checkpointsToResume(keys: readonly RunKey[], ds: LoadedDataset): Promise<Map<string, TrainCheckpoint>> {
    const found = new Map<string, TrainCheckpoint>();
    if (keys.length === 0) return found;
    if (!this.autosave) throw new Error('nothing to resume: this page saves no checkpoints');
    for (const key of keys) {
      const saved = await this.autosave.checkpointOf(key);
      if (!saved) throw new Error(`no saved checkpoint for ${runKeyId(key)}: train it again`);
      if (saved.info.fingerprint !== ds.identity.fingerprint) {
        throw new Error(
          `${saved.info.label} trained on other data (${saved.info.source}, fingerprint ${saved.info.fingerprint}); the loaded data ` +
            `is ${ds.summary.source} (fingerprint ${ds.identity.fingerprint}). Load the same folder or zip to resume it.`,
        );
      }
      found.set(runKeyId(key), saved.checkpoint);
    }
    return found;
  }
}

/** The data the run trains and scores on, captured now so later loads cannot relabel these results. */
function emitRunData(ds: LoadedDataset, backend: BackendInfo): Extract<LabEvent, { type: 'run-data' }> {
  const { train, val, test } = ds.sets;
  const summary = ds.summary;
  const testSet =
    summary.testOrigin === 'folder'
      ? `the data's own test/ folder (${test.count} images)`
      : `a patient-level ${Math.round(ds.split.testFraction * 100)}% of the data held out (${test.count} images)`;
  const event: Extract<LabEvent, { type: 'run-data' }> = {
    type: 'run-data',
    data: {
      source: summary.source,
      kind: ds.source.kind === 'demo' ? 'demo' : summary.kind,
      classNames: [...summary.classNames],
      identity: ds.identity,
      test: null,
      testSet,
      split: splitManifest({ train, val: val.count > 0 ? val : null, test }, ds.identity.root),
    },
    testImages: { files: test.files.slice(0, test.count), labels: Array.from(test.labels.subarray(0, test.count)) },
    environment: describeEnvironment(backend.name, backend.adapter, backend.kernels),
  };
  emit(event);
  return event;
}

/** Posts a finished run: its record, its test probabilities and its model files (buffers transferred). */
function postResult(run: FinishedRun, train: ImageSet): void {
  const e = run.evaluation;
  const result: ModelResult = {
    modelId: run.key.modelId,
    seed: run.key.seed,
    record: run.record,
    classNames: [...train.classNames],
    positiveClass: e?.positiveClass ?? train.classNames.findIndex((c) => c === run.record.positiveClass),
    // Copies are transferred: the loop still holds the run's own arrays for the model's seed ensemble.
    probabilities: e ? e.probabilities.slice() : new Float32Array(0),
    labels: e ? e.labels.slice() : new Int32Array(0),
    roc: e?.roc ?? [],
    // Copied, not transferred: a run that was not adapted shares one buffer with `probabilities`.
    ...(run.evaluationBeforeAdaptation
      ? { probabilitiesBeforeAdaptation: run.evaluationBeforeAdaptation.probabilities.slice() }
      : {}),
  };
  const files = run.files ? { modelJson: run.files.modelJson, weights: run.files.weights } : null;
  const transfer: Transferable[] = [result.probabilities.buffer as ArrayBuffer, result.labels.buffer as ArrayBuffer];
  if (files) transfer.push(files.weights.buffer as ArrayBuffer);
  emit({ type: 'model-result', result, files }, transfer);
  const status = run.record.status;
  emit({
    type: 'model-phase',
    ...run.key,
    phase: status === 'ok' ? 'done' : status,
    message: run.record.error ?? null,
  });
}

/** Phases, the starting validation loss, throttled batch progress with an ETA, epoch logs; yields so Cancel can arrive. */
/** The run with the start of its curves in its record (the saved and posted copies both get it). */
function withCurveStart(run: FinishedRun, start: Partial<CurveStartRecord> | undefined): FinishedRun {
  if (!start) return run;
  const curveStart: CurveStartRecord = {
    loss: start.loss ?? null,
    accuracy: start.accuracy ?? null,
    valLoss: start.valLoss ?? null,
    valAccuracy: start.valAccuracy ?? null,
  };
  return { ...run, record: { ...run.record, curveStart } };
}

function progressHooks(experiment: Experiment, curveStarts: Map<string, Partial<CurveStartRecord>>): LoopHooks {
  let started = 0;
  let lastPost = 0;
  let lastFeaturePost = 0;
  let lastSplit = '';
  const epochs = experiment.epochs + experiment.fineTune;
  return {
    onRunStart: () => {
      started = performance.now();
      lastPost = 0;
    },
    onPhase: (key, phase) => emit({ type: 'model-phase', ...key, phase: PHASES[phase], message: null }),
    onBaseline: (key, b) => {
      curveStarts.set(runKeyId(key), { ...curveStarts.get(runKeyId(key)), valLoss: b.loss, valAccuracy: b.accuracy });
      emit({ type: 'baseline', ...key, valLoss: b.loss, valAccuracy: b.accuracy });
    },
    onBatchEnd: async (key: RunKey, log: BatchLog) => {
      const now = performance.now();
      // The page starts the training curve at the first batch it is told of: this one (always posted, below).
      if (log.epoch === 1 && log.batch === 0)
        curveStarts.set(runKeyId(key), { ...curveStarts.get(runKeyId(key)), loss: log.loss, accuracy: log.accuracy });
      const lastOfEpoch = log.batch === log.batchesPerEpoch - 1;
      if (now - lastPost >= PROGRESS_INTERVAL_MS || lastOfEpoch || (log.epoch === 1 && log.batch === 0)) {
        lastPost = now;
        const done = (log.epoch - 1) * log.batchesPerEpoch + log.batch + 1;
        const total = epochs * log.batchesPerEpoch;
        emit({
          type: 'train-progress',
          progress: { ...key, epochs, ...log, etaMs: ((now - started) / done) * (total - done) },
        });
      }
      await yieldToEvents();
    },
    onEpochEnd: (key, log) => emit({ type: 'epoch-end', ...key, log }),
    onFeatureProgress: async (key, progress) => {
      const now = performance.now();
      if (
        now - lastFeaturePost >= PROGRESS_INTERVAL_MS ||
        progress.done === progress.total ||
        progress.split !== lastSplit
      ) {
        lastFeaturePost = now;
        lastSplit = progress.split;
        emit({ type: 'feature-progress', ...key, progress });
      }
      await yieldToEvents();
    },
    onSkipped: (key, reason) => emit({ type: 'model-phase', ...key, phase: 'skipped', message: reason }),
  };
}
