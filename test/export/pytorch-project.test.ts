/**
 * The PyTorch project export without Python: the checks on its input, the files it makes, the weights it converts
 * (names and layouts), and the all-or-nothing folder writer.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFolderAtomically } from '../../src/lab/export/node/write-folder';
import {
  decodeSafetensors,
  encodeSafetensors,
  splitManifestOf,
  writePytorchProject,
  type ExperimentJson,
  type PytorchProjectSpec,
} from '../../src/lab/export/pytorch';
import { defaultExperiment } from '../../src/lab/experiment/schema';
import { hyperparametersOf } from '../../src/lab/export/pytorch/project-spec';
import { findModel } from '../../src/lab/registry';
import { perturbWeights } from '../helpers/export-models';
import { useCpuBackend } from '../helpers/tf-cpu';

const SPLITS = {
  train: [
    { path: 'train/NORMAL/a.png', label: 'NORMAL' },
    { path: 'train/PNEUMONIA/b.png', label: 'PNEUMONIA' },
  ],
  val: [{ path: 'val/NORMAL/c.png', label: 'NORMAL' }],
  test: [{ path: 'test/PNEUMONIA/d.png', label: 'PNEUMONIA' }],
};

function spec(overrides: Partial<PytorchProjectSpec> = {}): PytorchProjectSpec {
  return {
    title: 'unit',
    models: ['light-k2'],
    hyperparameters: hyperparametersOf(defaultExperiment({ size: 16, channels: 1, seeds: [1, 2] })),
    classNames: ['NORMAL', 'PNEUMONIA'],
    positiveClass: 1,
    splits: SPLITS,
    ...overrides,
  };
}

let work = '';
beforeAll(async () => {
  await useCpuBackend();
  work = await mkdtemp(join(tmpdir(), 'xray-torch-unit-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('PyTorch export: input checks name the field', () => {
  const cases: Array<[string, Partial<PytorchProjectSpec>, RegExp]> = [
    ['an unknown model', { models: ['resnet'] }, /models\[0\]: unknown model id "resnet"/],
    [
      "a size below the model's minimum",
      { models: ['cnn'] },
      /models\[0\]: cnn needs an input of at least 50×50 \(hyperparameters.size is 16\)/,
    ],
    [
      'a label that is no class',
      { splits: { ...SPLITS, test: [{ path: 't/x.png', label: 'COVID' }] } },
      /splits.test\[0\].label "COVID" is not one of classNames/,
    ],
    [
      'a path leaving the dataset folder',
      { splits: { ...SPLITS, val: [{ path: '../x.png', label: 'NORMAL' }] } },
      /splits.val\[0\].path "..\/x.png" must be relative/,
    ],
    [
      'an image in two splits',
      { splits: { ...SPLITS, test: [SPLITS.train[0]] } },
      /splits.test\[0\]: train\/NORMAL\/a.png is also in splits.train/,
    ],
    ['no test images', { splits: { ...SPLITS, test: [] } }, /splits.test lists no image/],
    ['a positive class out of range', { positiveClass: 2 }, /positiveClass 2 is not an index into classNames/],
    [
      'a bad learning rate',
      { hyperparameters: { ...spec().hyperparameters, learningRate: 0 } },
      /hyperparameters.learningRate must be positive/,
    ],
  ];
  for (const [what, overrides, message] of cases) {
    it(`rejects ${what}`, async () => {
      await expect(writePytorchProject(spec(overrides))).rejects.toThrow(message);
    });
  }

  it("rejects a transfer model without its backbone's ImageNet weights", async () => {
    await expect(
      writePytorchProject(spec({ models: ['inception-v3'], hyperparameters: { ...spec().hyperparameters, size: 75 } })),
    ).rejects.toThrow(
      /models\[0\]: inception-v3 cannot be exported without its backbone's ImageNet weights — InceptionV3 needs ImageNet weights/,
    );
  });

  it('rejects trained weights that do not fit the experiment', async () => {
    const wrongSize = findModel('light-k2').build({ size: 24, channels: 1 });
    await expect(
      writePytorchProject(spec({ trained: [{ modelId: 'light-k2', seed: 1, model: wrongSize }] })),
    ).rejects.toThrow(
      /trained \(light-k2, seed 1\): the model takes \[24, 24, 1\] images, the experiment \[16, 16, 1\]/,
    );
    const right = findModel('light-k2').build({ size: 16, channels: 1 });
    await expect(
      writePytorchProject(spec({ trained: [{ modelId: 'light-k2', seed: 7, model: right }] })),
    ).rejects.toThrow(/seed 7 is not one of hyperparameters.seeds \(1, 2\)/);
    await expect(writePytorchProject(spec({ trained: [{ modelId: 'cnn', seed: 1, model: right }] }))).rejects.toThrow(
      /trained weights of cnn, which is not one of models/,
    );
    wrongSize.dispose();
    right.dispose();
  });
});

describe('PyTorch export: the project', () => {
  it("writes the Python files, README, requirements and an experiment.json with the lab's counts", async () => {
    const files = await writePytorchProject(spec({ models: ['light-k2', 'light-k7'] }));
    for (const name of [
      'train.py',
      'trainer.py',
      'models.py',
      'backbones.py',
      'data.py',
      'metrics.py',
      'results.py',
      'weights.py',
      'README.md',
      'requirements.txt',
    ]) {
      expect(files.has(name), name).toBe(true);
    }
    const experiment = JSON.parse(files.get('experiment.json') as string) as ExperimentJson;
    expect(experiment.format).toBe('xray-lab-pytorch-experiment');
    expect(experiment.splits).toEqual(SPLITS);
    expect(experiment.models.map((m) => [m.id, m.family, m.rank, m.labParams, m.labTrainableParams])).toEqual([
      [
        'light-k2',
        'lightlayers',
        2,
        findModel('light-k2').measure({ size: 16, channels: 1 }).params,
        findModel('light-k2').measure({ size: 16, channels: 1 }).trainableParams,
      ],
      [
        'light-k7',
        'lightlayers',
        7,
        findModel('light-k7').measure({ size: 16, channels: 1 }).params,
        findModel('light-k7').measure({ size: 16, channels: 1 }).trainableParams,
      ],
    ]);
    expect(files.get('README.md')).toContain('torchrun --standalone --nproc_per_node=4 train.py --data DIR');
  });

  it('converts trained weights to PyTorch names and layouts (conv [out, in, kh, kw], dense [out, in])', async () => {
    const model = findModel('light-k2').build({ size: 16, channels: 1, seed: 3 });
    perturbWeights(model, 5);
    const before = tf.memory().numTensors;
    const files = await writePytorchProject(spec({ trained: [{ modelId: 'light-k2', seed: 2, model }] }));
    expect(tf.memory().numTensors).toBe(before);
    const experiment = JSON.parse(files.get('experiment.json') as string) as ExperimentJson;
    expect(experiment.models[0].trained).toEqual({ 2: 'weights/light-k2-seed2.safetensors' });
    const { tensors, metadata } = decodeSafetensors(files.get('weights/light-k2-seed2.safetensors') as Uint8Array);
    expect(metadata).toEqual({ modelId: 'light-k2', seed: '2' });
    const byName = new Map(tensors.map((t) => [t.name, t]));
    expect(tensors.reduce((n, t) => n + t.values.length, 0)).toBe(model.countParams());

    const w1 = model.getLayer('block1_light1').getWeights()[0]; // [3, 3, 1, 2]
    const first = byName.get('block1_light1.first.weight')!;
    expect(first.shape).toEqual([2, 1, 3, 3]);
    const w1v = await w1.data();
    // Keras [ky, kx, in, out] → PyTorch [out, in, ky, kx]: kernel (ky 2, kx 1) of output 1.
    expect(first.values[((1 * 1 + 0) * 3 + 2) * 3 + 1]).toBe(w1v[((2 * 3 + 1) * 1 + 0) * 2 + 1]);
    const dense = byName.get('logits.weight')!;
    const kernel = await model.getLayer('logits').getWeights()[0].data(); // [32, 2]
    expect(dense.shape).toEqual([2, 32]);
    expect(dense.values[1 * 32 + 5]).toBe(kernel[5 * 2 + 1]);
    const gamma = await model.getLayer('block3_bn2').getWeights()[0].data();
    expect(byName.get('block3_bn2.weight')!.values).toEqual(Float32Array.from(gamma));
    const variance = await model.getLayer('block3_bn2').getWeights()[3].data();
    expect(byName.get('block3_bn2.running_var')!.values).toEqual(Float32Array.from(variance));
    model.dispose();
  });

  it("makes the split manifest from the run's image sets", () => {
    const set = (files: string[], labels: number[]) => ({
      size: 2,
      channels: 1 as const,
      classNames: ['NORMAL', 'PNEUMONIA'],
      pixels: new Uint8Array(files.length * 4),
      labels: Int32Array.from(labels),
      files,
      count: files.length,
    });
    const manifest = splitManifestOf(
      { train: set(['NORMAL/a.png', 'PNEUMONIA/b.png'], [0, 1]), val: null, test: set(['PNEUMONIA/c.png'], [1]) },
      { test: 'held-out/' },
    );
    expect(manifest).toEqual({
      train: [
        { path: 'NORMAL/a.png', label: 'NORMAL' },
        { path: 'PNEUMONIA/b.png', label: 'PNEUMONIA' },
      ],
      val: [],
      test: [{ path: 'held-out/PNEUMONIA/c.png', label: 'PNEUMONIA' }],
    });
  });

  it('round-trips safetensors and pads the header to 8 bytes', () => {
    const bytes = encodeSafetensors(
      [
        { name: 'a.b', shape: [2, 3], values: Float32Array.from([1, 2, 3, 4, 5, 6]) },
        { name: 'c', shape: [], values: Float32Array.from([7]) },
      ],
      { k: 'v' },
    );
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    expect(bytes.byteLength).toBe(8 + headerLength + 7 * 4);
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(tensors.map((t) => [t.name, t.shape, [...t.values]])).toEqual([
      ['a.b', [2, 3], [1, 2, 3, 4, 5, 6]],
      ['c', [], [7]],
    ]);
    expect(metadata).toEqual({ k: 'v' });
    expect(() => encodeSafetensors([{ name: 'x', shape: [3], values: new Float32Array(2) }])).toThrow(
      /x has 2 values for shape \[3\]/,
    );
  });
});

describe('writeFolderAtomically', () => {
  it('writes every file, into a new or an empty folder', async () => {
    const files = new Map<string, string | Uint8Array>([
      ['a.txt', 'A'],
      ['deep/b.bin', new Uint8Array([1, 2])],
    ]);
    await writeFolderAtomically(join(work, 'new'), files);
    expect(await readFile(join(work, 'new/deep/b.bin'))).toEqual(Buffer.from([1, 2]));
    await mkdir(join(work, 'empty'));
    await writeFolderAtomically(join(work, 'empty'), files);
    expect(await readFile(join(work, 'empty/a.txt'), 'utf8')).toBe('A');
  });

  it('leaves a non-empty folder untouched', async () => {
    await mkdir(join(work, 'full'));
    await writeFile(join(work, 'full/keep.txt'), 'mine');
    await expect(writeFolderAtomically(join(work, 'full'), new Map([['a.txt', 'A']]))).rejects.toThrow(
      /exists and is not empty/,
    );
    expect(await readdir(join(work, 'full'))).toEqual(['keep.txt']);
  });

  it('leaves no half-written folder when a file fails midway', async () => {
    // 'x' is written as a file, then 'x/y' needs it to be a folder: the third write fails after two succeeded.
    const files = new Map<string, string>([
      ['one.txt', '1'],
      ['x', 'file'],
      ['x/y', 'clash'],
    ]);
    await expect(writeFolderAtomically(join(work, 'broken'), files)).rejects.toThrow();
    expect(existsSync(join(work, 'broken'))).toBe(false);
    expect((await readdir(work)).filter((n) => n.includes('broken'))).toEqual([]);
  });

  it('refuses paths that would leave the folder', async () => {
    await expect(writeFolderAtomically(join(work, 'escape'), new Map([['../evil.txt', 'x']]))).rejects.toThrow(
      /refusing to write "..\/evil.txt"/,
    );
    expect(existsSync(join(work, 'escape'))).toBe(false);
  });
});
