import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { modelToFiles } from '../../src/lab/models/model-files';
import { findModel, BackboneNotLoadedError } from '../../src/lab/registry';
import { buildMobileNetV2Backbone } from '../../src/lab/models/mobilenet-v2';
import { buildLoadedBackbone, describeBackboneWeights } from '../../src/lab/transfer/backbone-weights';
import { loadWeightsFromFiles, loadWeightsFromUrl, type WeightsProgress } from '../../src/lab/transfer/load-weights';
import {
  forgetBackboneWeights,
  loadedBackboneWeights,
  provideBackboneWeights,
} from '../../src/lab/transfer/transfer-context';
import { MemoryWeightsCache } from '../../src/lab/transfer/weights-cache';
import {
  clearTransferCaches,
  loadedBackbones,
  restoreCachedBackbones,
  useBackboneFromFiles,
} from '../../src/lab/transfer/backbone-service';
import { MemoryFeatureCache } from '../../src/lab/transfer/feature-cache';
import { kerasWeightsH5 } from '../helpers/keras-h5';
import { maxAbsDiff, useCpuBackend } from '../helpers/tf-cpu';

beforeAll(useCpuBackend);
afterEach(() => forgetBackboneWeights());

// A MobileNetV2 α 0.35 with seeded weights stands in for ImageNet's: 410,208 parameters, quick to build at 32 px.
const original = () => buildMobileNetV2Backbone({ size: 32, alpha: 0.35, seed: 11 });

async function sameOutputs(loaded: tf.LayersModel, reference: tf.LayersModel): Promise<number> {
  const x = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 5);
  const diff = tf.tidy(() => maxAbsDiff(loaded.predict(x) as tf.Tensor, reference.predict(x) as tf.Tensor));
  x.dispose();
  return diff;
}

describe('loading backbone weights from files', () => {
  it('loads a Keras .h5 written with our layer names (by name), detecting α 0.35, and reproduces the network', async () => {
    const reference = original();
    const bytes = await kerasWeightsH5(reference);
    const weights = await loadWeightsFromFiles('mobilenet-v2', [{ name: 'mobilenet_0.35.h5', bytes }]);
    expect(describeBackboneWeights(weights)).toMatchObject({
      backboneId: 'mobilenet-v2',
      variant: 'α 0.35',
      format: 'keras-h5',
      matchedBy: 'name',
      params: 410_208,
      pixelRange: '-1,1',
      convention: 'keras',
    });
    const loaded = buildLoadedBackbone(weights, 32);
    expect(loaded.trainableWeights).toHaveLength(0);
    expect(await sameOutputs(loaded, reference)).toBe(0);
    loaded.dispose();
    reference.dispose();
  });

  it('reads a whole-model .h5 (weights under /model_weights) and dropped TF.js files (model.json + .bin)', async () => {
    const reference = original();
    const h5 = await loadWeightsFromFiles('mobilenet-v2', [
      { name: 'model.h5', bytes: await kerasWeightsH5(reference, { wholeModel: true }) },
    ]);
    const files = await modelToFiles(reference, 'group1-shard1of1.bin');
    const tfjs = await loadWeightsFromFiles('mobilenet-v2', [
      { name: 'model.json', bytes: new TextEncoder().encode(files.modelJson) },
      { name: 'group1-shard1of1.bin', bytes: files.weights },
    ]);
    expect(tfjs.format).toBe('tfjs-layers');
    // Same numbers, whatever the container: the content id agrees.
    expect(tfjs.weightsId).toBe(h5.weightsId);
    reference.dispose();
  });

  const bad: Array<[string, () => Promise<Array<{ name: string; bytes: Uint8Array }>>, string | RegExp]> = [
    [
      'a text file',
      async () => [{ name: 'weights.h5', bytes: new TextEncoder().encode('not weights') }],
      'weights.h5: not an HDF5 file',
    ],
    [
      'a model.json without its shard',
      async () => {
        const files = await modelToFiles(original(), 'shard.bin');
        return [{ name: 'model.json', bytes: new TextEncoder().encode(files.modelJson) }];
      },
      'model.json: lists the shard shard.bin, which is not among the files given',
    ],
    [
      'a TF.js graph model',
      async () => [
        {
          name: 'model.json',
          bytes: new TextEncoder().encode('{"format":"graph-model","modelTopology":{},"weightsManifest":[]}'),
        },
      ],
      /a TF.js graph model .* has no Keras layer names/,
    ],
    [
      'an .h5 missing layers',
      async () => [
        { name: 'cut.h5', bytes: await kerasWeightsH5(original(), { skip: (n) => /^block_1[0-6]_/.test(n) }) },
      ],
      /cut\.h5 does not fit MobileNetV2 α 0\.35: layer block_10_expand: missing from the file/,
    ],
    [
      'an .h5 with a wrong shape',
      async () => [
        {
          name: 'bent.h5',
          bytes: await kerasWeightsH5(original(), {
            mutate: (layer, w, values, shape) =>
              layer === 'block_3_project' && w === 'kernel'
                ? { values: values.slice(0, values.length / 2), shape: [1, 1, shape[2] / 2, shape[3]] }
                : { values, shape },
          }),
        },
      ],
      /bent\.h5 does not fit MobileNetV2 α 0\.35: layer block_3_project: kernel is \[1, 1, 48, 16\] in the network but \[1, 1, 24, 16\] in the file/,
    ],
  ];
  for (const [what, files, message] of bad) {
    it(`refuses ${what} with a message saying what is wrong, keeping the weights loaded before`, async () => {
      const before = await loadWeightsFromFiles('mobilenet-v2', [
        { name: 'good.h5', bytes: await kerasWeightsH5(original()) },
      ]);
      provideBackboneWeights(before);
      const error = await loadWeightsFromFiles('mobilenet-v2', await files()).then(
        () => null,
        (e: Error) => e,
      );
      expect(error?.message).toMatch(message);
      expect(loadedBackboneWeights('mobilenet-v2')).toBe(before);
    });
  }

  it("refuses another network's weights, naming the first layer that did not fit", async () => {
    const bytes = await kerasWeightsH5(original());
    await expect(loadWeightsFromFiles('inception-v3', [{ name: 'mobilenet.h5', bytes }])).rejects.toThrow(
      /mobilenet\.h5 does not fit InceptionV3: layer conv2d_1: paired with the file's Conv1: kernel is \[3, 3, 3, 32\] in the network but \[3, 3, 3, 16\]/,
    );
  });

  it('makes the registry build the transfer model only once weights are provided', async () => {
    expect(() => findModel('mobilenet-v2').build({ size: 32 })).toThrow(BackboneNotLoadedError);
    expect(() => findModel('mobilenet-v2').build({ size: 32 })).toThrow(
      /mobilenet-v2: backbone not loaded — MobileNetV2 needs ImageNet weights/,
    );
    provideBackboneWeights(
      await loadWeightsFromFiles('mobilenet-v2', [{ name: 'w.h5', bytes: await kerasWeightsH5(original()) }]),
    );
    const before = tf.memory().numTensors;
    const model = findModel('mobilenet-v2').build({ size: 32, channels: 1 });
    expect(model.inputs[0].shape).toEqual([null, 32, 32, 1]);
    expect(model.outputs[0].shape).toEqual([null, 2]);
    expect(findModel('mobilenet-v2').measure({ size: 32 })).toEqual({
      params: 410_208 + 2_562,
      trainableParams: 2_562,
      bytes: (410_208 + 2_562) * 4,
    });
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('loading backbone weights from a URL', () => {
  async function server() {
    const files = await modelToFiles(original(), 'group1-shard1of1.bin');
    const requests: string[] = [];
    let fail = false;
    const fetchStub = async (url: string) => {
      requests.push(url);
      if (url.endsWith('model.json')) return new Response(files.modelJson);
      if (fail) return new Response('gone', { status: 404, statusText: 'Not Found' });
      return new Response(files.weights.slice());
    };
    return {
      fetch: fetchStub,
      requests,
      failShards: () => {
        fail = true;
      },
    };
  }

  it('downloads model.json and its shards with progress, then serves the cache without downloading again', async () => {
    const site = await server();
    const cache = new MemoryWeightsCache();
    const progress: WeightsProgress[] = [];
    const url = 'https://lab.example/models/mobilenet_v2/model.json';
    const first = await loadWeightsFromUrl('mobilenet-v2', url, {
      fetch: site.fetch,
      cache,
      onProgress: (p) => progress.push(p),
    });
    expect(site.requests).toEqual([url, 'https://lab.example/models/mobilenet_v2/group1-shard1of1.bin']);
    const downloads = progress.filter((p) => p.phase === 'downloading');
    expect(downloads.at(-1)).toEqual({ phase: 'downloading', loaded: 410_208 * 4, total: 410_208 * 4 });
    const again = await loadWeightsFromUrl('mobilenet-v2', url, { fetch: site.fetch, cache });
    expect(again).toBe(first);
    expect(site.requests).toHaveLength(2);
  });

  it('keeps a failed download out of the cache and says which file failed', async () => {
    const site = await server();
    site.failShards();
    const cache = new MemoryWeightsCache();
    await expect(
      loadWeightsFromUrl('mobilenet-v2', 'https://lab.example/m/model.json', { fetch: site.fetch, cache }),
    ).rejects.toThrow('https://lab.example/m/group1-shard1of1.bin: HTTP 404 Not Found');
    expect(await cache.keys()).toEqual([]);
  });

  it('says what to do when nothing is deployed at the URL', async () => {
    const notFound = async () => new Response('', { status: 404 });
    await expect(
      loadWeightsFromUrl('inception-v3', 'https://lab.example/models/inception_v3/model.json', { fetch: notFound }),
    ).rejects.toThrow(
      /model\.json: HTTP 404: no weights are deployed there .*drop a Keras \.h5 or TF\.js files instead/,
    );
  });
});

describe('the backbone service (what the worker calls)', () => {
  it('loads dropped files into the cache, restores them after a "reload", and clears everything', async () => {
    const cache = new MemoryWeightsCache();
    const features = new MemoryFeatureCache();
    const info = await useBackboneFromFiles(
      'mobilenet-v2',
      [{ name: 'w.h5', bytes: await kerasWeightsH5(original()) }],
      { cache },
    );
    expect(loadedBackbones()).toEqual([info]);
    forgetBackboneWeights(); // a reload: the realm starts empty, the cache (IndexedDB in the page) remains
    expect(loadedBackbones()).toEqual([]);
    expect(await restoreCachedBackbones(cache)).toEqual([info]);
    expect(loadedBackboneWeights('mobilenet-v2')?.weightsId).toBe(info.weightsId);
    await features.put('k', {
      features: new Float32Array(2),
      dim: 1,
      labels: new Int32Array(2),
      classNames: ['a', 'b'],
      count: 2,
    });
    await clearTransferCaches(cache, features);
    expect(await cache.keys()).toEqual([]);
    expect(await features.keys()).toEqual([]);
    expect(loadedBackbones()).toEqual([]);
  });
});
