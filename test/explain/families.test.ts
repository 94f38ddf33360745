/**
 * Grad-CAM for every family of the registry, on the wasm backend with the lab's kernels (as the CLI and the worker
 * run it): the layer each explains, image-sized maps, the same maps after a save/reload, transfer models with real
 * weights (nsfwjs's InceptionV3 at a small size; MobileNetV2 α 0.35 from ../shared, skipped when absent), a transfer
 * head explained on its loaded backbone, and tensor memory back at its start.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { generatePhantomImages } from '../../src/lab/data/phantom';
import { explainImages, type ImageExplanation } from '../../src/lab/explain/explain-set';
import { explainableModel } from '../../src/lab/explain/explainable-model';
import { modelFromFiles, modelToFiles } from '../../src/lab/models/model-files';
import { findModel, MODEL_REGISTRY } from '../../src/lab/registry';
import { buildTransferHead } from '../../src/lab/models/transfer-head';
import {
  buildLoadedBackbone,
  prepareBackboneWeights,
  type BackboneWeights,
} from '../../src/lab/transfer/backbone-weights';
import { composeTransferModel } from '../../src/lab/transfer/compose';
import { loadWeightsFromFiles } from '../../src/lab/transfer/load-weights';
import { readWeightsPath } from '../../src/lab/transfer/node/read-weights-path';
import { readLayersModelWeights } from '../../src/lab/transfer/read-tfjs-layers';
import { forgetBackboneWeights, provideBackboneWeights } from '../../src/lab/transfer/transfer-context';
import { nsfwjsInception } from '../helpers/nsfwjs-inception';

beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(() => forgetBackboneWeights());

/** Explains two phantoms of each class with `model` and checks shape, layer and memory. */
async function explainAndCheck(
  model: tf.LayersModel,
  size: number,
  channels: 1 | 3,
  range: '0,1' | '-1,1' = '0,1',
): Promise<ImageExplanation[]> {
  const set = generatePhantomImages({ perClass: 2, size, channels, seed: 9 });
  const start = tf.memory().numTensors;
  const explained = await explainImages(model, set, { range, classes: 'all', batchSize: 3 });
  expect(tf.memory().numTensors).toBe(start);
  expect(explained).toHaveLength(4);
  for (const e of explained) {
    expect(e.maps.map((m) => m.classIndex)).toEqual([0, 1]);
    for (const map of e.maps) {
      expect(map.values).toHaveLength(size * size);
      expect(map.values.every((v) => v >= 0 && v <= 1)).toBe(true);
    }
    // Two classes of a softmax: whatever counts for one counts against the other, so at least one map has heat.
    expect(e.maps.some((m) => m.coarse.max > 0)).toBe(true);
  }
  return explained;
}

const ownFamilies: Array<[string, number, string, number]> = [
  ['cnn', 64, 'block3_conv3', 5],
  ...[1, 2, 3, 4, 5].map((k): [string, number, string, number] => [`light-k${k}`, 32, 'block3_relu2', 8]),
];

describe("Grad-CAM for the lab's own networks", () => {
  it('covers every registry model that needs no pretrained weights', () => {
    expect(MODEL_REGISTRY.filter((e) => e.backbone === null).map((e) => e.id)).toEqual(ownFamilies.map(([id]) => id));
  });

  for (const [id, size, layer, side] of ownFamilies) {
    it(`${id} at ${size} px: explains ${layer} (${side}×${side}), one ${size}×${size} map per image and class`, async () => {
      const model = findModel(id).build({ size, channels: 1, seed: 2 });
      const explained = await explainAndCheck(model, size, 1);
      expect(explained[0].maps[0].coarse).toMatchObject({ height: side, width: side });
      model.dispose();
    });
  }

  it('gives the same maps for a model saved and loaded again (the target is read from the graph, not remembered)', async () => {
    const model = findModel('light-k2').build({ size: 32, channels: 1, seed: 4 });
    const files = await modelToFiles(model, 'weights.bin', { modelId: 'light-k2' });
    const loaded = await modelFromFiles(files.modelJson, files.weights);
    const set = generatePhantomImages({ perClass: 2, size: 32, channels: 1, seed: 3 });
    const [a, b] = [await explainImages(model, set), await explainImages(loaded, set)];
    expect(b.map((e) => e.maps[0].classIndex)).toEqual(a.map((e) => e.maps[0].classIndex));
    a.forEach((e, i) =>
      e.maps[0].values.forEach((v, p) => expect(Math.abs(v - b[i].maps[0].values[p])).toBeLessThan(1e-5)),
    );
    model.dispose();
    loaded.dispose();
  });
});

const nsfw = nsfwjsInception();
describe.skipIf(!nsfw)("Grad-CAM for InceptionV3 transfer (nsfwjs's ImageNet-trained weights)", () => {
  let weights: BackboneWeights;
  beforeAll(() => {
    weights = prepareBackboneWeights(
      'inception-v3',
      readLayersModelWeights(nsfw!.json, nsfw!.shards, 'nsfwjs/inception_v3'),
    );
  });

  it("the registry's model (backbone run per image) explains mixed10: 3×3 at 139 px, maps of 139×139", async () => {
    provideBackboneWeights(weights);
    const model = findModel('inception-v3').build({ size: 139, seed: 1 });
    const explained = await explainAndCheck(model, 139, 3, weights.preprocessing.range);
    expect(explained[0].maps[0].coarse).toMatchObject({ height: 3, width: 3 });
    model.dispose();
  });
});
if (!nsfw) console.warn('skipping Grad-CAM on InceptionV3: node_modules/nsfwjs is not installed');

const SHARED_MOBILENET = resolve(process.cwd(), '../shared/models/mobilenet-v2-0.35-imagenet');
const mobilenetPresent = existsSync(join(SHARED_MOBILENET, 'model.json'));
describe.skipIf(!mobilenetPresent)('Grad-CAM for MobileNetV2 transfer (α 0.35 ImageNet weights from ../shared)', () => {
  let weights: BackboneWeights;
  beforeAll(async () => {
    weights = await loadWeightsFromFiles('mobilenet-v2', await readWeightsPath(SHARED_MOBILENET));
  });

  it('a composed model explains out_relu: 3×3 at 96 px, maps of 96×96', async () => {
    const model = composeTransferModel(
      buildLoadedBackbone(weights, 96, 1),
      buildTransferHead({ features: 1280, seed: 2 }),
    );
    const explained = await explainAndCheck(model, 96, 1, weights.preprocessing.range);
    expect(explained[0].maps[0].coarse).toMatchObject({ height: 3, width: 3 });
    model.dispose();
  });

  it('a head alone is explained on the loaded backbone, as the composed model would be, and stays usable', async () => {
    provideBackboneWeights(weights);
    const head = buildTransferHead({ features: 1280, seed: 5 });
    const start = tf.memory().numTensors;
    const explainable = explainableModel(head, { backboneId: 'mobilenet-v2', size: 96, channels: 1 });
    expect(explainable.range).toBe(weights.preprocessing.range);
    const set = generatePhantomImages({ perClass: 1, size: 96, channels: 1, seed: 6 });
    const viaHead = await explainImages(explainable.model, set, { range: explainable.range! });
    explainable.dispose();
    expect(tf.memory().numTensors).toBe(start);
    const twin = composeTransferModel(
      buildLoadedBackbone(weights, 96, 1),
      buildTransferHead({ features: 1280, seed: 5 }),
    );
    const viaComposed = await explainImages(twin, set, { range: explainable.range! });
    viaHead.forEach((e, i) =>
      e.maps[0].values.forEach((v, p) => expect(Math.abs(v - viaComposed[i].maps[0].values[p])).toBeLessThan(1e-5)),
    );
    twin.dispose();
    const features = tf.ones([1, 1280]);
    const logits = head.predict(features) as tf.Tensor;
    expect(logits.shape).toEqual([1, 2]);
    tf.dispose([features, logits]);
    head.dispose();
  });
});
if (!mobilenetPresent) console.warn(`skipping Grad-CAM on MobileNetV2: ${SHARED_MOBILENET} is absent`);
