import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelFromFiles, modelToFiles } from '../../src/lab/models/model-files';
import { findModel, MODEL_REGISTRY } from '../../src/lab/registry';
import { buildTransferHead } from '../../src/lab/models/transfer-head';
import { maxAbsDiff, useCpuBackend } from '../helpers/tf-cpu';

beforeAll(useCpuBackend);

const trainable = MODEL_REGISTRY.filter((e) => e.backbone === null);

describe('model files (model.json + weights.bin)', () => {
  for (const entry of trainable) {
    it(`${entry.id}: save → load gives identical predictions`, async () => {
      const model = entry.build({ size: 56, channels: 1, seed: 5 });
      // Move BatchNorm statistics and weights off their initial values so a lost weight would show.
      const noisy = model.getWeights().map((w, i) => tf.add(w, tf.randomUniform(w.shape, 0.01, 0.2, 'float32', i)));
      model.setWeights(noisy);
      const files = await modelToFiles(model);
      expect(JSON.parse(files.modelJson).weightsManifest[0].paths).toEqual(['weights.bin']);
      expect(files.weights.byteLength).toBe(model.countParams() * 4);
      const copy = await modelFromFiles(files.modelJson, files.weights);
      const x = tf.randomUniform([3, 56, 56, 1], 0, 1, 'float32', 9);
      expect(maxAbsDiff(model.predict(x) as tf.Tensor, copy.predict(x) as tf.Tensor)).toBe(0);
      tf.dispose([...noisy, x]);
      model.dispose();
      copy.dispose();
    });
  }

  it('saves and reloads a LightDense transfer head', async () => {
    const head = buildTransferHead({ features: 16, lightRank: 3, seed: 2 });
    const copy = await modelFromFiles((await modelToFiles(head)).modelJson, (await modelToFiles(head)).weights);
    const x = tf.randomNormal([4, 16], 0, 1, 'float32', 1);
    expect(maxAbsDiff(head.predict(x) as tf.Tensor, copy.predict(x) as tf.Tensor)).toBe(0);
  });

  it('says what is wrong with a bad model.json', async () => {
    await expect(modelFromFiles('{nope', new Uint8Array())).rejects.toThrow(/model.json is not valid JSON/);
    await expect(modelFromFiles('{}', new Uint8Array())).rejects.toThrow(/not a TF.js layers model/);
  });

  it('does not leak tensors across a save/load', async () => {
    const model = findModel('light-k1').build({ size: 16 });
    const before = tf.memory().numTensors;
    const copy = await modelFromFiles((await modelToFiles(model)).modelJson, (await modelToFiles(model)).weights);
    copy.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
