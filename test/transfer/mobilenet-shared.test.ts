/**
 * The real ImageNet MobileNetV2 α 0.35 in ../shared (a Teachable Machine export, read in place): it loads into our
 * MobileNetV2 by name, our features equal those of tfjs's own load of that export, they are deterministic, and a head
 * trains on them. Skipped, with a message, where ../shared is absent.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { generatePhantomImages } from '../../src/lab/data/phantom';
import { evaluateSource } from '../../src/lab/eval/evaluate';
import { testRunConfig } from '../helpers/run-config';
import { runModel } from '../../src/lab/experiment/run-model';
import { buildTransferHead } from '../../src/lab/models/transfer-head';
import { featureSource } from '../../src/lab/train/batch-source';
import { trainOnFeatures } from '../../src/lab/train/feature-trainer';
import { buildLoadedBackbone, type BackboneWeights } from '../../src/lab/transfer/backbone-weights';
import { extractFeatures } from '../../src/lab/transfer/extract-features';
import { loadWeightsFromFiles } from '../../src/lab/transfer/load-weights';
import { readWeightsPath } from '../../src/lab/transfer/node/read-weights-path';
import { readWeightsFiles } from '../../src/lab/transfer/load-weights';
import { maxAbsDiff } from '../helpers/tf-cpu';

const SHARED = resolve(process.cwd(), '../shared/models/mobilenet-v2-0.35-imagenet');
const present = existsSync(join(SHARED, 'model.json'));

describe.skipIf(!present)('MobileNetV2 α 0.35 ImageNet weights from ../shared', () => {
  let weights: BackboneWeights;
  let backbone: tf.LayersModel;

  beforeAll(async () => {
    await selectBackend('wasm');
    weights = await loadWeightsFromFiles('mobilenet-v2', await readWeightsPath(SHARED));
    backbone = buildLoadedBackbone(weights, 224);
  });
  afterAll(() => backbone?.dispose());

  it("loads by name as α 0.35 (410,208 parameters), leaving Teachable Machine's head unused", async () => {
    expect(weights).toMatchObject({
      backboneId: 'mobilenet-v2',
      variant: { alpha: 0.35 },
      matchedBy: 'name',
      params: 410_208,
    });
    const source = await readWeightsFiles(await readWeightsPath(SHARED));
    const ours = new Set(weights.layers.map((l) => l.name));
    expect(source.layers.filter((l) => !ours.has(l.name)).map((l) => l.name)).toEqual(['dense_Dense3', 'dense_Dense4']);
  });

  it("gives the pooled features of tfjs's own load of the export (within 1e-4)", async () => {
    const json = JSON.parse(await readFile(join(SHARED, 'model.json'), 'utf8'));
    const bin = await readFile(join(SHARED, 'weights.bin'));
    const exported = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      }),
    );
    // layers[0] is Teachable Machine's feature extractor: MobileNetV2 to out_relu, then global average pooling.
    const extractor = exported.layers[0] as tf.LayersModel;
    const set = generatePhantomImages({ perClass: 2, size: 224, channels: 3, seed: 8 });
    const x = tf.tidy(() => tf.sub(tf.mul(tf.tensor4d(set.pixels, [4, 224, 224, 3], 'float32'), 2 / 255), 1));
    const diff = tf.tidy(() => maxAbsDiff(backbone.predict(x) as tf.Tensor, extractor.predict(x) as tf.Tensor));
    const scale = tf.tidy(() => tf.max(backbone.predict(x) as tf.Tensor).dataSync()[0]);
    console.info(
      `MobileNetV2 α 0.35 (../shared) vs tfjs's load of the export: max |Δ| ${diff} (features up to ${scale})`,
    );
    expect(scale).toBeGreaterThan(0.5);
    expect(diff).toBeLessThan(1e-4);
    x.dispose();
    exported.dispose();
  });

  it('trains its head when the queue asks for fine-tuning (offered for inception-v3 only)', async () => {
    const images = generatePhantomImages({ perClass: 8, size: 64, channels: 1, seed: 5 });
    const settings = testRunConfig({
      size: 64,
      channels: 1 as const,
      epochs: 1,
      batchSize: 8,
      fineTuneEpochs: 2,
      bootstrapIterations: 0,
    });
    const run = await runModel('mobilenet-v2', { train: images, val: null, test: images }, settings, {}, undefined, {
      weights,
    });
    expect(run.record.error).toBeUndefined();
    expect(run.record.status).toBe('ok');
    expect(run.record.trainableParams).toBe(1280 * 2 + 2);
    run.model?.dispose();
  });

  it('extracts the same features twice, and a Dense head trained on them separates phantom X-rays', async () => {
    const grey = (seed: number) => generatePhantomImages({ perClass: 48, size: 128, channels: 1, seed });
    const small = buildLoadedBackbone(weights, 128, 1);
    const trainImages = grey(1);
    const a = await extractFeatures(small, trainImages, { range: weights.preprocessing.range, batchSize: 16 });
    const b = await extractFeatures(small, trainImages, { range: weights.preprocessing.range, batchSize: 16 });
    expect(b.features).toEqual(a.features);
    // Another batch size changes only the summation order inside the backend's kernels.
    const c = await extractFeatures(small, trainImages, { range: weights.preprocessing.range, batchSize: 7 });
    expect(Math.max(...c.features.map((v, i) => Math.abs(v - a.features[i])))).toBeLessThan(1e-4);
    const test = await extractFeatures(small, grey(2), { range: weights.preprocessing.range });
    small.dispose();

    const head = buildTransferHead({ features: 1280, seed: 3 });
    const summary = await trainOnFeatures(head, a, null, { epochs: 30, batchSize: 16, learningRate: 1e-2, seed: 3 });
    expect(summary.history[29].loss).toBeLessThan(summary.history[0].loss * 0.7);
    const result = await evaluateSource(head, featureSource(test), { positiveClass: 1 });
    console.info(
      `head on ImageNet MobileNetV2 features, phantom X-rays: train loss ${summary.history[0].loss.toFixed(3)} → ${summary.history[29].loss.toFixed(3)}, held-out AUC ${result.auc?.toFixed(3)}`,
    );
    expect(result.auc!).toBeGreaterThan(0.75);
    head.dispose();
  });
});
if (!present) console.warn(`skipping the MobileNetV2 ImageNet tests: ${SHARED} is absent`);
