/**
 * `xray-lab export-pytorch` end to end: compare on a small generated dataset → export-pytorch of its experiment.json
 * → the project carries the card's split manifest and hyperparameters, and the compared model's weights (the
 * PyTorch model predicts the saved lab model's logits within 1e-4) → `python3 train.py --nproc 2` trains one epoch
 * and writes a results.json the lab reads. And bad input: one line, exit 2, no folder written.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExperimentCard, parseExperimentOrResults } from '../../src/lab/experiment/card';
import { modelFromFiles } from '../../src/lab/models/model-files';
import type { ExperimentJson } from '../../src/lab/export/pytorch';
import { parseResultsJson } from '../../src/lab/report/render-json';
import { pythonHas, runPython } from '../helpers/python';
import { runCliCaptured } from '../helpers/run-cli';
import { writeDataset } from '../helpers/write-dataset';

const hasTorch = pythonHas('torch', 'numpy', 'PIL');

let root = '';
let data = '';
let out = '';
let project = '';
let exported: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xray-export-pytorch-'));
  data = join(root, 'data');
  await writeDataset(data, { perClass: 10, size: 32, splits: { val: 0.2, test: 0.3 }, seed: 3 });
  out = join(root, 'out');
  const compared = await runCliCaptured([
    'compare',
    '--data',
    data,
    '--models',
    'light-k2',
    '--seeds',
    '7',
    '--size',
    '24',
    '--channels',
    '1',
    '--epochs',
    '1',
    '--batch',
    '8',
    '--bootstrap',
    '20',
    '--out',
    out,
  ]);
  expect(compared.code, compared.stderr).toBe(0);
  project = join(root, 'project');
  exported = await runCliCaptured(['export-pytorch', join(out, 'experiment.json'), '--data', data, '--out', project]);
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('xray-lab export-pytorch', () => {
  it("writes the card's experiment as a PyTorch project with the compared model's weights", async () => {
    expect(exported.stderr).toMatch(/wrote .*project: light-k2 × seeds 7, the trained weights of 1 run/);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(`python3 train.py --nproc 2 --data ${resolve(data)}`);
    for (const file of [
      'train.py',
      'trainer.py',
      'models.py',
      'data.py',
      'README.md',
      'requirements.txt',
      'weights/light-k2-seed7.safetensors',
    ]) {
      expect(existsSync(join(project, file)), file).toBe(true);
    }
    const card = parseExperimentCard(await readFile(join(out, 'experiment.json'), 'utf8'));
    const experiment = JSON.parse(await readFile(join(project, 'experiment.json'), 'utf8')) as ExperimentJson;
    expect(experiment.hyperparameters).toMatchObject({
      size: 24,
      channels: 1,
      epochs: 1,
      batchSize: 8,
      seeds: [7],
      bootstrapIterations: 20,
    });
    expect(experiment.classNames).toEqual(['NORMAL', 'PNEUMONIA']);
    expect(experiment.positiveClass).toBe(1);
    expect(experiment.models.map((m) => [m.id, m.trained])).toEqual([
      ['light-k2', { 7: 'weights/light-k2-seed7.safetensors' }],
    ]);
    for (const split of ['train', 'val', 'test'] as const) {
      expect(
        experiment.splits[split].map((e) => e.path),
        split,
      ).toEqual(card.data.split[split]);
      for (const e of experiment.splits[split]) expect(e.path.split('/')[1], e.path).toBe(e.label); // <split>/<class>/<file>
    }
    expect(experiment.splits.test.length).toBeGreaterThan(0);
  });

  it.skipIf(!hasTorch)(
    'gives a PyTorch model that predicts what the saved lab model predicts (within 1e-4)',
    async () => {
      const lab = await modelFromFiles(
        await readFile(join(out, 'models/light-k2/model.json'), 'utf8'),
        await readFile(join(out, 'models/light-k2/weights.bin')),
      );
      const x = tf.randomUniform([3, 24, 24, 1], 0, 1, 'float32', 5);
      const logits = lab.predict(x) as tf.Tensor;
      const want = (await logits.data()) as Float32Array;
      await writeFile(join(root, 'inputs.bin'), new Uint8Array(((await x.data()) as Float32Array).buffer));
      tf.dispose([x, logits]);
      lab.dispose();
      const jobs = {
        predict: [
          {
            project,
            modelId: 'light-k2',
            seed: 7,
            inputs: join(root, 'inputs.bin'),
            count: 3,
            outputs: join(root, 'logits.bin'),
          },
        ],
      };
      await writeFile(join(root, 'jobs.json'), JSON.stringify(jobs));
      const { stdout } = await runPython([resolve('test/export/pytorch_probe.py'), join(root, 'jobs.json')]);
      expect(JSON.parse(stdout).predict[0].loaded).toEqual(['weights/light-k2-seed7.safetensors']);
      const raw = await readFile(join(root, 'logits.bin'));
      const got = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
      expect(got).toHaveLength(want.length);
      expect(Math.max(...got.map((v, i) => Math.abs(v - want[i])))).toBeLessThan(1e-4);
    },
  );

  it.skipIf(!hasTorch)(
    'trains with python3 train.py --nproc 2 and writes a results.json the lab reads',
    async () => {
      const { stderr } = await runPython(['train.py', '--nproc', '2', '--data', data, '--epochs', '1'], {
        cwd: project,
        timeoutMs: 600_000,
      });
      expect(stderr).toContain('starting 2 processes (cpu, gloo)');
      expect(stderr).toContain('starting from weights/light-k2-seed7.safetensors');
      const file = parseResultsJson(await readFile(join(project, 'results/results.json'), 'utf8'));
      expect(file.results).toHaveLength(1);
      const card = parseExperimentCard(await readFile(join(out, 'experiment.json'), 'utf8'));
      expect(file.results[0]).toMatchObject({
        modelId: 'light-k2',
        seed: 7,
        status: 'ok',
        runtime: 'pytorch',
        params: card.results[0].params,
        epochsRun: 1,
      });
      expect(file.results[0].test!.count).toBe(card.data.split.test.length);
      // What the page's "Open a saved experiment" makes of it: the PyTorch run beside the browser's.
      const opened = parseExperimentOrResults(
        await readFile(join(project, 'results/results.json'), 'utf8'),
        'results.json',
      );
      expect(opened.results.map((r) => [r.modelId, r.seed, r.status])).toEqual([['light-k2', 7, 'ok']]);
      expect(opened.settings).toMatchObject({ models: ['light-k2'], seeds: [7], size: 24 });
    },
    600_000,
  );

  const bad: Array<[string, (dirs: { card: string }) => string[], RegExp]> = [
    [
      'another dataset',
      ({ card }) => [card, '--data', join(root, 'other-data')],
      /--data .*other-data: its files differ from the data the card ran on/,
    ],
    [
      'a card without its models',
      () => [join(root, 'lonely', 'experiment.json')],
      /lonely\/models\/light-k2\/model.json: the trained light-k2 \(seed 7\) is not there/,
    ],
    [
      'a transfer model without backbone weights',
      () => [join(root, 'transfer', 'experiment.json')],
      /mobilenet-v2: backbone not loaded — MobileNetV2 needs ImageNet weights.*--weights PATH/,
    ],
    ['a missing card', () => [join(root, 'nothing.json')], /nothing.json: cannot read \(ENOENT\)/],
  ];
  for (const [what, args, message] of bad) {
    it(`refuses ${what} with one line, exit 2, and writes no folder`, async () => {
      const card = join(out, 'experiment.json');
      await writeDataset(join(root, 'other-data'), { perClass: 4, size: 20, seed: 9 });
      const text = await readFile(card, 'utf8');
      await mkdir(join(root, 'lonely'), { recursive: true });
      await writeFile(join(root, 'lonely', 'experiment.json'), text);
      const json = JSON.parse(text);
      json.settings.models = ['light-k2', 'mobilenet-v2'];
      await mkdir(join(root, 'transfer'), { recursive: true });
      await writeFile(join(root, 'transfer', 'experiment.json'), JSON.stringify(json));
      const target = join(root, `bad-${what.replace(/\W+/g, '-')}`);
      const { code, stderr } = await runCliCaptured(['export-pytorch', ...args({ card }), '--out', target]);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(message);
      expect(existsSync(target)).toBe(false);
    });
  }

  it('refuses a non-empty --out and leaves it as it was', async () => {
    const target = join(root, 'full');
    await mkdir(target);
    await writeFile(join(target, 'keep.txt'), 'mine');
    const { code, stderr } = await runCliCaptured(['export-pytorch', join(out, 'experiment.json'), '--out', target]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--out .*full: exists and is not empty; choose a new folder/);
    expect(await readFile(join(target, 'keep.txt'), 'utf8')).toBe('mine');
  });
});

if (!hasTorch)
  console.warn(
    'skipping the PyTorch runs of export-pytorch: /usr/bin/python3 lacks torch, numpy or PIL (apt-get install python3-torch python3-pil)',
  );
