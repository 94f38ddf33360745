import type * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../data/image-set';
import { imageSource } from './batch-source';
import { trainOnBatches } from './train-loop';
import { resolveTrainOptions, type TrainOptions } from './train-options';
import type { TrainCallbacks, TrainSummary } from './train-log';

/**
 * Trains any registry model (image → logits) with Adam on cross-entropy of the logits. Seeded shuffles, optional
 * class weights, early stopping on validation loss, restore of the best-validation-loss weights, and cancellation
 * between batches (`signal`): a cancelled model keeps its best (or latest) weights and stays usable.
 * Tensor memory is back where it started when the promise settles.
 */
export async function trainModel(
  model: tf.LayersModel,
  train: ImageSet,
  validation: ImageSet | null,
  options: Partial<TrainOptions> = {},
  callbacks: TrainCallbacks = {},
  signal?: AbortSignal,
): Promise<TrainSummary> {
  const o = resolveTrainOptions(options);
  if (train.count === 0) throw new RangeError('the training set is empty');
  return trainOnBatches(
    model,
    imageSource(train, o.pixelRange, o.augmentation ? { options: o.augmentation, seed: o.seed } : undefined),
    validation ? imageSource(validation, o.pixelRange) : null,
    o,
    callbacks,
    signal,
  );
}
