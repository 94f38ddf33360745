/**
 * The one run loop, used unchanged by the page's worker and the CLI: every model of an experiment with every seed
 * (seed by seed, so one complete comparison exists as early as possible), each built → trained → evaluated →
 * saved → disposed. Callers see the runs through hooks and keep what they need (post it to the page, write it to
 * disk); the loop keeps no model alive past its run.
 */
import * as tf from '@tensorflow/tfjs';
import type { EvaluationResult } from '../eval/evaluate';
import { modelToFiles } from '../models/model-files';
import { savedModelMeta, type SavedModelMeta } from '../models/saved-model-meta';
import { findModel } from '../registry/registry';
import { positiveClassIndex } from '../data/summary';
import { withPositiveNamed } from '../report/multi-class-record';
import type { ResultRecord } from '../report/result-record';
import { summariseRecords, type ModelSummary } from '../report/summary';
import type { TrainCallbacks } from '../train/train-callbacks';
import type { BatchLog, EpochLog } from '../train/train-log';
import type { FeatureProgress } from '../transfer/split-features';
import { plannedRuns, RunControl, type RunKey } from './run-control';

export { plannedRuns };
import { runConfig, type RunConfig } from './run-config';
import { runModel } from './run-model';
import { seedEnsemble, type EnsembleMember } from './seed-ensemble';
import { failedRun, recordBaseOf, type ExperimentData, type RunOptions, type RunPhase } from './run-types';
import type { Experiment } from './schema';

/** A trained model as files: the lab's own TF.js format, plus whatever else the caller's exporter adds. */
export interface SavedModelFiles {
  readonly modelJson: string;
  readonly weights: Uint8Array;
  /** More files by relative path (a stock export, a Keras .h5); empty by default. */
  readonly extra: Readonly<Record<string, string | Uint8Array>>;
}

/** Makes extra files from a trained model before it is disposed (the model stays the loop's). */
export type ModelExporter = (
  model: tf.LayersModel,
  meta: SavedModelMeta,
) => Promise<Record<string, string | Uint8Array>>;

/** One finished run, as the loop hands it over. */
export interface FinishedRun {
  readonly key: RunKey;
  readonly record: ResultRecord;
  /** On the test set, with per-image probabilities (for a threshold slider); null when there was none. */
  readonly evaluation: EvaluationResult | null;
  /** With --adapt-bn: the test set scored by the model as trained (`evaluation` is the adapted one); else absent. */
  readonly evaluationBeforeAdaptation?: EvaluationResult | null;
  /** The trained model's files; null when the run failed (or saving failed: the record says why). */
  readonly files: SavedModelFiles | null;
}

export interface LoopHooks {
  /** A run is about to start (its model's earlier seeds are finished). */
  onRunStart?: (key: RunKey) => void;
  onPhase?: (key: RunKey, phase: RunPhase) => void;
  /** Validation loss and accuracy before training: where the validation curve starts. */
  onBaseline?: (key: RunKey, baseline: { loss: number; accuracy: number }) => void | Promise<void>;
  onBatchEnd?: (key: RunKey, log: BatchLog) => void | Promise<void>;
  onEpochEnd?: (key: RunKey, log: EpochLog) => void | Promise<void>;
  onFeatureProgress?: (key: RunKey, progress: FeatureProgress) => void | Promise<void>;
  /** A run that will not start (its model was cancelled, or the queue stopped), with why. */
  onSkipped?: (key: RunKey, reason: string) => void;
  /**
   * Every finished run, awaited before the next one starts; with `ensemble`, also each model's seed ensemble after
   * its last seed (its record has `ensembleOf`, its key the seed ENSEMBLE_SEED, and it has no files).
   */
  onRunEnd?: (run: FinishedRun) => void | Promise<void>;
  /**
   * Asked after a run failed (`interrupted`: failed by RunControl.interrupt): a reason to stop the whole queue
   * (the backend itself broke, so every later run would fail the same way), or null to go on.
   */
  shouldStop?: (run: FinishedRun, interrupted: boolean) => Promise<string | null>;
  /**
   * Checkpoints of one run: the checkpoint it continues from (null: from the start) and where its end-of-epoch
   * checkpoints go (the page's autosave). Asked once as the run starts.
   */
  checkpoints?: (key: RunKey) => Pick<TrainCallbacks, 'resumeFrom' | 'onCheckpoint' | 'onCheckpointCost'> | undefined;
}

export interface LoopOptions {
  readonly control?: RunControl;
  /** Backbone weights and feature cache for transfer models (default: the realm's). */
  readonly runOptions?: RunOptions;
  /** Extra exports of every trained model (default: none). */
  readonly exporter?: ModelExporter;
  /** Run only these of the experiment's runs (a resume); the experiment still deals the split. Default: all. */
  readonly only?: readonly RunKey[];
}

export interface ExperimentOutcome {
  /** done: every run ended; cancelled: the user cancelled everything; stopped: `shouldStop` ended the queue. */
  readonly status: 'done' | 'cancelled' | 'stopped';
  readonly message: string | null;
  /** Every run that ran, in the order it finished, each model's seed ensemble after its last seed. */
  readonly records: ResultRecord[];
  readonly summary: ModelSummary[];
}

/**
 * Runs every (model, seed) of `experiment` on `data`. A run that fails becomes a `failed` record and the queue goes
 * on, unless `hooks.shouldStop` says the failure ends it. Throws only for an experiment that cannot start at all (a
 * positive class the data does not have).
 */
export async function runExperiment(
  experiment: Experiment,
  data: ExperimentData,
  hooks: LoopHooks = {},
  options: LoopOptions = {},
): Promise<ExperimentOutcome> {
  const control = options.control ?? new RunControl();
  const classNames = data.train.classNames;
  const positiveClass = positiveClassIndex(classNames, experiment.positiveClass ?? undefined);
  if (positiveClass < 0) {
    throw new RangeError(
      `positive class "${experiment.positiveClass}" is not a class of the data (classes: ${classNames.join(', ')})`,
    );
  }
  const records: ResultRecord[] = [];
  const planned = plannedRuns(experiment).filter(
    (key) => !options.only || options.only.some((k) => k.modelId === key.modelId && k.seed === key.seed),
  );
  // With `ensemble`: each model's finished runs so far (their test probabilities), until its last seed.
  const members = new Map<string, EnsembleMember[]>();
  // After a model's last planned run (finished or skipped): its seed ensemble, when asked and it has one.
  const closeModel = async (i: number) => {
    const { modelId } = planned[i];
    if (!experiment.ensemble || planned.slice(i + 1).some((k) => k.modelId === modelId)) return;
    const ensemble = ensembleRun(modelId, members.get(modelId) ?? [], experiment);
    members.delete(modelId);
    if (!ensemble) return;
    records.push(ensemble.record);
    await hooks.onRunEnd?.(ensemble);
  };
  const finish = (status: ExperimentOutcome['status'], message: string | null): ExperimentOutcome => ({
    status,
    message,
    records,
    summary: summariseRecords(records),
  });

  for (let i = 0; i < planned.length; i++) {
    const key = planned[i];
    if (control.isCancelled(key.modelId)) {
      hooks.onSkipped?.(key, 'cancelled before it started');
      await closeModel(i);
      continue;
    }
    hooks.onRunStart?.(key);
    const config = runConfig(experiment, key.seed, positiveClass);
    const running = control.start(key);
    let finished: FinishedRun;
    let interrupted = false;
    try {
      const work = trainOne(key, data, config, hooks, running.signal, options);
      const broke = running.interrupted.then((reason) => {
        interrupted = true;
        return brokenRun(key, config, classNames, reason);
      });
      finished = await Promise.race([work, broke]);
    } finally {
      running.release();
    }
    // With more than two classes the positive-vs-rest figures apply only where the user named the class.
    finished = { ...finished, record: withPositiveNamed(finished.record, experiment.positiveClass != null) };
    records.push(finished.record);
    await hooks.onRunEnd?.(finished);
    if (finished.record.status === 'failed' && hooks.shouldStop) {
      const reason = await hooks.shouldStop(finished, interrupted);
      if (reason != null) {
        for (const rest of planned.slice(i + 1)) hooks.onSkipped?.(rest, reason);
        return finish('stopped', reason);
      }
    }
    if (experiment.ensemble) {
      const { record, evaluation, evaluationBeforeAdaptation } = finished;
      const member = { record, evaluation, evaluationBeforeAdaptation };
      members.set(key.modelId, [...(members.get(key.modelId) ?? []), member]);
    }
    await closeModel(i);
  }
  return finish(control.cancelledAll ? 'cancelled' : 'done', null);
}

/** One run: train it, save its model while it is alive, dispose it. */
async function trainOne(
  key: RunKey,
  data: ExperimentData,
  config: ReturnType<typeof runConfig>,
  hooks: LoopHooks,
  signal: AbortSignal,
  options: LoopOptions,
): Promise<FinishedRun> {
  // A transfer model's pixel range is its loaded weights': read now, as the model is built with them.
  const pixelRange = knownPixelRange(key.modelId);
  const run = await runModel(
    key.modelId,
    data,
    config,
    {
      onPhase: (phase) => hooks.onPhase?.(key, phase),
      onBaseline: hooks.onBaseline && ((b) => hooks.onBaseline!(key, b)),
      onBatchEnd: hooks.onBatchEnd && ((log) => hooks.onBatchEnd!(key, log)),
      onEpochEnd: hooks.onEpochEnd && ((log) => hooks.onEpochEnd!(key, log)),
      onFeatureProgress: hooks.onFeatureProgress && ((p) => hooks.onFeatureProgress!(key, p)),
      ...hooks.checkpoints?.(key),
    },
    signal,
    options.runOptions,
  );
  let record = run.record;
  let files: SavedModelFiles | null = null;
  if (run.model) {
    try {
      const meta = savedModelMeta({
        modelId: key.modelId,
        label: record.label,
        seed: key.seed,
        inputSize: config.size,
        channels: config.channels,
        pixelRange: pixelRange ?? '0,1',
        classNames: [...data.train.classNames],
        positiveClass: config.positiveClass,
      });
      const saved = await modelToFiles(run.model, 'weights.bin', meta as unknown as Record<string, unknown>);
      const extra = options.exporter ? await options.exporter(run.model, meta) : {};
      files = { modelJson: saved.modelJson, weights: saved.weights, extra };
    } catch (err) {
      record = { ...record, error: `could not save the trained model: ${(err as Error).message}` };
    } finally {
      run.model.dispose();
    }
  }
  return { key, record, evaluation: run.evaluation, evaluationBeforeAdaptation: run.evaluationBeforeAdaptation, files };
}

/** A model's seed ensemble as a finished run (no files), or null with fewer than two finished seeds. */
function ensembleRun(modelId: string, runs: readonly EnsembleMember[], experiment: Experiment): FinishedRun | null {
  const ensemble = seedEnsemble(runs, {
    threshold: experiment.threshold,
    bootstrap: experiment.bootstrap,
    positiveNamed: experiment.positiveClass != null,
  });
  if (!ensemble) return null;
  return {
    key: { modelId, seed: ensemble.record.seed },
    record: withPositiveNamed(ensemble.record, experiment.positiveClass != null),
    evaluation: ensemble.evaluation,
    evaluationBeforeAdaptation: ensemble.evaluationBeforeAdaptation,
    files: null,
  };
}

function knownPixelRange(modelId: string) {
  try {
    return findModel(modelId).pixelRange;
  } catch {
    return null;
  }
}

/** The record of a run that RunControl.interrupt failed (its own promise may never settle). */
function brokenRun(key: RunKey, config: RunConfig, classNames: readonly string[], reason: string): FinishedRun {
  let label = key.modelId;
  try {
    label = findModel(key.modelId).label;
  } catch {
    // an unknown id keeps its id as label
  }
  const { record } = failedRun({ ...recordBaseOf(key.modelId, config, classNames), label }, reason);
  return { key, record, evaluation: null, files: null };
}
