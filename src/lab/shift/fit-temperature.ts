/**
 * Temperature scaling for a trained model: its logits on the validation split, one number fitted to them
 * (eval/temperature.ts). Validation images come from the training distribution, so the model runs unadapted.
 */
import type * as tf from '@tensorflow/tfjs';
import type { PixelRange } from '../data/batches';
import type { ImageSet } from '../data/image-set';
import { predictSource } from '../eval/predict-set';
import { fitTemperature, type TemperatureFit } from '../eval/temperature';
import { imageSource, type BatchSource } from '../train/batch-source';

/**
 * Fits the temperature of `model` on `validation` (an ImageSet or a batch source, e.g. a transfer head's features).
 * @throws on an empty set (temperature scaling needs validation images: train with a validation split)
 */
export async function fitTemperatureOnSet(
  model: tf.LayersModel,
  validation: ImageSet | BatchSource,
  options: { range?: PixelRange; batchSize?: number } = {},
): Promise<TemperatureFit> {
  const source = 'pixels' in validation ? imageSource(validation, options.range ?? '0,1') : validation;
  if (source.count === 0)
    throw new Error('temperature scaling needs validation images, and the validation set is empty');
  const { logits, numClasses } = await predictSource(model, source, { batchSize: options.batchSize ?? 64 });
  return fitTemperature(logits, source.labels.subarray(0, source.count), numClasses);
}
