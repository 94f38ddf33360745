/**
 * The transfer-learning run: the frozen backbone runs once per image (or not at all when the features are cached),
 * the head trains on the cached vectors for every epoch, and is evaluated on the test vectors. The study ran the
 * whole InceptionV3 over every image in every epoch; here 20 epochs cost about one backbone pass. With
 * `fineTuneEpochs`, a second stage also trains InceptionV3's top blocks on cached mixed8 activations (fine-tune.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../data/image-set';
import { evaluateSource, type EvaluationResult } from '../eval/evaluate';
import { measureInference, type InferenceTiming } from '../eval/latency';
import { measureModelSize, type ModelSize } from '../models/model-size';
import { buildTransferHead } from '../models/transfer-head';
import { featureSource } from '../train/batch-source';
import type { FeatureSet } from '../train/feature-set';
import { trainOnFeatures } from '../train/feature-trainer';
import type { TrainCallbacks } from '../train/train-callbacks';
import type { TrainSummary } from '../train/train-log';
import { buildLoadedBackbone, type BackboneWeights } from './backbone-weights';
import { backboneSpec } from './backbones';
import { composeTransferModel } from './compose';
import { ExtractionCancelledError } from './extract-features';
import {
  buildFineTuneModels,
  FINE_TUNE_LR_FACTOR,
  fineTuneCut,
  pooledFromMaps,
  supportsFineTuning,
  type FineTuneModels,
} from './fine-tune';
import type { FeatureCache } from './feature-cache';
import { splitFeatures, type FeatureProgress, type SplitName } from './split-features';

export interface TransferCallbacks extends TrainCallbacks {
  onPhase?: (phase: 'building' | 'training' | 'evaluating' | 'timing') => void;
  /** Backbone progress per split; `cached: true` when a split's features came from the cache. */
  onFeatureProgress?: (progress: FeatureProgress) => void | Promise<void>;
}

/** The run settings a transfer model uses (the experiment's RunConfig has them all). */
export interface TransferSettings {
  size: number;
  channels: 1 | 3;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  classWeights: 'balanced' | null;
  earlyStoppingPatience: number | null;
  /** The recipe's loss, schedule and best-epoch choice (absent = the study's). */
  labelSmoothing?: number;
  lrSchedule?: 'constant' | 'cosine';
  balancedValidation?: boolean;
  threshold: number;
  positiveClass: number;
  bootstrapIterations: number;
  headDropout: number;
  headLightRank: number | null;
  fineTuneEpochs: number;
}

/** What a transfer run produced; `model` (backbone + head, image → logits) is the caller's to dispose. */
export interface TransferOutcome {
  model: tf.LayersModel | null;
  summary: TrainSummary | null;
  evaluation: EvaluationResult | null;
  /** On the validation features, with the weights kept; null without a validation set. */
  validation: EvaluationResult | null;
  /** Backbone + head parameters; trainable = the head's (and mixed9/mixed10's kernels when fine-tuned). */
  size: ModelSize | null;
  inference: InferenceTiming | null;
  /** True when cancelled during the backbone pass (nothing to evaluate). */
  cancelledEarly: boolean;
  /** Splits whose features came from the cache. */
  cachedSplits: SplitName[];
  /** Milliseconds spent running the backbone over train + val (0 when cached). */
  extractMs: number;
}

/**
 * Runs one transfer model. Throws for setup errors (wrong size); the caller turns them into a failed record.
 * Tensor memory is back where it started, apart from the returned model.
 */
export async function trainTransfer(
  weights: BackboneWeights,
  data: { train: ImageSet; val: ImageSet | null; test: ImageSet },
  settings: TransferSettings,
  cache: FeatureCache | null,
  callbacks: TransferCallbacks = {},
  signal?: AbortSignal,
): Promise<TransferOutcome> {
  const spec = backboneSpec(weights.backboneId);
  const dim = spec.features(weights.variant);
  // One queue shares its settings: a backbone without a fine-tuning cut (MobileNetV2) trains its head only.
  const fineTune =
    settings.fineTuneEpochs > 0 && supportsFineTuning(weights.backboneId) ? fineTuneCut(weights.backboneId) : null;
  let backbone: tf.LayersModel | null = null;
  const getBackbone = () => (backbone ??= buildLoadedBackbone(weights, settings.size, settings.channels));
  const outcome: TransferOutcome = {
    model: null,
    summary: null,
    evaluation: null,
    validation: null,
    size: null,
    inference: null,
    cancelledEarly: false,
    cachedSplits: [],
    extractMs: 0,
  };
  let head: tf.LayersModel | null = buildTransferHead({
    features: dim,
    numClasses: data.train.classNames.length,
    seed: settings.seed,
    dropout: settings.headDropout,
    lightRank: settings.headLightRank ?? undefined,
  });
  let tuning: FineTuneModels | null = null;
  try {
    // Fine-tuning works on the activations below its cut (mixed8); plain transfer on the pooled vectors.
    if (fineTune) tuning = buildFineTuneModels(weights.backboneId, getBackbone(), head);
    const features = async (split: SplitName, set: ImageSet): Promise<FeatureSet> => {
      const started = performance.now();
      const source = tuning ? () => tuning!.lower : getBackbone;
      const itemDim = tuning ? (tuning.lower.outputs[0].shape.slice(1) as number[]).reduce((a, b) => a * b, 1) : dim;
      const got = await splitFeatures(set, weights, source, itemDim, {
        split,
        cache,
        batchSize: Math.min(16, settings.batchSize),
        onProgress: callbacks.onFeatureProgress,
        signal,
        output: fineTune?.cut,
      });
      if (got.cached) outcome.cachedSplits.push(split);
      else if (split !== 'test') outcome.extractMs += performance.now() - started;
      return got.features;
    };
    const train = await features('train', data.train);
    const val = data.val && data.val.count > 0 ? await features('val', data.val) : null;
    const test = await features('test', data.test);
    const pooled = async (set: FeatureSet | null) => (set && tuning ? pooledFromMaps(tuning.pooled, set) : set);

    callbacks.onPhase?.('training');
    const options = {
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      learningRate: settings.learningRate,
      seed: settings.seed,
      classWeights: settings.classWeights,
      earlyStoppingPatience: settings.earlyStoppingPatience,
      labelSmoothing: settings.labelSmoothing,
      lrSchedule: settings.lrSchedule,
      balancedValidation: settings.balancedValidation,
    };
    outcome.summary = await trainOnFeatures(
      head,
      (await pooled(train))!,
      await pooled(val),
      options,
      callbacks,
      signal,
    );
    if (tuning && !outcome.summary.cancelled) {
      // Second stage: the top blocks join the head, with smaller steps; epochs are numbered on from the first stage.
      const offset = outcome.summary.epochsRun;
      const second = await trainOnFeatures(
        tuning.tune,
        train,
        val,
        {
          ...options,
          epochs: settings.fineTuneEpochs,
          learningRate: settings.learningRate * FINE_TUNE_LR_FACTOR,
        },
        offsetEpochs(callbacks, offset),
        signal,
      );
      outcome.summary = joinSummaries(outcome.summary, second);
    }
    callbacks.onPhase?.('evaluating');
    const scorer = tuning ? tuning.tune : head;
    const evaluate = async (set: FeatureSet, bootstrap: boolean) =>
      evaluateSource(scorer, featureSource(tuning ? set : (await pooled(set))!), {
        positiveClass: settings.positiveClass,
        threshold: settings.threshold,
        batchSize: settings.batchSize,
        bootstrap:
          bootstrap && settings.bootstrapIterations > 0
            ? { iterations: settings.bootstrapIterations, seed: settings.seed }
            : undefined,
      });
    outcome.evaluation = await evaluate(test, true);
    outcome.validation = val ? await evaluate(val, false) : null;
    callbacks.onPhase?.('timing');
    outcome.model = composeTransferModel(getBackbone(), head);
    head = null;
    backbone = null; // both now belong to the composed model
    tuning?.release();
    tuning = null;
    outcome.size = measureModelSize(outcome.model);
    // The whole network per image, as a user classifying an X-ray sees it; fewer repeats than small models get.
    outcome.inference = await measureInference(outcome.model, [settings.size, settings.size, settings.channels], {
      batchSize: Math.min(8, settings.batchSize),
      repeats: 3,
    });
    return outcome;
  } catch (err) {
    if (!(err instanceof ExtractionCancelledError)) {
      outcome.model?.dispose();
      throw err;
    }
    outcome.cancelledEarly = true;
    return outcome;
  } finally {
    // Only set when the composition never happened (an error or a cancel before it).
    (tuning as FineTuneModels | null)?.release();
    (head as tf.LayersModel | null)?.dispose();
    (backbone as tf.LayersModel | null)?.dispose();
  }
}

/** Callbacks that report epochs `offset` later (the fine-tuning stage continues the head's curve). */
function offsetEpochs(callbacks: TrainCallbacks, offset: number): TrainCallbacks {
  return {
    onBatchEnd: callbacks.onBatchEnd && ((log) => callbacks.onBatchEnd!({ ...log, epoch: log.epoch + offset })),
    onEpochEnd: callbacks.onEpochEnd && ((log) => callbacks.onEpochEnd!({ ...log, epoch: log.epoch + offset })),
  };
}

/** One summary for the two stages: histories end to end, the best epoch the second stage kept. */
function joinSummaries(first: TrainSummary, second: TrainSummary): TrainSummary {
  const offset = first.epochsRun;
  const epochsRun = first.epochsRun + second.epochsRun;
  const trainTimeMs = first.trainTimeMs + second.trainTimeMs;
  return {
    history: [...first.history, ...second.history.map((h) => ({ ...h, epoch: h.epoch + offset }))],
    epochsPlanned: first.epochsPlanned + second.epochsPlanned,
    epochsRun,
    bestEpoch: second.bestEpoch == null ? first.bestEpoch : second.bestEpoch + offset,
    stoppedEarly: second.stoppedEarly,
    cancelled: second.cancelled,
    trainTimeMs,
    msPerEpoch: epochsRun > 0 ? trainTimeMs / epochsRun : 0,
    imagesPerSec:
      (first.imagesPerSec * first.trainTimeMs + second.imagesPerSec * second.trainTimeMs) / Math.max(1, trainTimeMs),
  };
}
