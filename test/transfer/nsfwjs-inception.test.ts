/**
 * Real weights through our InceptionV3: nsfwjs (a devDependency) ships a Keras 2.2.4 InceptionV3 with trained weights.
 * Loaded into our backbone by layer name, our activations at mixed5 and mixed10 must match nsfwjs's own graph (as
 * tfjs loads it) on the same inputs.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePhantomImages } from '../../src/lab/data/phantom';
import { selectBackend } from '../../src/lab/backend/select-backend';
import {
  buildLoadedBackbone,
  prepareBackboneWeights,
  type BackboneWeights,
} from '../../src/lab/transfer/backbone-weights';
import { readLayersModelWeights } from '../../src/lab/transfer/read-tfjs-layers';
import { keras24Name } from '../helpers/keras-h5';
import { nsfwjsInception, truncatedTopology } from '../helpers/nsfwjs-inception';
import { maxAbsDiff } from '../helpers/tf-cpu';

const nsfw = nsfwjsInception();
const SIZE = 139; // 3×3 at mixed10; 299 works the same, about 5× slower

describe.skipIf(!nsfw)("nsfwjs's InceptionV3 weights in our InceptionV3", () => {
  let weights: BackboneWeights;
  let theirs: tf.LayersModel;
  let ours: tf.LayersModel;
  let images: tf.Tensor4D;

  beforeAll(async () => {
    await selectBackend('wasm');
    const { json, shards } = nsfw!;
    weights = prepareBackboneWeights('inception-v3', readLayersModelWeights(json, shards, 'nsfwjs/inception_v3'));
    const full = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: truncatedTopology(json, 'mixed10', SIZE) as tf.io.ModelJSON['modelTopology'],
        weightSpecs: json.weightsManifest!.flatMap((g) => g.weights),
        weightData: shards,
      }),
      { strict: false },
    ); // its dense head's weights have no layer in the cut graph
    theirs = tf.model({
      inputs: full.inputs,
      outputs: [full.getLayer('mixed5').output as tf.SymbolicTensor, full.outputs[0]],
    });
    const backbone = buildLoadedBackbone(weights, SIZE);
    ours = tf.model({
      inputs: backbone.inputs,
      outputs: [
        backbone.getLayer('mixed5').output as tf.SymbolicTensor,
        backbone.getLayer('mixed10').output as tf.SymbolicTensor,
        backbone.outputs[0],
      ],
    });
    // Two phantom chest X-rays (grey repeated into RGB), scaled to Keras' [-1, 1].
    const set = generatePhantomImages({ perClass: 1, size: SIZE, channels: 3, seed: 4 });
    images = tf.tidy(() => tf.sub(tf.mul(tf.tensor4d(set.pixels, [2, SIZE, SIZE, 3], 'float32'), 2 / 255), 1));
  });
  afterAll(() => {
    tf.dispose([images]);
    theirs?.dispose();
    ours?.dispose();
  });

  it('loads every layer by name: 21,802,784 parameters, its three dense layers unused', () => {
    expect(weights.matchedBy).toBe('name');
    expect(weights.params).toBe(21_802_784);
    expect(weights.layers).toHaveLength(188);
  });

  it("matches nsfwjs's own model at mixed5 and mixed10 within 1e-3", () => {
    const [t5, t10] = theirs.predict(images) as tf.Tensor[];
    const [o5, o10, pooled] = ours.predict(images) as tf.Tensor[];
    expect(o5.shape).toEqual([2, 7, 7, 768]);
    expect(o10.shape).toEqual([2, 3, 3, 2048]);
    const d5 = maxAbsDiff(o5, t5);
    const d10 = maxAbsDiff(o10, t10);
    const scale = tf.tidy(() => tf.max(tf.abs(t10)).dataSync()[0]);
    console.info(
      `nsfwjs InceptionV3 vs ours at ${SIZE} px on ${tf.getBackend()}: max |Δ| mixed5 ${d5}, mixed10 ${d10} (mixed10 max |x| ${scale})`,
    );
    expect(scale).toBeGreaterThan(0.1); // real activations, not a degenerate all-zero comparison
    expect(d5).toBeLessThan(1e-3);
    expect(d10).toBeLessThan(1e-3);
    // Our pooled 2,048-vector is the spatial mean of mixed10.
    expect(tf.tidy(() => maxAbsDiff(pooled, tf.mean(t10, [1, 2])))).toBeLessThan(1e-3);
    tf.dispose([t5, t10, o5, o10, pooled]);
  });

  it('falls back to order for Keras ≥ 2.4 names (conv2d, conv2d_1, …) and loads the very same weights', () => {
    const source = readLayersModelWeights(nsfw!.json, nsfw!.shards, 'renamed');
    const renamed = { ...source, layers: source.layers.map((l) => ({ ...l, name: keras24Name(l.name) })) };
    expect(renamed.layers.some((l) => l.name === 'conv2d')).toBe(true);
    const byOrder = prepareBackboneWeights('inception-v3', renamed);
    expect(byOrder.matchedBy).toBe('order');
    expect(byOrder.weightsId).toBe(weights.weightsId);
  });
});
if (!nsfw) console.warn('skipping the nsfwjs InceptionV3 comparison: node_modules/nsfwjs is not installed');
