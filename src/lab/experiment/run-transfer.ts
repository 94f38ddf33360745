/**
 * How a transfer model runs (the registry's `runner: 'transfer'`): find the backbone's weights, run the backbone once
 * per image (or reuse cached features), train the head on the features, evaluate, time the whole network, and
 * report it as one record — parameters = backbone + head, trainable = head, training time = backbone pass + head
 * epochs.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ModelEntry } from '../registry/registry';
import { InputSizeError, takesInputSize } from '../models/input-size';
import { measureModelSize, type ModelSize } from '../models/model-size';
import { buildTransferHead } from '../models/transfer-head';
import { makeResultRecord } from '../report/result-record';
import { BackboneNotLoadedError } from '../transfer/backbone-not-loaded';
import { describeBackboneWeights } from '../transfer/backbone-weights';
import { backboneSpec } from '../transfer/backbones';
import { currentFeatureCache, loadedBackboneWeights } from '../transfer/transfer-context';
import { trainTransfer, type TransferOutcome } from '../transfer/train-transfer';
import { transferTestShift } from './evaluate-test';
import type { RunConfig } from './run-config';
import {
  failedRun,
  type ExperimentData,
  type ModelRun,
  type RecordBase,
  type RunCallbacks,
  type RunOptions,
} from './run-types';

/** Never throws: a missing backbone, a bad size or a backend error becomes a `failed` record. */
export async function runTransferModel(
  entry: ModelEntry,
  base: RecordBase,
  data: ExperimentData,
  config: RunConfig,
  callbacks: RunCallbacks,
  signal: AbortSignal | undefined,
  options: RunOptions,
): Promise<ModelRun> {
  let outcome: TransferOutcome | null = null;
  try {
    if (!entry.backbone) throw new Error(`${entry.id} runs as a transfer model but names no pretrained backbone`);
    const spec = backboneSpec(entry.backbone);
    if (!takesInputSize(spec, config.size)) {
      throw new InputSizeError(
        entry.id,
        config.size,
        spec.minSize,
        `${spec.network}'s strided stem and reductions need it`,
      );
    }
    const weights = options.weights === undefined ? loadedBackboneWeights(spec.id) : options.weights;
    if (!weights) throw new BackboneNotLoadedError(entry.id, spec.missingWeights);
    if (weights.backboneId !== spec.id)
      throw new Error(`the weights given are ${weights.backboneId}'s, not ${spec.id}'s`);
    // Counts known before training, so a cancelled or failed record still shows the network's size.
    const head = measureByBuilding(() =>
      buildTransferHead({
        features: spec.features(weights.variant),
        numClasses: data.train.classNames.length,
        dropout: config.headDropout,
        lightRank: config.headLightRank ?? undefined,
      }),
    );
    const info = describeBackboneWeights(weights);
    base = {
      ...base,
      params: weights.params + head.params,
      trainableParams: head.trainableParams,
      backbone: {
        network: `${info.network}${info.variant ? ` ${info.variant}` : ''}`,
        weightsId: info.weightsId,
        origin: info.origin,
        pixelRange: info.pixelRange,
      },
    };
    const cache = options.featureCache === undefined ? currentFeatureCache() : options.featureCache;
    outcome = await trainTransfer(weights, data, config, cache, callbacks, signal);
    return toRun(base, data, outcome, config);
  } catch (err) {
    outcome?.model?.dispose();
    return failedRun(base, err, outcome?.summary);
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

function toRun(base: RecordBase, data: ExperimentData, o: TransferOutcome, config: RunConfig): ModelRun {
  const summary = o.summary;
  if (o.cancelledEarly || !summary) {
    const record = makeResultRecord({
      ...base,
      bytes: base.params * 4,
      status: 'cancelled',
      error: 'cancelled during the backbone pass',
    });
    return { record, model: null, evaluation: null };
  }
  // Training time counts the backbone pass over train + val (zero when cached) and the head's epochs.
  const trainTimeMs = o.extractMs + summary.trainTimeMs;
  const record = makeResultRecord(
    {
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
      inference: o.inference
        ? { msPerImage: o.inference.msPerImage, imagesPerSecond: o.inference.imagesPerSecond }
        : null,
      status: summary.cancelled ? 'cancelled' : 'ok',
      history: summary.history,
    },
    o.evaluation,
    o.validation,
    o.evaluation ? transferTestShift(o.evaluation, data.train, config) : undefined,
  );
  return {
    record,
    model: o.model as tf.LayersModel | null,
    evaluation: o.evaluation,
    evaluationBeforeAdaptation: config.adaptBn ? o.evaluation : null,
  };
}
