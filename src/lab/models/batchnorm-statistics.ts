/**
 * BatchNorm's moving statistics as data the lab can re-estimate, save and put back. Two features rest on this: the
 * trainer's recalibration on training batches (train/batchnorm-recalibration.ts) and test-time adaptation on the
 * images being evaluated (shift/adapt-batchnorm.ts). Both replace the moving mean and variance by the plain average
 * of batch statistics, through tfjs's own training-mode update with a momentum chosen per batch.
 */
import * as tf from '@tensorflow/tfjs';

/** A tfjs BatchNormalization layer with the fields tfjs keeps on it (plain fields we may read and set). */
export interface BatchNormLayer extends tf.layers.Layer {
  momentum: number;
}

interface StatVariable {
  read(): tf.Tensor;
  write(value: tf.Tensor): void;
}

/** Every BatchNormalization layer of `model`, nested models included, in layer order. */
export function batchNormLayers(model: tf.LayersModel): BatchNormLayer[] {
  const found: BatchNormLayer[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'BatchNormalization') found.push(layer as BatchNormLayer);
    else if (layer instanceof tf.LayersModel) found.push(...batchNormLayers(layer));
  }
  return found;
}

/**
 * BatchNorm layers tfjs cannot run in training mode: without γ (`scale: false`, every Keras InceptionV3 BatchNorm)
 * its training branch reads the missing γ and throws (tfjs issue 2868). Names of those layers; empty when all can.
 */
export function untrainableBatchNorms(layers: readonly BatchNormLayer[]): string[] {
  return layers.filter((l) => (l.getConfig() as { scale?: boolean }).scale === false).map((l) => l.name);
}

/** Dropout layers (nested ones too): switched off while statistics are gathered. */
function dropoutLayers(model: tf.LayersModel): Array<tf.layers.Layer & { rate: number }> {
  const found: Array<tf.layers.Layer & { rate: number }> = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'Dropout') found.push(layer as tf.layers.Layer & { rate: number });
    else if (layer instanceof tf.LayersModel) found.push(...dropoutLayers(layer));
  }
  return found;
}

/**
 * Running average of BatchNorm statistics over batches fed one at a time. The k-th batch of n images, after `seen`
 * images, gets momentum seen / (seen + n): with equal batches that is b / (b + 1) on batch b, the plain mean of the
 * batch statistics; a short last batch counts by its size. The first batch replaces the old statistics entirely.
 * Forward passes only: no trained weight changes.
 */
export class BatchNormAverager {
  private seen = 0;
  private readonly layers: BatchNormLayer[];

  constructor(
    private readonly model: tf.LayersModel,
    layers = batchNormLayers(model),
  ) {
    this.layers = layers;
  }

  /** BatchNorm layers this averager updates (0: nothing to do). */
  get layerCount(): number {
    return this.layers.length;
  }

  /** Images averaged so far. */
  get images(): number {
    return this.seen;
  }

  /** Folds one batch of model inputs (not owned: the caller disposes it) into every layer's statistics. */
  add(inputs: tf.Tensor | tf.Tensor[]): void {
    const n = (Array.isArray(inputs) ? inputs[0] : inputs).shape[0] ?? 0;
    if (this.layers.length === 0 || n === 0) return;
    const momentum = this.seen / (this.seen + n);
    const saved = this.layers.map((l) => l.momentum);
    // Training mode also switches Dropout on; a BatchNorm behind a Dropout should see what inference feeds it.
    const dropouts = dropoutLayers(this.model);
    const rates = dropouts.map((d) => d.rate);
    try {
      for (const layer of this.layers) layer.momentum = momentum;
      for (const d of dropouts) d.rate = 0;
      tf.tidy(() => {
        this.model.apply(inputs, { training: true });
      });
    } finally {
      this.layers.forEach((l, i) => (l.momentum = saved[i]));
      dropouts.forEach((d, i) => (d.rate = rates[i]));
    }
    this.seen += n;
  }
}

/** Saved moving statistics of a model's BatchNorm layers; `restore` writes them back, `dispose` frees the copies. */
export interface BatchNormSnapshot {
  restore(): void;
  dispose(): void;
}

/** Copies every BatchNorm layer's moving mean and variance (and nothing else: trained weights are never written). */
export function snapshotBatchNorm(layers: readonly BatchNormLayer[]): BatchNormSnapshot {
  const vars = layers.flatMap((l) => {
    const s = l as unknown as { movingMean: StatVariable; movingVariance: StatVariable };
    return [s.movingMean, s.movingVariance];
  });
  const copies = vars.map((v) => tf.clone(v.read()));
  let disposed = false;
  return {
    restore: () => {
      if (disposed) throw new Error('this BatchNorm snapshot was disposed');
      vars.forEach((v, i) => v.write(copies[i]));
    },
    dispose: () => {
      if (!disposed) tf.dispose(copies);
      disposed = true;
    },
  };
}
