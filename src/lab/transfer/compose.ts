/**
 * Joins a loaded backbone and a trained head into one image → logits model: what the page classifies with, the CLI
 * saves and the timing measures. The head's layers are applied to the backbone's output (no nested model), so the
 * saved topology is flat and reloads with plain `tf.loadLayersModel`.
 */
import * as tf from '@tensorflow/tfjs';
import { buildTransferHead, type TransferHeadOptions } from '../models/transfer-head';
import { buildLoadedBackbone, type BackboneWeights } from './backbone-weights';
import { backboneSpec } from './backbones';

/**
 * The composed model owns every layer: dispose it once and all weights (backbone and head) are freed. `backbone` and
 * `head` must not be used or disposed afterwards.
 */
export function composeTransferModel(
  backbone: tf.LayersModel,
  head: tf.LayersModel,
  name = 'transfer',
): tf.LayersModel {
  let x = backbone.outputs[0];
  // layers[0] is the head's InputLayer; the others are re-applied in order (the head is a straight chain).
  for (const layer of head.layers.slice(1)) x = layer.apply(x) as tf.SymbolicTensor;
  const model = tf.model({ name, inputs: backbone.inputs, outputs: x });
  // Each head layer is now used by two models; dropping the head container leaves the composed model sole owner.
  head.dispose();
  return model;
}

export interface TransferModelOptions extends Omit<TransferHeadOptions, 'features'> {
  size: number;
  channels?: 1 | 3;
}

/** A loaded backbone with a fresh (untrained) head: what the registry's `build()` returns for transfer models. */
export function buildTransferModel(weights: BackboneWeights, options: TransferModelOptions): tf.LayersModel {
  const spec = backboneSpec(weights.backboneId);
  const backbone = buildLoadedBackbone(weights, options.size, options.channels ?? 3);
  const head = buildTransferHead({ ...options, features: spec.features(weights.variant) });
  return composeTransferModel(backbone, head, weights.backboneId.replace(/-/g, '_'));
}
