/**
 * Every registry model, small and with weights that a lost or misplaced weight would show, for the export tests
 * (stock TF.js, Keras .h5, PyTorch). Transfer models use real ImageNet weights when they are here — nsfwjs's
 * InceptionV3 (a devDependency) and ../shared's MobileNetV2 α 0.35 — and are left out, with a message, otherwise.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ExportMetadata } from '../../src/lab/export/export-metadata';
import { findModel } from '../../src/lab/registry';
import { prepareBackboneWeights, type BackboneWeights } from '../../src/lab/transfer/backbone-weights';
import { buildTransferModel } from '../../src/lab/transfer/compose';
import { loadWeightsFromFiles } from '../../src/lab/transfer/load-weights';
import { readWeightsPath } from '../../src/lab/transfer/node/read-weights-path';
import { readLayersModelWeights } from '../../src/lab/transfer/read-tfjs-layers';
import { nsfwjsInception } from './nsfwjs-inception';

export interface ExportCase {
  /** Unique per case (a registry id, with a suffix when one id appears twice). */
  readonly name: string;
  readonly model: tf.LayersModel;
  readonly meta: ExportMetadata;
  /** Transfer models only: their head options, for exporters that rebuild the network. */
  readonly head?: { dropout: number; lightRank: number | null };
  readonly backbone?: BackboneWeights;
}

export const CLASS_NAMES = ['NORMAL', 'PNEUMONIA'];

export const MOBILENET_DIR = resolve(process.cwd(), '../shared/models/mobilenet-v2-0.35-imagenet');

/**
 * Moves every weight off its initial value — zero biases and BatchNorm's 0/1 statistics included — so a dropped or
 * misplaced weight changes the outputs, while activations keep a trained network's scale (no exploding logits).
 */
export function perturbWeights(model: tf.LayersModel, seed: number): void {
  const noisy = model.weights.map((w, i) =>
    tf.tidy(() => {
      const value = w.read();
      return w.originalName.endsWith('moving_variance')
        ? tf.mul(value, tf.randomUniform(value.shape, 0.5, 2, 'float32', seed + i))
        : tf.add(value, tf.randomUniform(value.shape, -0.05, 0.05, 'float32', seed + i));
    }),
  );
  model.setWeights(noisy);
  tf.dispose(noisy);
}

/** cnn, light-k1..k5 and light-k7 (any rank works), at small sizes, grey and RGB. */
export function scratchCases(): ExportCase[] {
  const specs: Array<[string, number, 1 | 3]> = [
    ['cnn', 50, 3],
    ['light-k1', 16, 1],
    ['light-k2', 16, 3],
    ['light-k3', 16, 1],
    ['light-k4', 16, 1],
    ['light-k5', 24, 3],
    ['light-k7', 16, 1],
  ];
  return specs.map(([id, size, channels], i) => {
    const entry = findModel(id);
    const model = entry.build({ size, channels, seed: 11 + i });
    perturbWeights(model, 100 * (i + 1));
    scaleLogits(model, 20);
    return {
      name: id,
      model,
      meta: { modelId: id, classNames: CLASS_NAMES, inputSize: size, channels, pixelRange: entry.pixelRange },
    };
  });
}

/** Multiplies the head's first factor: an untrained network's logits are ≈0.1, a trained one's several units. */
function scaleLogits(model: tf.LayersModel, factor: number): void {
  const layer = model.getLayer('logits');
  const [kernel, ...rest] = layer.getWeights();
  const scaled = tf.mul(kernel, factor);
  layer.setWeights([scaled, ...rest]);
  scaled.dispose();
}

let inceptionWeights: BackboneWeights | null | undefined;
let mobileNetWeights: BackboneWeights | null | undefined;

/** nsfwjs's InceptionV3 weights (read once per process), or null when the package is absent. */
export function inceptionBackbone(): BackboneWeights | null {
  if (inceptionWeights === undefined) {
    const nsfw = nsfwjsInception();
    inceptionWeights = nsfw
      ? prepareBackboneWeights('inception-v3', readLayersModelWeights(nsfw.json, nsfw.shards, 'nsfwjs/inception_v3'))
      : null;
  }
  return inceptionWeights;
}

/** ../shared's MobileNetV2 α 0.35 (read once per process), or null when it is absent. */
export async function mobileNetBackbone(): Promise<BackboneWeights | null> {
  if (mobileNetWeights === undefined) {
    mobileNetWeights = existsSync(join(MOBILENET_DIR, 'model.json'))
      ? await loadWeightsFromFiles('mobilenet-v2', await readWeightsPath(MOBILENET_DIR))
      : null;
  }
  return mobileNetWeights;
}

/**
 * The two transfer models as the registry builds them (backbone + head in one flat model): InceptionV3 at its
 * smallest input with grey images and a Dense head, MobileNetV2 with RGB and a LightDense head after dropout.
 * @param log told which backbones are missing
 */
export async function transferCases(log: (line: string) => void = console.warn): Promise<ExportCase[]> {
  const cases: ExportCase[] = [];
  const inception = inceptionBackbone();
  if (inception) {
    const head = { dropout: 0, lightRank: null };
    const model = buildTransferModel(inception, { size: 75, channels: 1, numClasses: 2, seed: 3 });
    perturbHead(model, 7);
    cases.push({
      name: 'inception-v3',
      model,
      head,
      backbone: inception,
      meta: {
        modelId: 'inception-v3',
        classNames: CLASS_NAMES,
        inputSize: 75,
        channels: 1,
        pixelRange: inception.preprocessing.range,
      },
    });
  } else {
    log('inception-v3 left out: node_modules/nsfwjs (its InceptionV3 weights) is not installed');
  }
  const mobile = await mobileNetBackbone();
  if (mobile) {
    const head = { dropout: 0.25, lightRank: 4 };
    const model = buildTransferModel(mobile, {
      size: 48,
      channels: 3,
      numClasses: 2,
      seed: 4,
      dropout: head.dropout,
      lightRank: head.lightRank,
    });
    perturbHead(model, 8);
    cases.push({
      name: 'mobilenet-v2',
      model,
      head,
      backbone: mobile,
      meta: {
        modelId: 'mobilenet-v2',
        classNames: CLASS_NAMES,
        inputSize: 48,
        channels: 3,
        pixelRange: mobile.preprocessing.range,
      },
    });
  } else {
    log(`mobilenet-v2 left out: ${MOBILENET_DIR} is absent`);
  }
  return cases;
}

/** Gives the head's zero biases a value, so a lost bias shows. */
function perturbHead(model: tf.LayersModel, seed: number): void {
  const head = model.getLayer('logits');
  const noisy = head
    .getWeights()
    .map((w, i) => tf.tidy(() => tf.add(w, tf.randomUniform(w.shape, -0.05, 0.05, 'float32', seed + i))));
  head.setWeights(noisy);
  tf.dispose(noisy);
  // A Dense head on fresh Glorot weights gives logits ≈0.1; LightDense's scaled factors already give several units.
  if (head.getClassName() === 'Dense') scaleLogits(model, 20);
}

/** Seeded inputs in the model's pixel range. */
export function sampleInputs(meta: ExportMetadata, count: number, seed: number): tf.Tensor4D {
  const [low, high] = meta.pixelRange === '0,1' ? [0, 1] : [-1, 1];
  return tf.randomUniform(
    [count, meta.inputSize, meta.inputSize, meta.channels],
    low,
    high,
    'float32',
    seed,
  ) as tf.Tensor4D;
}
