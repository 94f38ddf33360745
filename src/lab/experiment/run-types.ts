/** The types one model run is made of, shared by the runners (run-image, run-transfer), runModel and the loop. */
import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../data/image-set';
import type { EvaluationResult } from '../eval/evaluate';
import { makeResultRecord, type ResultRecord, type TrainingSummary } from '../report/result-record';
import type { TrainCallbacks } from '../train/train-callbacks';
import type { BackboneWeights } from '../transfer/backbone-weights';
import type { FeatureCache } from '../transfer/feature-cache';
import type { FeatureProgress } from '../transfer/split-features';
import type { RunConfig } from './run-config';

/** The three parts of a dataset a comparison needs. */
export interface ExperimentData {
  train: ImageSet;
  /** Picks the best epoch; null trains without validation (the last epoch is kept). */
  val: ImageSet | null;
  test: ImageSet;
}

export type RunPhase = 'building' | 'training' | 'evaluating' | 'timing';

export interface RunCallbacks extends TrainCallbacks {
  onPhase?: (phase: RunPhase) => void;
  /**
   * Transfer models only: the backbone's pass over each split (during the 'building' phase), or `cached: true`
   * when a split's features were reused.
   */
  onFeatureProgress?: (progress: FeatureProgress) => void | Promise<void>;
}

/** Where transfer models take their backbone weights and feature cache from (default: the realm's transfer context). */
export interface RunOptions {
  /** Weights for the model's backbone; default: those provided with provideBackboneWeights. */
  weights?: BackboneWeights | null;
  /** Default: currentFeatureCache(); null disables caching. */
  featureCache?: FeatureCache | null;
}

/** A finished run: its plain record, and the trained model (null when it failed) which the caller now owns. */
export interface ModelRun {
  record: ResultRecord;
  model: tf.LayersModel | null;
  /** On the test set; null when the run produced no evaluation. */
  evaluation: EvaluationResult | null;
  /** With --adapt-bn: the test set scored by the model as trained (`evaluation` is then the adapted one). */
  evaluationBeforeAdaptation?: EvaluationResult | null;
}

/** The fields of a record known before training. */
export type RecordBase = Pick<
  TrainingSummary,
  | 'modelId'
  | 'label'
  | 'params'
  | 'trainableParams'
  | 'inputSize'
  | 'channels'
  | 'backend'
  | 'seed'
  | 'epochsRun'
  | 'epochsPlanned'
  | 'classNames'
  | 'positiveClass'
  | 'backbone'
>;

/** The record fields of model `modelId` under `config` before it is built: its id stands in for its label. */
export function recordBaseOf(modelId: string, config: RunConfig, classNames: readonly string[]): RecordBase {
  return {
    modelId,
    label: modelId,
    params: 0,
    trainableParams: 0,
    inputSize: config.size,
    channels: config.channels,
    backend: tf.getBackend(),
    seed: config.seed,
    epochsRun: 0,
    epochsPlanned: config.epochs,
    classNames,
    positiveClass: config.positiveClass,
  };
}

/** A run that failed, as a record: the reason, and the epochs it trained before failing (when it got that far). */
export function failedRun(
  base: RecordBase,
  err: unknown,
  trained?: { epochsRun: number; history: TrainingSummary['history'] } | null,
): ModelRun {
  const record = makeResultRecord({
    ...base,
    epochsRun: trained?.epochsRun ?? 0,
    history: trained?.history,
    status: 'failed',
    error: (err as Error)?.message ?? String(err),
  });
  return { record, model: null, evaluation: null };
}
