import type * as tf from '@tensorflow/tfjs';
import { featureSource } from './batch-source';
import type { FeatureSet } from './feature-set';
import { trainOnBatches } from './train-loop';
import type { TrainOptions } from './train-options';
import type { TrainCallbacks } from './train-callbacks';
import type { TrainSummary } from './train-log';

/**
 * Trains a head (feature vector → logits) on cached backbone features: the same loop ({@link trainOnBatches}) as
 * {@link trainModel}, but each batch is a slice of floats instead of images through the backbone — which is why 20
 * epochs of an InceptionV3 head take seconds. Reported `imagesPerSec` counts feature vectors per second.
 */
export async function trainOnFeatures(
  head: tf.LayersModel,
  train: FeatureSet,
  validation: FeatureSet | null,
  options: Partial<TrainOptions> = {},
  callbacks: TrainCallbacks = {},
  signal?: AbortSignal,
): Promise<TrainSummary> {
  const inputShape = head.inputs[0].shape.slice(1) as number[];
  const expected = train.shape ?? [train.dim];
  if (inputShape.join() !== expected.join()) {
    throw new RangeError(
      `the model takes inputs of shape [${inputShape.join(', ')}], the cached features are [${expected.join(', ')}]`,
    );
  }
  return trainOnBatches(
    head,
    featureSource(train),
    validation ? featureSource(validation) : null,
    options,
    callbacks,
    signal,
  );
}
