/**
 * One model of the queue: the core's runModel (build, train, evaluate, time) with live progress posted to the page,
 * then the trained model serialised to its two TF.js files and disposed. Never throws: a failure is a 'failed' record.
 */
import { STANDARD_AUGMENTATION } from '../lab/data/augment';
import type { ImageSet } from '../lab/data/image-set';
import { DEFAULT_EXPERIMENT_SETTINGS, type ExperimentSettings } from '../lab/experiment/experiment-settings';
import { runModel, type RunPhase } from '../lab/experiment/run-model';
import { modelToFiles } from '../lab/export/model-files';
import { findModel, type ModelEntry } from '../lab/models/registry';
import { FINE_TUNE_CUTS } from '../lab/transfer/fine-tune';
import type { FeatureProgress } from '../lab/transfer/split-features';
import { makeResultRecord } from '../lab/report/result-record';
import type { BatchLog, EpochLog, TrainCallbacks } from '../lab/train/train-log';
import { validate } from '../lab/train/validate';
import type { ModelFilesData, ModelPhase, ModelResult, RunSettings } from './protocol';
import { emit, yieldToEvents } from './rpc';

export interface TrainContext {
  settings: RunSettings;
  sets: { train: ImageSet; val: ImageSet; test: ImageSet };
  positiveClass: number;
  backendName: string;
  signal: AbortSignal;
}

export interface TrainOneOutcome {
  result: ModelResult;
  files: ModelFilesData | null;
  /** Why the model failed, so the queue can ask whether the backend itself broke; null when it did not. */
  error: string | null;
}

/** Live progress is posted at most this often; more would only cost the page time. */
const PROGRESS_INTERVAL_MS = 150;

const PHASES: Record<RunPhase, ModelPhase> = { building: 'preparing', training: 'training', evaluating: 'evaluating', timing: 'evaluating' };

/**
 * The page's frozen settings as the core's experiment settings for one model (the core's defaults for the rest).
 * Fine-tuning goes only to backbones that offer it: the core refuses it for the others, and one setting serves
 * the whole queue.
 */
export function experimentSettings(s: RunSettings, positiveClass: number, modelId: string): ExperimentSettings {
  return {
    ...DEFAULT_EXPERIMENT_SETTINGS,
    size: s.size,
    channels: s.channels,
    epochs: s.epochs,
    batchSize: s.batchSize,
    learningRate: s.learningRate,
    seed: s.seed,
    classWeights: s.classWeights === 'balanced' ? 'balanced' : null,
    earlyStoppingPatience: s.earlyStopping > 0 ? s.earlyStopping : null,
    batchNormRecalibrationBatches: s.bnRecalibration,
    positiveClass,
    augmentation: s.augment ? STANDARD_AUGMENTATION : null,
    headDropout: s.headDropout,
    headLightRank: s.headLightRank > 0 ? s.headLightRank : null,
    fineTuneEpochs: modelId in FINE_TUNE_CUTS ? s.fineTuneEpochs : 0,
  };
}

export async function trainOne(modelId: string, ctx: TrainContext): Promise<TrainOneOutcome> {
  const { sets } = ctx;
  const settings = experimentSettings(ctx.settings, ctx.positiveClass, modelId);
  const entry = knownModel(modelId);
  // Read now: a transfer model's range is its loaded weights', which must be what the saved files record.
  const pixelRange = entry?.pixelRange ?? '0,1';
  // A transfer model's untrained twin would need the whole backbone pass that runModel does (and caches) anyway.
  if (entry && entry.family !== 'transfer') await emitBaseline(modelId, settings, sets.val);
  const run = await runModel(
    modelId,
    { train: sets.train, val: sets.val.count > 0 ? sets.val : null, test: sets.test },
    settings,
    {
      ...progressCallbacks(modelId, settings.epochs + settings.fineTuneEpochs),
      onPhase: (phase) => emit({ type: 'model-phase', modelId, phase: PHASES[phase], message: null }),
      onFeatureProgress: featureProgress(modelId),
    },
    ctx.signal,
  );
  let files: ModelFilesData | null = null;
  let error = run.record.status === 'failed' ? (run.record.error ?? 'failed') : null;
  if (run.model) {
    try {
      const saved = await modelToFiles(run.model, 'weights.bin', {
        modelId, label: run.record.label, classNames: [...sets.train.classNames], positiveClass: ctx.positiveClass,
        pixelRange, inputSize: settings.size, channels: settings.channels,
      });
      files = { modelJson: saved.modelJson, weights: saved.weights };
    } catch (err) {
      error = `could not save the trained model: ${(err as Error).message}`;
    } finally {
      run.model.dispose();
    }
  }
  const e = run.evaluation;
  const result: ModelResult = {
    modelId, record: run.record, classNames: [...sets.train.classNames], positiveClass: ctx.positiveClass,
    probabilities: e?.probabilities ?? new Float32Array(0), labels: e?.labels ?? new Int32Array(0), roc: e?.roc ?? [],
  };
  return { result, files, error };
}

/** The registry entry, or null for an unknown id (runModel then reports it as a failed row). */
function knownModel(modelId: string): ModelEntry | null {
  try {
    return findModel(modelId);
  } catch {
    return null;
  }
}

/** A 'failed' result for a model that never reported back (its backend died under it). */
export function failedResult(modelId: string, ctx: TrainContext, reason: string): ModelResult {
  // An unknown id keeps its id as label.
  const label = knownModel(modelId)?.label ?? modelId;
  const classNames = [...ctx.sets.train.classNames];
  const record = makeResultRecord({
    modelId, label, params: NaN, trainableParams: NaN, inputSize: ctx.settings.size, channels: ctx.settings.channels,
    backend: ctx.backendName, seed: ctx.settings.seed, epochsRun: 0, epochsPlanned: ctx.settings.epochs, status: 'failed',
    error: reason, classNames, positiveClass: ctx.positiveClass,
  });
  return { modelId, record, classNames, positiveClass: ctx.positiveClass, probabilities: new Float32Array(0), labels: new Int32Array(0), roc: [] };
}

/**
 * Validation loss of the untrained network, where the validation curve starts (≈ ln 2 for two classes): measured on
 * a twin built with the same seed, which has the very weights runModel starts from. Best effort: a failure here is
 * left for runModel to report.
 */
async function emitBaseline(modelId: string, s: ExperimentSettings, val: ImageSet): Promise<void> {
  if (val.count === 0) return;
  try {
    const entry = findModel(modelId);
    const twin = entry.build({ size: s.size, channels: s.channels, numClasses: val.classNames.length, seed: s.seed, batchNormMomentum: s.batchNormMomentum });
    try {
      const base = await validate(twin, val, s.batchSize, entry.pixelRange);
      emit({ type: 'baseline', modelId, valLoss: base.loss, valAccuracy: base.accuracy });
    } finally {
      twin.dispose();
    }
  } catch {
    // runModel builds the model again and reports the reason.
  }
}

/** Posts the backbone pass per split (throttled, each split's first and last at once) and yields for Cancel. */
function featureProgress(modelId: string): (p: FeatureProgress) => Promise<void> {
  let lastPost = 0;
  let lastSplit = '';
  return async (progress) => {
    const now = performance.now();
    if (now - lastPost >= PROGRESS_INTERVAL_MS || progress.done === progress.total || progress.split !== lastSplit) {
      lastPost = now;
      lastSplit = progress.split;
      emit({ type: 'feature-progress', modelId, progress });
    }
    await yieldToEvents();
  };
}

/** Posts throttled batch progress with an ETA, every epoch log, and yields so Cancel can arrive. */
function progressCallbacks(modelId: string, epochs: number): TrainCallbacks {
  const started = performance.now();
  let lastPost = 0;
  return {
    onBatchEnd: async (log: BatchLog) => {
      const now = performance.now();
      const lastOfEpoch = log.batch === log.batchesPerEpoch - 1;
      if (now - lastPost >= PROGRESS_INTERVAL_MS || lastOfEpoch || (log.epoch === 1 && log.batch === 0)) {
        lastPost = now;
        const done = (log.epoch - 1) * log.batchesPerEpoch + log.batch + 1;
        const total = epochs * log.batchesPerEpoch;
        emit({ type: 'train-progress', progress: { modelId, epochs, ...log, etaMs: ((now - started) / done) * (total - done) } });
      }
      await yieldToEvents();
    },
    onEpochEnd: (log: EpochLog) => {
      emit({ type: 'epoch-end', modelId, log });
    },
  };
}
