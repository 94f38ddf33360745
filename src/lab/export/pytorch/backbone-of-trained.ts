/**
 * A transfer run's backbone weights, read back from the model the run saved. A frozen backbone is saved unchanged, so
 * the very ImageNet weights the user loaded are in every trained model; they count as those weights only when their
 * content id equals the one the run recorded (a fine-tuned backbone's differ, and are not ImageNet's any more).
 */
import type * as tf from '@tensorflow/tfjs';
import { prepareBackboneWeights, type BackboneWeights } from '../../transfer/backbone-weights';
import type { BackboneId } from '../../transfer/backbones';
import { WeightsMismatchError } from '../../transfer/match-weights';
import {
  inferLayerKind,
  KERAS_PREPROCESSING,
  TF_HUB_PREPROCESSING,
  type Preprocessing,
  type SourceLayer,
} from '../../transfer/source-weights';
import type { UsedBackbone } from './project-spec';
import { readLayerArrays } from './torch-state';

/** The recorded pixel range as the preprocessing that gives it. */
function preprocessingOf(range: string): Preprocessing {
  if (range === KERAS_PREPROCESSING.range) return KERAS_PREPROCESSING;
  if (range === TF_HUB_PREPROCESSING.range) return TF_HUB_PREPROCESSING;
  return { range: range as Preprocessing['range'], convention: 'custom' };
}

/**
 * The backbone weights `used` describes, taken from a trained transfer model of `id`; null when the model's backbone
 * layers are not those weights (fine-tuned, or another network). Reads the weights; creates no lasting tensors.
 */
export async function backboneOfTrained(
  id: BackboneId,
  model: tf.LayersModel,
  used: UsedBackbone,
): Promise<BackboneWeights | null> {
  const layers: SourceLayer[] = [];
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const arrays = await readLayerArrays(layer);
    const weights = [...arrays].map(([name, a]) => ({ name, shape: a.shape, values: a.values }));
    layers.push({ name: layer.name, kind: inferLayerKind(weights), weights });
  }
  let weights: BackboneWeights;
  try {
    // The head's layers are left over: matching by name takes the backbone's only.
    const source = { format: 'tfjs-layers' as const, origin: used.origin, layers };
    weights = prepareBackboneWeights(id, source, preprocessingOf(used.pixelRange));
  } catch (err) {
    if (err instanceof WeightsMismatchError) return null;
    throw err;
  }
  return weights.weightsId === used.weightsId ? weights : null;
}
