/** All downloads of one model at once: the lab's format (logits), stock TF.js (probabilities) and the Keras .h5. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelDownloads } from '../../src/lab/export/model-downloads';
import { modelFromFiles } from '../../src/lab/models/model-files';
import { looksLikeHdf5 } from '../../src/lab/transfer/read-h5';
import { findModel } from '../../src/lab/registry';
import { perturbWeights } from '../helpers/export-models';
import { maxAbsDiff, useCpuBackend } from '../helpers/tf-cpu';

beforeAll(useCpuBackend);

describe('modelDownloads', () => {
  it('gives the lab format, the stock TF.js export and the Keras .h5, each saying what it outputs', async () => {
    const model = findModel('light-k3').build({ size: 16, channels: 1, seed: 2 });
    perturbWeights(model, 4);
    const meta = { modelId: 'light-k3', classNames: ['NORMAL', 'PNEUMONIA'], inputSize: 16, channels: 1 as const, pixelRange: '0,1' as const };
    const before = tf.memory().numTensors;
    const files = await modelDownloads(model, meta);
    expect(tf.memory().numTensors).toBe(before);
    expect([...files.keys()].sort()).toEqual(['model.h5', 'model.json', 'model.onnx', 'stock/model.json', 'stock/weights.bin', 'weights.bin']);
    expect(looksLikeHdf5(files.get('model.h5') as Uint8Array)).toBe(true);
    expect(JSON.parse(files.get('model.json') as string).userDefinedMetadata).toMatchObject({ ...meta, format: 'lab', output: 'logits' });
    expect(JSON.parse(files.get('stock/model.json') as string).userDefinedMetadata).toMatchObject({ ...meta, format: 'stock', output: 'probabilities' });

    const lab = await modelFromFiles(files.get('model.json') as string, files.get('weights.bin') as Uint8Array);
    const stock = await modelFromFiles(files.get('stock/model.json') as string, files.get('stock/weights.bin') as Uint8Array);
    const x = tf.randomUniform([2, 16, 16, 1], 0, 1, 'float32', 5);
    const logits = lab.predict(x) as tf.Tensor;
    expect(maxAbsDiff(logits, model.predict(x) as tf.Tensor)).toBe(0);
    const softmax = tf.softmax(logits);
    expect(maxAbsDiff(stock.predict(x) as tf.Tensor, softmax)).toBeLessThan(1e-6);
    tf.dispose([x, logits, softmax]);
    [model, lab, stock].forEach((m) => m.dispose());

    const rgb = findModel('light-k1').build({ size: 16 });
    const withoutH5 = await modelDownloads(rgb, { ...meta, modelId: 'light-k1', channels: 3 }, { h5: false });
    expect(withoutH5.has('model.h5')).toBe(false);
    rgb.dispose();
  });
});
