import type * as tf from '@tensorflow/tfjs';
import { inferLayerKind, type SourceWeights } from '../../src/lab/transfer/source-weights';

/** A model's own weights as a weights file would give them (by layer, Keras short names), without writing a file. */
export function sourceFromModel(model: tf.LayersModel, origin = 'in-memory'): SourceWeights {
  const layers = model.layers
    .filter((l) => l.weights.length > 0)
    .map((layer) => {
      const weights = layer.weights.map((w) => ({
        name: w.originalName.split('/').pop()!,
        shape: [...w.shape] as number[],
        values: w.read().dataSync() as Float32Array,
      }));
      return { name: layer.name, kind: inferLayerKind(weights), weights };
    });
  return { format: 'tfjs-layers', origin, layers };
}
