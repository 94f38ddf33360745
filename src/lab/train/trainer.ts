import type * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../data/image-set';
import { imageSource } from './batch-source';
import { trainOnBatches } from './train-loop';
import { resolveTrainOptions, type TrainOptions } from './train-options';
import type { TrainCallbacks } from './train-callbacks';
import type { TrainSummary } from './train-log';

/**
 * Trains any registry model (image → logits) with {@link trainOnBatches}: the images are scaled to
 * `options.pixelRange` one batch at a time, and training batches get `options.augmentation` (seeded by `seed`).
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
  return trainOnBatches(
    model,
    imageSource(train, o.pixelRange, o.augmentation ? { options: o.augmentation, seed: o.seed } : undefined),
    validation ? imageSource(validation, o.pixelRange) : null,
    o,
    callbacks,
    signal,
  );
}
