/**
 * `xray-lab compare --models inception-v3 --weights FILE.h5`: the head trains from a weights file on disk. The .h5 is
 * written here by h5wasm with our (Keras 2.2) layer names from a seeded InceptionV3; a small input (75 px) keeps the
 * backbone pass quick. The feature cache on disk is reused by a second run and not by a run at another size.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInceptionV3Backbone } from '../../src/lab/models/inception-v3';
import { buildMobileNetV2Backbone } from '../../src/lab/models/mobilenet-v2';
import { kerasWeightsH5 } from '../helpers/keras-h5';
import { runCliCaptured } from '../helpers/run-cli';
import { useCpuBackend } from '../helpers/tf-cpu';
import { writeDataset } from '../helpers/write-dataset';

let root: string;
let data: string;
let inceptionH5: string;
let mobilenetH5: string;

beforeAll(async () => {
  await useCpuBackend();
  root = await mkdtemp(join(tmpdir(), 'xray-transfer-cli-'));
  data = join(root, 'phantom');
  await writeDataset(data, { perClass: 12, size: 80, seed: 5 });
  const inception = buildInceptionV3Backbone({ size: 75, seed: 5 });
  inceptionH5 = join(root, 'inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5');
  await writeFile(inceptionH5, await kerasWeightsH5(inception));
  inception.dispose();
  const mobilenet = buildMobileNetV2Backbone({ size: 32, alpha: 0.35, seed: 5 });
  mobilenetH5 = join(root, 'mobilenet.h5');
  await writeFile(mobilenetH5, await kerasWeightsH5(mobilenet));
  mobilenet.dispose();
});
afterAll(() => rm(root, { recursive: true, force: true }));

const compare = (out: string, size: number, ...extra: string[]) =>
  runCliCaptured([
    'compare',
    '--data',
    data,
    '--models',
    'inception-v3',
    '--weights',
    inceptionH5,
    '--size',
    String(size),
    '--epochs',
    '3',
    '--batch',
    '8',
    '--bootstrap',
    '0',
    '--feature-cache',
    join(root, 'features'),
    '--out',
    join(root, out),
    '--json',
    ...extra,
  ]);

describe('xray-lab compare with a transfer model', () => {
  /** The first run's test metrics, made with features the backbone computed (the cache was empty). */
  let computedTest: unknown;

  it('trains the InceptionV3 head from an .h5 on disk: 21,806,882 parameters, 4,098 trainable', async () => {
    const { code, stdout, stderr } = await compare('out1', 75);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(
      /inception-v3: weights from .*notop\.h5: InceptionV3, 21,802,784 parameters matched by name, pixels in \[-1, 1\] \(keras\)/,
    );
    expect(stderr).toMatch(/backbone pass over train: \d+\/\d+/);
    const [record] = JSON.parse(stdout).results;
    expect(record).toMatchObject({
      modelId: 'inception-v3',
      status: 'ok',
      params: 21_806_882,
      trainableParams: 4_098,
      epochsRun: 3,
      inputSize: 75,
    });
    expect(record.test.count).toBeGreaterThan(0);
    expect(existsSync(join(root, 'out1/models/inception-v3/weights.bin'))).toBe(true);
    computedTest = record.test;
  });

  it('reuses the cached features on a second run, and recomputes them at another size', async () => {
    expect(computedTest, 'the first run').toBeDefined();
    const second = await compare('out2', 75);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/inception-v3: train features from the cache/);
    expect(second.stderr).not.toMatch(/backbone pass/);
    expect(JSON.parse(second.stdout).results[0].test).toEqual(computedTest);
    const resized = await compare('out3', 79);
    expect(resized.code, resized.stderr).toBe(0);
    expect(resized.stderr).toMatch(/backbone pass over train/);
    expect(resized.stderr).not.toMatch(/from the cache/);
  });

  it("refuses another network's weights with one line naming the first layer, exit 2, writing nothing", async () => {
    const out = join(root, 'bad');
    const { code, stderr } = await runCliCaptured([
      'compare',
      '--data',
      data,
      '--models',
      'inception-v3',
      '--weights',
      mobilenetH5,
      '--size',
      '75',
      '--out',
      out,
    ]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')[0]).toMatch(
      /mobilenet\.h5 does not fit InceptionV3: layer conv2d_1: .*\[3, 3, 3, 32\] in the network but \[3, 3, 3, 16\] in the file/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('says what InceptionV3 needs when --weights is missing, and asks for ID=PATH with two transfer models', async () => {
    let result = await runCliCaptured(['compare', '--data', data, '--models', 'cnn,inception-v3', '--size', '75']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /inception-v3: backbone not loaded — InceptionV3 needs ImageNet weights: .*--weights PATH/,
    );
    result = await runCliCaptured([
      'compare',
      '--data',
      data,
      '--models',
      'inception-v3,mobilenet-v2',
      '--weights',
      inceptionH5,
      '--size',
      '75',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/write --weights ID=PATH/);
  });
});
