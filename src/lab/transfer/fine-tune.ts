/**
 * Optional fine-tuning of InceptionV3's top blocks (mixed9, mixed10) with the head, on cached mixed8 activations:
 * the backbone below mixed8 still runs once per image, and only the two top blocks and the head run per epoch.
 * BatchNormalization stays in inference mode with frozen statistics (Keras' advice for fine-tuning, and the way
 * round tfjs' scale=false training crash), so only the convolution kernels of mixed9/mixed10 and the head train.
 */
import * as tf from '@tensorflow/tfjs';
import type { FeatureSet } from '../train/feature-set';
import type { BackboneId } from './backbones';
import { freezeBatchNorm, modelUpTo, topAbove } from './graph-split';

/** Where each backbone is cut for fine-tuning, and what trains above the cut. */
export const FINE_TUNE_CUTS: Partial<Record<BackboneId, { readonly cut: string; readonly blocks: string }>> = {
  'inception-v3': { cut: 'mixed8', blocks: 'mixed9 and mixed10' },
};

/** Learning rate of the fine-tuning stage relative to the head's: pretrained kernels need small steps. */
export const FINE_TUNE_LR_FACTOR = 0.1;

/** True for backbones whose top blocks can be fine-tuned (the setting is ignored for the others). */
export function supportsFineTuning(backboneId: BackboneId): boolean {
  return FINE_TUNE_CUTS[backboneId] != null;
}

export function fineTuneCut(backboneId: BackboneId): { cut: string; blocks: string } {
  const cut = FINE_TUNE_CUTS[backboneId];
  if (!cut)
    throw new RangeError(
      `fine-tuning is offered for ${Object.keys(FINE_TUNE_CUTS).join(', ')} only, not ${backboneId}`,
    );
  return cut;
}

/** The models fine-tuning works with; all share their layers with the backbone and the head. */
export interface FineTuneModels {
  /** Image → activations at the cut: run once per image, cached. */
  lower: tf.LayersModel;
  /** Activations at the cut → pooled features (inference only, for the head's first stage). */
  pooled: tf.LayersModel;
  /** Activations at the cut → logits: the top blocks and the head, trained together in the second stage. */
  tune: tf.LayersModel;
  /** Releases the extra uses of the shared layers; the backbone + head model composed afterwards owns them. */
  release(): void;
}

/**
 * Splits `backbone` at its fine-tuning cut and puts `head` on the top part. Top convolutions become trainable,
 * top BatchNorms frozen in inference mode; everything below the cut stays frozen.
 */
export function buildFineTuneModels(
  backboneId: BackboneId,
  backbone: tf.LayersModel,
  head: tf.LayersModel,
): FineTuneModels {
  const { cut } = fineTuneCut(backboneId);
  const lower = modelUpTo(backbone, cut);
  const top = topAbove(backbone, cut);
  freezeBatchNorm(top.layers);
  for (const layer of top.layers) if (layer.getClassName() === 'Conv2D') layer.trainable = true;
  let x = top.output;
  for (const layer of head.layers.slice(1)) x = layer.apply(x) as tf.SymbolicTensor;
  const tune = tf.model({ name: 'fine_tune', inputs: top.input, outputs: x });
  // Containers over existing nodes add no uses: `lower` and `pooled` need (and must get) no dispose of their own.
  const pooled = tf.model({ name: 'top_pooled', inputs: top.input, outputs: top.output });
  return { lower, pooled, tune, release: () => tune.dispose() };
}

/** Pooled features from cached activations, batch by batch (the top blocks in inference mode). */
export async function pooledFromMaps(pooled: tf.LayersModel, maps: FeatureSet, batchSize = 32): Promise<FeatureSet> {
  const dim = pooled.outputs[0].shape[1] as number;
  const features = new Float32Array(maps.count * dim);
  const shape = maps.shape ?? [maps.dim];
  for (let start = 0; start < maps.count; start += batchSize) {
    const n = Math.min(batchSize, maps.count - start);
    const input = tf.tensor(maps.features.subarray(start * maps.dim, (start + n) * maps.dim), [n, ...shape]);
    const out = pooled.predict(input) as tf.Tensor;
    features.set((await out.data()) as Float32Array, start * dim);
    tf.dispose([input, out]);
  }
  return { features, dim, labels: maps.labels, classNames: maps.classNames, count: maps.count };
}
