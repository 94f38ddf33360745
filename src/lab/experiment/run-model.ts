import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../data/image-set';
import { evaluateModel, type EvaluationResult } from '../eval/evaluate';
import { measureInference } from '../eval/latency';
import { measureModelSize } from '../models/model-size';
import { findModel } from '../models/registry';
import { makeResultRecord, type ResultRecord } from '../report/result-record';
import type { TrainCallbacks, TrainSummary } from '../train/train-log';
import { trainModel } from '../train/trainer';
import type { BackboneWeights } from '../transfer/backbone-weights';
import type { FeatureCache } from '../transfer/feature-cache';
import type { FeatureProgress } from '../transfer/split-features';
import type { ExperimentSettings } from './experiment-settings';
import { runTransferModel } from './run-transfer';

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
  evaluation: EvaluationResult | null;
}

/**
 * Builds, trains, evaluates and times one registry model — the unit of work of the page's queue, the worker and the
 * CLI. Never throws for a model-level failure (bad size, backend error, no backbone weights): the record says
 * `failed` with the reason, so a queue goes on with the next model. A cancelled run is still evaluated with the
 * weights it kept. Transfer models (inception-v3, mobilenet-v2) need backbone weights (see `RunOptions`).
 */
export async function runModel(
  modelId: string,
  data: ExperimentData,
  settings: ExperimentSettings,
  callbacks: RunCallbacks = {},
  signal?: AbortSignal,
  options: RunOptions = {},
): Promise<ModelRun> {
  const base = {
    modelId,
    label: modelId,
    params: 0,
    trainableParams: 0,
    inputSize: settings.size,
    channels: settings.channels,
    backend: tf.getBackend(),
    seed: settings.seed,
    epochsRun: 0,
    epochsPlanned: settings.epochs,
    classNames: data.train.classNames,
    positiveClass: settings.positiveClass,
  };
  let model: tf.LayersModel | null = null;
  let summary: TrainSummary | null = null;
  try {
    callbacks.onPhase?.('building');
    const entry = findModel(modelId);
    base.label = entry.label;
    // Transfer models train a head on cached backbone features instead of the whole network on images.
    if (entry.family === 'transfer') return await runTransferModel(entry, base, data, settings, callbacks, signal, options);
    model = entry.build({
      size: settings.size,
      channels: settings.channels,
      numClasses: data.train.classNames.length,
      seed: settings.seed,
      batchNormMomentum: settings.batchNormMomentum,
    });
    const size = measureModelSize(model);
    Object.assign(base, { params: size.params, trainableParams: size.trainableParams });

    callbacks.onPhase?.('training');
    summary = await trainModel(model, data.train, data.val, {
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      learningRate: settings.learningRate,
      seed: settings.seed,
      classWeights: settings.classWeights,
      earlyStoppingPatience: settings.earlyStoppingPatience,
      batchNormRecalibrationBatches: settings.batchNormRecalibrationBatches,
      pixelRange: entry.pixelRange,
      augmentation: settings.augmentation,
    }, callbacks, signal);

    callbacks.onPhase?.('evaluating');
    const evaluation = await evaluateModel(model, data.test, {
      positiveClass: settings.positiveClass,
      threshold: settings.threshold,
      batchSize: settings.batchSize,
      range: entry.pixelRange,
      bootstrap: settings.bootstrapIterations > 0 ? { iterations: settings.bootstrapIterations, seed: settings.seed } : undefined,
    });
    callbacks.onPhase?.('timing');
    const inference = await measureInference(model, [settings.size, settings.size, settings.channels], {
      batchSize: Math.min(32, settings.batchSize),
      repeats: 5,
    });
    const record = makeResultRecord({
      ...base,
      bytes: size.bytes,
      epochsRun: summary.epochsRun,
      bestEpoch: summary.bestEpoch,
      trainTimeMs: summary.trainTimeMs,
      msPerEpoch: summary.msPerEpoch,
      trainImagesPerSec: summary.imagesPerSec,
      inference: { msPerImage: inference.msPerImage, imagesPerSecond: inference.imagesPerSecond },
      status: summary.cancelled ? 'cancelled' : 'ok',
      history: summary.history,
    }, evaluation);
    return { record, model, evaluation };
  } catch (err) {
    model?.dispose();
    const record = makeResultRecord({
      ...base,
      epochsRun: summary?.epochsRun ?? 0,
      history: summary?.history,
      status: 'failed',
      error: (err as Error)?.message ?? String(err),
    });
    return { record, model: null, evaluation: null };
  }
}
