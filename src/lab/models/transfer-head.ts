import * as tf from '@tensorflow/tfjs';
import { SeedSource } from './build-options';
import { LightDense } from './layers/light-dense';

export interface TransferHeadOptions {
  /** Length of the backbone's pooled feature vector (InceptionV3: 2,048). */
  features: number;
  numClasses?: number;
  seed?: number;
  /** Dropout rate before the head (0 = none, the study). */
  dropout?: number;
  /** Use a LightDense of this rank instead of a plain Dense (ours, not the study's). */
  lightRank?: number;
}

/**
 * The study's transfer-learning head: Dense(numClasses) on a frozen backbone's feature vector. Trained on cached
 * features, so the backbone runs once per image instead of once per image per epoch. Outputs logits.
 */
export function buildTransferHead(options: TransferHeadOptions): tf.LayersModel {
  const numClasses = options.numClasses ?? 2;
  const seeds = new SeedSource(options.seed ?? 1);
  const input = tf.input({ shape: [options.features], name: 'features' });
  let x: tf.SymbolicTensor = input;
  if (options.dropout && options.dropout > 0) {
    x = tf.layers
      .dropout({ name: 'head_dropout', rate: options.dropout, seed: seeds.next() })
      .apply(x) as tf.SymbolicTensor;
  }
  const head = options.lightRank
    ? new LightDense({ name: 'logits', units: numClasses, rank: options.lightRank, seed: seeds.next() })
    : tf.layers.dense({ name: 'logits', units: numClasses, kernelInitializer: seeds.glorotUniform() });
  return tf.model({ name: 'transfer-head', inputs: input, outputs: head.apply(x) as tf.SymbolicTensor });
}
