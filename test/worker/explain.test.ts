/**
 * The worker's Grad-CAM calls, run in Node (the file keeps clear of the worker's message plumbing): a model loaded
 * as the page loads one, images of a split and dropped files, Cancel, transferable heat maps, and tensor memory.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { createNodeDecoder } from '../../src/lab/data/node/decode';
import { generatePhantomImages } from '../../src/lab/data/phantom';
import { modelToFiles } from '../../src/lab/models/model-files';
import { findModel } from '../../src/lab/registry';
import { loadModel } from '../../src/worker/classify';
import { cancelExplain, explainFiles, explainSetImages, explainTransferables } from '../../src/worker/explain';
import { encodeImage } from '../helpers/write-dataset';

const SIZE = 16;
const set = generatePhantomImages({ perClass: 6, size: SIZE, channels: 1, seed: 4 });

beforeAll(async () => {
  await selectBackend('wasm');
  const model = findModel('light-k1').build({ size: SIZE, channels: 1, seed: 3 });
  const files = await modelToFiles(model, 'weights.bin', { classNames: ['NORMAL', 'PNEUMONIA'], pixelRange: '0,1' });
  model.dispose();
  await loadModel('light', files.modelJson, files.weights.slice().buffer as ArrayBuffer);
});

describe('worker Grad-CAM', () => {
  it('explains the chosen images of a split, every class, with maps ready to transfer, and frees every tensor', async () => {
    const start = tf.memory().numTensors;
    const explained = await explainSetImages('light', set, [7, 0], 'all');
    expect(tf.memory().numTensors).toBe(start);
    expect(explained.map((e) => [e.index, e.file, e.label, e.error])).toEqual([
      [7, set.files[7], 1, null],
      [0, set.files[0], 0, null],
    ]);
    for (const e of explained) {
      expect(e.maps.map((m) => m.classIndex)).toEqual([0, 1]);
      expect(e.probabilities[0] + e.probabilities[1]).toBeCloseTo(1, 5);
    }
    const buffers = explainTransferables(explained);
    expect(buffers).toHaveLength(4);
    expect(buffers.every((b) => b.byteLength === SIZE * SIZE * 4)).toBe(true);
    // Distinct buffers: transferring one map never detaches another.
    expect(new Set(buffers).size).toBe(4);
  });

  it('explains dropped files as the stored images, and reports an unreadable one by itself', async () => {
    const node = createNodeDecoder();
    const images = [
      { path: 'drop/a.png', file: new Blob([encodeImage(set, 8, 'png').slice().buffer as ArrayBuffer]) },
      { path: 'drop/notes.png', file: new Blob(['not an image']) },
    ];
    const [a, broken] = await explainFiles('light', images, 1, {}, (bytes, path, format) =>
      node.decode(bytes, path, format),
    );
    expect(broken).toMatchObject({
      index: 1,
      file: 'drop/notes.png',
      maps: [],
      error: expect.stringMatching(/not a JPEG or PNG image/),
    });
    const [stored] = await explainSetImages('light', set, [8], 1);
    expect(a).toMatchObject({ index: 0, file: 'drop/a.png', label: -1, error: null, predicted: stored.predicted });
    a.maps[0].values.forEach((v, i) => expect(v).toBeCloseTo(stored.maps[0].values[i], 5));
  });

  it('stops when cancelled, and refuses images of another size or an unknown model', async () => {
    const many = Array.from({ length: set.count }, (_, i) => i);
    await expect(
      explainSetImages('light', set, many, 'predicted', { onProgress: () => cancelExplain() }),
    ).rejects.toThrow(/Grad-CAM cancelled/);
    const larger = generatePhantomImages({ perClass: 1, size: 20, channels: 1, seed: 4 });
    await expect(explainSetImages('light', larger, [0])).rejects.toThrow(
      /the images are 20×20×1, the model takes 16×16×1/,
    );
    await expect(explainSetImages('none', set, [0])).rejects.toThrow(/no model loaded as "none"/);
  });
});
