/**
 * The two timings of the transfer bench, identical in Node and in the bench page's worker: a frozen backbone's
 * forward pass on one batch (predict and read back the pooled features, as feature extraction does), and the head's
 * epochs on cached features. Nothing here touches Node or the DOM.
 */
import * as tf from '@tensorflow/tfjs';
import { wasmThreadsInUse } from '../../src/lab/backend/fast-training/wasm-threads';
import { median } from '../../src/lab/eval/median';
import { buildTransferHead } from '../../src/lab/models/transfer-head';
import type { FeatureSet } from '../../src/lab/train/feature-set';
import { trainOnFeatures } from '../../src/lab/train/feature-trainer';
import { buildLoadedBackbone, type BackboneWeights } from '../../src/lab/transfer/backbone-weights';
import { backboneSpec, type BackboneId } from '../../src/lab/transfer/backbones';
import { createRng } from '../../src/lab/util/rng';

export interface BackboneRequest {
  backbone: BackboneId;
  size: number;
  batch: number;
  batches: number;
}

export interface BackboneMeasurement {
  backbone: BackboneId;
  size: number;
  batch: number;
  backend: string;
  /** XNNPACK's threads (wasm), what PyTorch is given too. */
  threads: number;
  /** Where the weights came from: the file's origin, or seeded placeholders (speed does not depend on values). */
  weights: string;
  params: number;
  features: number;
  /** Median over the timed batches, and every batch's images/s. */
  imagesPerSec: number;
  runs: number[];
}

/** MobileNetV2 with random weights is timed at α 0.35, the width the shared ImageNet export has. */
const RANDOM_VARIANT = { alpha: 0.35 };

/** Times `batches` forward passes of the frozen backbone after one untimed pass (kernel set-up, heap growth). */
export async function measureBackbone(
  request: BackboneRequest,
  weights: BackboneWeights | null,
): Promise<BackboneMeasurement> {
  const { backbone: id, size, batch, batches } = request;
  const spec = backboneSpec(id);
  const model = weights
    ? buildLoadedBackbone(weights, size, 3)
    : spec.build({ size, variant: RANDOM_VARIANT, seed: 1 });
  model.trainable = false;
  const input = tf.randomUniform([batch, size, size, 3], -1, 1, 'float32', 1);
  const once = async (): Promise<number> => {
    const started = performance.now();
    const out = model.predict(input) as tf.Tensor;
    await out.data();
    out.dispose();
    return (batch * 1000) / (performance.now() - started);
  };
  try {
    await once();
    const runs: number[] = [];
    for (let b = 0; b < batches; b++) runs.push(await once());
    return {
      backbone: id,
      size,
      batch,
      backend: tf.getBackend(),
      threads: tf.getBackend() === 'wasm' ? wasmThreadsInUse() : 1,
      weights: weights ? weights.origin : 'random (seeded)',
      params: model.countParams(),
      features: model.outputs[0].shape[1] as number,
      imagesPerSec: median(runs),
      runs,
    };
  } finally {
    input.dispose();
    model.dispose();
  }
}

export interface HeadRequest {
  /** Cached feature vectors (one per training image) and their length. */
  images: number;
  features: number;
  epochs: number;
  batch: number;
}

/** Milliseconds for the head's epochs on `images` cached vectors (seeded noise: the cost does not depend on values). */
export async function measureHeadEpochs(request: HeadRequest): Promise<number> {
  const rng = createRng(7);
  const set: FeatureSet = {
    features: Float32Array.from({ length: request.images * request.features }, () => rng.next()),
    dim: request.features,
    labels: Int32Array.from({ length: request.images }, (_, i) => i % 2),
    classNames: ['NORMAL', 'PNEUMONIA'],
    count: request.images,
  };
  const head = buildTransferHead({ features: request.features, seed: 1 });
  try {
    const started = performance.now();
    await trainOnFeatures(head, set, null, { epochs: request.epochs, batchSize: request.batch, seed: 1 });
    return performance.now() - started;
  } finally {
    head.dispose();
  }
}
