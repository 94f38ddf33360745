import * as tf from '@tensorflow/tfjs';
import { batchNorm, classifierHead, resolveBuildOptions, SeedSource, type BuildOptions } from './build-options';
import { InputSizeError, smallestInputSize } from './input-size';
import { TrainingConv2D } from '../backend/fast-training/layers/training-conv2d';

/** Filters of the three blocks, as in the study. */
export const CNN_FILTERS = [8, 16, 32] as const;
/** Three valid 3×3 convolutions per block take 6 pixels, then a 2×2 pool halves: 50×50 is the smallest input. */
export const CNN_MIN_SIZE = smallestInputSize(CNN_FILTERS.length, 6);

/**
 * The study's "from scratch" Conv2D network: three blocks of three [Conv2D 3×3 valid + ReLU → BatchNorm], each block
 * ending in MaxPool 2×2, then GlobalAveragePooling → Dense. 31,074 parameters (30,738 trainable) at 299×299×3.
 */
export function buildConv2DBaseline(options: BuildOptions = {}): tf.LayersModel {
  const o = resolveBuildOptions(options);
  if (o.size < CNN_MIN_SIZE) {
    throw new InputSizeError(
      'cnn',
      o.size,
      CNN_MIN_SIZE,
      'valid padding and three 2×2 pools leave no pixels below that',
    );
  }
  const seeds = new SeedSource(o.seed);
  const input = tf.input({ shape: [o.size, o.size, o.channels], name: 'image' });
  let x: tf.SymbolicTensor = input;
  CNN_FILTERS.forEach((filters, b) => {
    for (let c = 1; c <= 3; c++) {
      const name = `block${b + 1}_conv${c}`;
      x = new TrainingConv2D({
        name,
        filters,
        kernelSize: 3,
        padding: 'valid',
        activation: 'relu',
        kernelInitializer: seeds.glorotUniform(),
      }).apply(x) as tf.SymbolicTensor;
      x = batchNorm(`${name}_bn`, o.batchNormMomentum).apply(x) as tf.SymbolicTensor;
    }
    x = tf.layers.maxPooling2d({ name: `block${b + 1}_pool`, poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  });
  return tf.model({ name: 'cnn', inputs: input, outputs: classifierHead(x, o.numClasses, seeds) });
}
