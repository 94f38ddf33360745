import * as tf from '@tensorflow/tfjs';
import { batchNorm, classifierHead, resolveBuildOptions, SeedSource, type BuildOptions } from './build-options';
import { InputSizeError, smallestInputSize } from './input-size';
import { LightConv2D } from './layers/light-conv2d';

export const LIGHT_FILTERS = [8, 16, 32] as const;
/** Same padding keeps the side; three 2×2 pools need 8 pixels to leave one. */
export const LIGHT_MIN_SIZE = smallestInputSize(LIGHT_FILTERS.length, 0);

/**
 * The study's LightLayers residual network for rank k: three blocks (8, 16, 32 filters) of
 * LightConv2D 3×3 → BN → ReLU → LightConv2D 3×3 → BN, plus a shortcut LightConv2D 1×1 → BN, added, ReLU, MaxPool 2×2;
 * then GlobalAveragePooling → Dense. At 299×299×3: 2,753 parameters for k = 1, +1,847 per extra rank.
 */
export function buildLightLayersNet(rank: number, options: BuildOptions = {}): tf.LayersModel {
  const o = resolveBuildOptions(options);
  const id = `light-k${rank}`;
  if (!Number.isInteger(rank) || rank < 1) throw new Error(`${id}: the rank k must be an integer ≥ 1`);
  if (o.size < LIGHT_MIN_SIZE) {
    throw new InputSizeError(id, o.size, LIGHT_MIN_SIZE, 'three 2×2 pools need at least 8 pixels to leave one');
  }
  const seeds = new SeedSource(o.seed);
  const light = (name: string, filters: number, kernelSize: number) =>
    new LightConv2D({ name, filters, kernelSize, rank, padding: 'same', seed: seeds.next() });
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor) => layer.apply(x) as tf.SymbolicTensor;

  const input = tf.input({ shape: [o.size, o.size, o.channels], name: 'image' });
  let x: tf.SymbolicTensor = input;
  LIGHT_FILTERS.forEach((filters, b) => {
    const p = `block${b + 1}`;
    let main = apply(light(`${p}_light1`, filters, 3), x);
    main = apply(batchNorm(`${p}_bn1`, o.batchNormMomentum), main);
    main = apply(tf.layers.reLU({ name: `${p}_relu1` }), main);
    main = apply(light(`${p}_light2`, filters, 3), main);
    main = apply(batchNorm(`${p}_bn2`, o.batchNormMomentum), main);
    let shortcut = apply(light(`${p}_shortcut`, filters, 1), x);
    shortcut = apply(batchNorm(`${p}_shortcut_bn`, o.batchNormMomentum), shortcut);
    x = tf.layers.add({ name: `${p}_add` }).apply([main, shortcut]) as tf.SymbolicTensor;
    x = apply(tf.layers.reLU({ name: `${p}_relu2` }), x);
    x = apply(tf.layers.maxPooling2d({ name: `${p}_pool`, poolSize: 2 }), x);
  });
  return tf.model({ name: id, inputs: input, outputs: classifierHead(x, o.numClasses, seeds) });
}
