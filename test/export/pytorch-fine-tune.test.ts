/**
 * A fine-tuned InceptionV3 in the exported PyTorch project, as the experiment says: with `fineTuneEpochs` > 0 the
 * project carries the lab's fine-tuning plan (mixed9/mixed10's convolutions), the tuned kernels a lab run changed,
 * the lab's parameter counts (trainable = head + tuned layers) and its logits within 1e-4; `train.py` trains the
 * head first, then the tuned layers with it at a tenth of the learning rate, and leaves every other backbone weight
 * and every BatchNorm statistic as loaded. Needs nsfwjs's InceptionV3 (a devDependency) and Debian's python3-torch.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFolderAtomically } from '../../src/lab/export/node/write-folder';
import {
  writePytorchProject,
  type ExperimentJson,
  type PytorchProjectSpec,
  type SplitManifest,
} from '../../src/lab/export/pytorch';
import { measureModelSize } from '../../src/lab/models/model-size';
import { parseResultsJson } from '../../src/lab/report/render-json';
import { buildTransferModel } from '../../src/lab/transfer/compose';
import { CLASS_NAMES, inceptionBackbone } from '../helpers/export-models';
import { NSFWJS_INCEPTION_DIR } from '../helpers/nsfwjs-inception';
import { pythonHas, runPython } from '../helpers/python';
import { useCpuBackend } from '../helpers/tf-cpu';
import { maxAbsDifference, movedByTraining, probeLogits } from '../helpers/torch-project';
import { writeDataset } from '../helpers/write-dataset';

const hasTorch = pythonHas('torch', 'numpy', 'PIL');
const hasInception = existsSync(NSFWJS_INCEPTION_DIR);
const SIZE = 75; // InceptionV3's smallest input keeps the backbone cheap

let work = '';
beforeAll(async () => {
  await useCpuBackend();
  work = await mkdtemp(join(tmpdir(), 'xray-torch-tune-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** The convolutions above mixed8 in the model's (topological) order: what the lab's fine-tuning stage trains. */
function convolutionsAboveMixed8(model: tf.LayersModel): tf.layers.Layer[] {
  const names = model.layers.map((l) => l.name);
  return model.layers.slice(names.indexOf('mixed8') + 1).filter((l) => l.getClassName() === 'Conv2D');
}

/** Adds seeded noise to a layer's weights (scaled by `scale`), as training would have moved them. */
function nudge(layer: tf.layers.Layer, seed: number, scale = 1): void {
  const moved = layer.getWeights().map((w, i) =>
    tf.tidy(() => {
      const noise = tf.randomUniform(w.shape, -0.02, 0.02, 'float32', seed + i);
      return tf.mul(tf.add(w, noise), scale);
    }),
  );
  layer.setWeights(moved);
  tf.dispose(moved);
}

describe.skipIf(!hasTorch || !hasInception)('a fine-tuned InceptionV3 in the PyTorch project', () => {
  let model: tf.LayersModel;
  let spec: PytorchProjectSpec;
  let project = '';
  let experiment: ExperimentJson;
  let data = '';

  beforeAll(async () => {
    // The composed model as a fine-tuned lab run leaves it: mixed9/mixed10's kernels moved and trainable, and a
    // trained head (its logits several units, not an untrained head's tenths).
    const inception = inceptionBackbone()!;
    model = buildTransferModel(inception, { size: SIZE, channels: 1, numClasses: 2, seed: 3 });
    convolutionsAboveMixed8(model).forEach((layer, i) => {
      nudge(layer, 100 + 10 * i);
      layer.trainable = true;
    });
    nudge(model.getLayer('logits'), 7, 20);

    data = join(work, 'data');
    const written = await writeDataset(data, { perClass: 6, size: 32, splits: { val: 0.2, test: 0.3 }, seed: 4 });
    const splits: Record<string, Array<{ path: string; label: string }>> = { train: [], val: [], test: [] };
    for (const path of written.images) splits[path.split('/')[0]].push({ path, label: path.split('/')[1] });

    spec = {
      models: ['inception-v3'],
      hyperparameters: {
        size: SIZE,
        channels: 1,
        epochs: 1,
        fineTuneEpochs: 1,
        batchSize: 4,
        learningRate: 1e-3,
        seeds: [1],
        classWeights: null,
        patience: null,
        batchNormMomentum: 0.99,
        batchNormRecalibrationBatches: 2,
        threshold: 0.5,
        bootstrapIterations: 0,
        headDropout: 0,
        headLightRank: null,
      },
      classNames: CLASS_NAMES,
      positiveClass: 1,
      splits: splits as unknown as SplitManifest,
      trained: [{ modelId: 'inception-v3', seed: 1, model }],
      backbones: { 'inception-v3': inception },
    };
    const before = tf.memory().numTensors;
    const files = await writePytorchProject(spec);
    expect(tf.memory().numTensors).toBe(before); // the models that planned the fine-tuning are released
    project = join(work, 'project');
    await writeFolderAtomically(project, files);
    experiment = JSON.parse(await readFile(join(project, 'experiment.json'), 'utf8')) as ExperimentJson;
  });
  afterAll(() => model?.dispose());

  it("names the lab's tuned layers and carries their kernels, the lab's counts and logits (1e-4)", async () => {
    const [entry] = experiment.models;
    const plan = entry.backbone!.fineTune!;
    expect(plan).toMatchObject({ cut: 'mixed8', blocks: 'mixed9 and mixed10', learningRateFactor: 0.1 });
    expect([...plan.layers].sort()).toEqual(
      convolutionsAboveMixed8(model)
        .map((l) => l.name)
        .sort(),
    );
    const lab = measureModelSize(model); // trainable: the head and the tuned kernels, as a fine-tuned run records
    expect([entry.labParams, entry.labTrainableParams]).toEqual([lab.params, lab.trainableParams]);

    const x = tf.randomUniform([3, SIZE, SIZE, 1], -1, 1, 'float32', 21) as tf.Tensor4D; // the backbone's range
    const logits = model.predict(x) as tf.Tensor;
    const want = (await logits.data()) as Float32Array;
    const got = await probeLogits(project, 'inception-v3', 1, x, work);
    tf.dispose([x, logits]);
    expect([got.params, got.trainable]).toEqual([lab.params, lab.trainableParams]);
    const diff = maxAbsDifference(got.logits, want);
    console.info(
      `pytorch inception-v3 fine-tuned: ${got.trainable.toLocaleString('en-US')} trainable = lab; ` +
        `max |Δ logits| ${diff.toExponential(2)} (logits up to ${Math.max(...want.map(Math.abs)).toFixed(2)})`,
    );
    expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(0.5);
    expect(diff).toBeLessThan(1e-4);
  });

  it('cannot take the ImageNet weights from the fine-tuned model: it says so and asks for them', async () => {
    const inception = inceptionBackbone()!;
    const used = { 'inception-v3': { weightsId: inception.weightsId, pixelRange: '-1,1', origin: inception.origin } };
    const before = tf.memory().numTensors;
    const withoutWeights = { ...spec, backbones: undefined, usedBackbones: used };
    await expect(writePytorchProject(withoutWeights)).rejects.toThrow(
      new RegExp(
        "models\\[0\\]: inception-v3 cannot be exported without its backbone's ImageNet weights " +
          '\\(the models its runs saved hold other ones: fine-tuned weights\\) — InceptionV3 needs ImageNet weights',
      ),
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains the head, then the tuned layers with it, and leaves every other backbone weight as loaded', async () => {
    const { stderr } = await runPython(['train.py', '--nproc', '2', '--data', data, '--workers', '0'], {
      cwd: project,
      timeoutMs: 600_000,
    });
    expect(stderr).toMatch(
      new RegExp(
        'fine-tuning mixed9 and mixed10 with the head \\([\\d,]+ more trainable ' +
          'parameters, BatchNorm frozen\\) for 1 epoch\\(s\\) at lr 0\\.0001',
      ),
    );
    expect(stderr).toMatch(/epoch 1\/2 [^]*fine-tuning[^]*epoch 2\/2 /);
    const file = parseResultsJson(await readFile(join(project, 'results/results.json'), 'utf8'));
    const [entry] = experiment.models;
    expect(file.results[0]).toMatchObject({
      modelId: 'inception-v3',
      status: 'ok',
      epochsRun: 2,
      epochsPlanned: 2,
      params: entry.labParams,
      trainableParams: entry.labTrainableParams,
    });
    const { moved, compared } = await movedByTraining(project, 'inception-v3', 1);
    expect(compared).toBeGreaterThan(300); // every backbone weight and BatchNorm statistic was compared
    const tuned = new Set(entry.backbone!.fineTune!.layers.map((name) => `backbone.${name}.weight`));
    const movedBackbone = moved.filter((k) => k.startsWith('backbone.'));
    expect(moved).toEqual(expect.arrayContaining(['logits.weight', 'logits.bias']));
    expect(movedBackbone.length).toBeGreaterThan(0);
    expect(movedBackbone.filter((k) => !tuned.has(k))).toEqual([]); // BatchNorm and the layers below mixed8 stay put
  }, 600_000);
});

const skipped = 'skipping the fine-tuned PyTorch export:';
if (!hasTorch) console.warn(`${skipped} /usr/bin/python3 lacks torch, numpy or PIL (apt-get install python3-torch)`);
if (!hasInception) console.warn(`${skipped} node_modules/nsfwjs (its InceptionV3 weights) is not installed`);
