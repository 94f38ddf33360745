/**
 * How an image model runs (the registry's `runner: 'image'`): build it, train the whole network on images, evaluate
 * it on the validation and test sets with the weights it kept, and time its inference.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ModelEntry } from '../registry/registry';
import { evaluateModel, type EvaluationResult } from '../eval/evaluate';
import { measureInference } from '../eval/latency';
import type { ImageSet } from '../data/image-set';
import { measureModelSize } from '../models/model-size';
import { makeResultRecord } from '../report/result-record';
import type { TrainSummary } from '../train/train-log';
import { trainModel } from '../train/trainer';
import { scoreImageTest } from './evaluate-test';
import { imageTrainOptions, type RunConfig } from './run-config';
import { failedRun, type ExperimentData, type ModelRun, type RecordBase, type RunCallbacks } from './run-types';

/** Never throws for a model-level failure: a size the network refuses or a backend error becomes a `failed` record. */
export async function runImageModel(
  entry: ModelEntry,
  base: RecordBase,
  data: ExperimentData,
  config: RunConfig,
  callbacks: RunCallbacks,
  signal: AbortSignal | undefined,
): Promise<ModelRun> {
  let model: tf.LayersModel | null = null;
  let summary: TrainSummary | null = null;
  try {
    model = entry.build({
      size: config.size,
      channels: config.channels,
      numClasses: data.train.classNames.length,
      seed: config.seed,
      batchNormMomentum: config.batchNormMomentum,
    });
    const trained = model;
    const size = measureModelSize(model);
    callbacks.onPhase?.('training');
    summary = await trainModel(
      trained,
      data.train,
      data.val,
      imageTrainOptions(config, entry.pixelRange),
      callbacks,
      signal,
    );

    callbacks.onPhase?.('evaluating');
    const evaluate = (set: ImageSet, bootstrap: boolean): Promise<EvaluationResult> =>
      evaluateModel(trained, set, {
        positiveClass: config.positiveClass,
        threshold: config.threshold,
        batchSize: config.batchSize,
        range: entry.pixelRange,
        bootstrap:
          bootstrap && config.bootstrapIterations > 0
            ? { iterations: config.bootstrapIterations, seed: config.seed }
            : undefined,
      });
    // The test set, before and (with --adapt-bn) after test-time BatchNorm adaptation.
    const scored = await scoreImageTest(trained, data.test, data.train, config, entry.pixelRange);
    const evaluation = scored.evaluation;
    const validation = data.val && data.val.count > 0 ? await evaluate(data.val, false) : null;
    callbacks.onPhase?.('timing');
    const inference = await measureInference(trained, [config.size, config.size, config.channels], {
      batchSize: Math.min(32, config.batchSize),
      repeats: 5,
    });
    const record = makeResultRecord(
      {
        ...base,
        params: size.params,
        trainableParams: size.trainableParams,
        bytes: size.bytes,
        epochsRun: summary.epochsRun,
        bestEpoch: summary.bestEpoch,
        trainTimeMs: summary.trainTimeMs,
        msPerEpoch: summary.msPerEpoch,
        trainImagesPerSec: summary.imagesPerSec,
        inference: { msPerImage: inference.msPerImage, imagesPerSecond: inference.imagesPerSecond },
        status: summary.cancelled ? 'cancelled' : 'ok',
        history: summary.history,
      },
      evaluation,
      validation,
      scored.shift,
    );
    return { record, model: trained, evaluation, evaluationBeforeAdaptation: scored.beforeAdaptation };
  } catch (err) {
    model?.dispose();
    return failedRun(base, err, summary);
  }
}
