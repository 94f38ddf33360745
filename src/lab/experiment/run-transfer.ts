/**
 * runModel's branch for transfer models: find the backbone's weights, run the backbone once per image (or reuse
 * cached features), train the head on the features, evaluate, time the whole network, and report it as one record
 * — parameters = backbone + head, trainable = head, training time = backbone pass + head epochs.
 */
import type * as tf from '@tensorflow/tfjs';
import { BackboneNotLoadedError, type ModelEntry } from '../models/registry';
import { InputSizeError } from '../models/input-size';
import { measureModelSize, type ModelSize } from '../models/model-size';
import { buildTransferHead } from '../models/transfer-head';
import { makeResultRecord, type TrainingSummary } from '../report/result-record';
import { describeBackboneWeights } from '../transfer/backbone-weights';
import { backboneSpec, isBackboneId } from '../transfer/backbones';
import { currentFeatureCache, loadedBackboneWeights } from '../transfer/transfer-context';
import { trainTransfer, type TransferOutcome } from '../transfer/train-transfer';
import type { ExperimentSettings } from './experiment-settings';
import type { ExperimentData, ModelRun, RunCallbacks, RunOptions } from './run-model';

/** The fields of a record that runModel knows before training. */
export type RecordBase = Pick<TrainingSummary,
  'modelId' | 'label' | 'params' | 'trainableParams' | 'inputSize' | 'channels' | 'backend' | 'seed' | 'epochsRun'
  | 'epochsPlanned' | 'classNames' | 'positiveClass' | 'backbone'>;

/** Never throws: a missing backbone, a bad size or a backend error becomes a `failed` record. */
export async function runTransferModel(
  entry: ModelEntry,
  base: RecordBase,
  data: ExperimentData,
  settings: ExperimentSettings,
  callbacks: RunCallbacks,
  signal: AbortSignal | undefined,
  options: RunOptions,
): Promise<ModelRun> {
  let outcome: TransferOutcome | null = null;
  try {
    if (!isBackboneId(entry.id)) throw new Error(`${entry.id} is marked transfer but has no pretrained backbone`);
    const spec = backboneSpec(entry.id);
    if (settings.size < spec.minSize) {
      throw new InputSizeError(entry.id, settings.size, spec.minSize, `${spec.network}'s strided stem and reductions need it`);
    }
    const weights = options.weights === undefined ? loadedBackboneWeights(spec.id) : options.weights;
    if (!weights) throw new BackboneNotLoadedError(entry.id, spec.missingWeights);
    if (weights.backboneId !== spec.id) throw new Error(`the weights given are ${weights.backboneId}'s, not ${spec.id}'s`);
    // Counts known before training, so a cancelled or failed record still shows the network's size.
    const head = measureByBuilding(() => buildTransferHead({
      features: spec.features(weights.variant), numClasses: data.train.classNames.length,
      dropout: settings.headDropout, lightRank: settings.headLightRank ?? undefined,
    }));
    const info = describeBackboneWeights(weights);
    base = {
      ...base, params: weights.params + head.params, trainableParams: head.trainableParams,
      backbone: { network: `${info.network}${info.variant ? ` ${info.variant}` : ''}`, weightsId: info.weightsId, origin: info.origin, pixelRange: info.pixelRange },
    };
    const cache = options.featureCache === undefined ? currentFeatureCache() : options.featureCache;
    outcome = await trainTransfer(weights, data, settings, cache, callbacks, signal);
    return toRun(base, data, outcome);
  } catch (err) {
    outcome?.model?.dispose();
    const record = makeResultRecord({
      ...base,
      epochsRun: outcome?.summary?.epochsRun ?? 0,
      history: outcome?.summary?.history,
      status: 'failed',
      error: (err as Error)?.message ?? String(err),
    });
    return { record, model: null, evaluation: null };
  }
}

function measureByBuilding(build: () => tf.LayersModel): ModelSize {
  const model = build();
  try {
    return measureModelSize(model);
  } finally {
    model.dispose();
  }
}

function toRun(base: RecordBase, data: ExperimentData, o: TransferOutcome): ModelRun {
  const summary = o.summary;
  if (o.cancelledEarly || !summary) {
    const record = makeResultRecord({ ...base, bytes: base.params * 4, status: 'cancelled', error: 'cancelled during the backbone pass' });
    return { record, model: null, evaluation: null };
  }
  // Training time counts the backbone pass over train + val (zero when cached) and the head's epochs.
  const trainTimeMs = o.extractMs + summary.trainTimeMs;
  const record = makeResultRecord({
    ...base,
    params: o.size?.params ?? base.params,
    trainableParams: o.size?.trainableParams ?? base.trainableParams,
    bytes: o.size?.bytes ?? null,
    epochsRun: summary.epochsRun,
    epochsPlanned: summary.epochsPlanned, // head epochs, plus fine-tuning epochs when asked
    bestEpoch: summary.bestEpoch,
    trainTimeMs,
    msPerEpoch: summary.msPerEpoch,
    // Images trained per second over the whole run, backbone pass included: comparable with the other models.
    trainImagesPerSec: trainTimeMs > 0 ? (data.train.count * summary.epochsRun) / (trainTimeMs / 1000) : null,
    inference: o.inference ? { msPerImage: o.inference.msPerImage, imagesPerSecond: o.inference.imagesPerSecond } : null,
    status: summary.cancelled ? 'cancelled' : 'ok',
    history: summary.history,
  }, o.evaluation);
  return { record, model: o.model as tf.LayersModel | null, evaluation: o.evaluation };
}
