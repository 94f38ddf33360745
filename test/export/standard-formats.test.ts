/** The standard formats of one model at once: stock TF.js (probabilities), the Keras .h5 and ONNX, or only some. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { standardFormatFiles } from '../../src/lab/export/standard-formats';
import { standardFormatsExporter } from '../../src/lab/export/standard-exporter';
import { modelFromFiles } from '../../src/lab/models/model-files';
import type { SavedModelMeta } from '../../src/lab/models/saved-model-meta';
import { looksLikeHdf5 } from '../../src/lab/transfer/read-h5';
import { findModel } from '../../src/lab/registry';
import { perturbWeights } from '../helpers/export-models';
import { maxAbsDiff, useCpuBackend } from '../helpers/tf-cpu';

beforeAll(useCpuBackend);

const meta = {
  modelId: 'light-k3',
  classNames: ['NORMAL', 'PNEUMONIA'],
  inputSize: 16,
  channels: 1 as const,
  pixelRange: '0,1' as const,
};

describe('standardFormatFiles', () => {
  it('gives stock TF.js, Keras .h5 and ONNX, the stock model saying it outputs probabilities', async () => {
    const model = findModel('light-k3').build({ size: 16, channels: 1, seed: 2 });
    perturbWeights(model, 4);
    const before = tf.memory().numTensors;
    const files = await standardFormatFiles(model, meta);
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(files)).toEqual(['stock/model.json', 'stock/weights.bin', 'model.h5', 'model.onnx']);
    expect(looksLikeHdf5(files['model.h5'] as Uint8Array)).toBe(true);
    const stockJson = files['stock/model.json'] as string;
    expect(JSON.parse(stockJson).userDefinedMetadata).toMatchObject({
      ...meta,
      format: 'stock',
      output: 'probabilities',
    });

    const stock = await modelFromFiles(stockJson, files['stock/weights.bin'] as Uint8Array);
    const x = tf.randomUniform([2, 16, 16, 1], 0, 1, 'float32', 5);
    const softmax = tf.softmax(model.predict(x) as tf.Tensor);
    expect(maxAbsDiff(stock.predict(x) as tf.Tensor, softmax)).toBeLessThan(1e-6);
    tf.dispose([x, softmax]);
    [model, stock].forEach((m) => m.dispose());
  });

  it('makes only the formats asked for', async () => {
    const rgb = findModel('light-k1').build({ size: 16 });
    const rgbMeta = { ...meta, modelId: 'light-k1', channels: 3 as const };
    expect(Object.keys(await standardFormatFiles(rgb, rgbMeta, ['onnx']))).toEqual(['model.onnx']);
    expect(Object.keys(await standardFormatFiles(rgb, rgbMeta, ['h5', 'stock']))).toEqual([
      'stock/model.json',
      'stock/weights.bin',
      'model.h5',
    ]);
    await expect(standardFormatFiles(rgb, { ...rgbMeta, classNames: ['A'] }, ['onnx'])).rejects.toThrow(/at least two/);
    rgb.dispose();
  });

  it("is the run loop's exporter, which can leave out the Keras .h5", async () => {
    const rgb = findModel('light-k1').build({ size: 16 });
    const saved: SavedModelMeta = {
      ...meta,
      modelId: 'light-k1',
      channels: 3,
      label: 'light-k1',
      seed: 1,
      positiveClass: 1,
      outputs: 'logits',
    };
    expect(Object.keys(await standardFormatsExporter({ h5: false })(rgb, saved))).toEqual([
      'stock/model.json',
      'stock/weights.bin',
      'model.onnx',
    ]);
    rgb.dispose();
  });
});
