/**
 * `compare --out` writes every trained model in the standard formats beside the lab's own files:
 * models/<id>[/seed-<n>]/stock/{model.json,weights.bin} (loaded here by a separate Node process that imports only
 * @tensorflow/tfjs, predicting the lab model's softmax), models/<id>[/seed-<n>]/model.h5 (checked with h5py) and
 * models/<id>[/seed-<n>]/model.onnx (run by onnxruntime-node).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelFromFiles } from '../../src/lab/models/model-files';
import { pythonHas, runPython } from '../helpers/python';
import { runCliCaptured } from '../helpers/run-cli';
import { writeDataset } from '../helpers/write-dataset';

const run = promisify(execFile);
const hasH5py = pythonHas('h5py', 'numpy');
const INPUTS = 4;
const RUNS = ['light-k1/seed-1', 'light-k1/seed-2', 'light-k3/seed-1', 'light-k3/seed-2'];

let root = '';
let out = '';
let compared: { code: number; stderr: string };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xray-cli-exports-'));
  await writeDataset(join(root, 'data'), { perClass: 12, size: 20, seed: 5 });
  out = join(root, 'out');
  compared = await runCliCaptured([
    'compare',
    '--data',
    join(root, 'data'),
    '--models',
    'light-k1,light-k3',
    '--seeds',
    '1,2',
    '--size',
    '16',
    '--channels',
    '1',
    '--epochs',
    '1',
    '--batch',
    '8',
    '--bootstrap',
    '0',
    '--out',
    out,
  ]);
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('compare --out: standard formats', () => {
  it('writes stock/, model.h5 and model.onnx next to the lab files of every run', async () => {
    expect(compared.stderr).not.toMatch(/could not save/);
    expect(compared.code).toBe(0);
    for (const dir of RUNS) {
      expect((await readdir(join(out, 'models', dir))).sort(), dir).toEqual([
        'model-card.md',
        'model.h5',
        'model.json',
        'model.onnx',
        'stock',
        'weights.bin',
      ]);
      expect((await readdir(join(out, 'models', dir, 'stock'))).sort(), dir).toEqual(['model.json', 'weights.bin']);
    }
  });

  it("has stock exports that plain @tensorflow/tfjs loads in another process and that predict the lab model's softmax", async () => {
    const cases = RUNS.map((dir) => ({ name: `${dir}/stock`, count: INPUTS }));
    const expected: Float32Array[] = [];
    for (const [i, dir] of RUNS.entries()) {
      const lab = await modelFromFiles(
        await readFile(join(out, 'models', dir, 'model.json'), 'utf8'),
        await readFile(join(out, 'models', dir, 'weights.bin')),
      );
      const x = tf.randomUniform([INPUTS, 16, 16, 1], 0, 1, 'float32', 11 + i);
      const probs = tf.tidy(() => tf.softmax(lab.predict(x) as tf.Tensor2D));
      expected.push((await probs.data()) as Float32Array);
      await writeFile(
        join(out, 'models', dir, 'stock', 'input.bin'),
        new Uint8Array(((await x.data()) as Float32Array).buffer),
      );
      tf.dispose([x, probs]);
      lab.dispose();
    }
    await writeFile(join(out, 'models', 'cases.json'), JSON.stringify(cases));
    await run(process.execPath, [resolve('test/export/load-stock-child.mjs'), join(out, 'models')], {
      maxBuffer: 1 << 24,
    });
    const report = JSON.parse(await readFile(join(out, 'models', 'report.json'), 'utf8')) as Array<{
      name: string;
      outputShape: number[];
      metadata: Record<string, unknown>;
    }>;
    expect(report.map((r) => r.name)).toEqual(cases.map((c) => c.name));
    for (const [i, r] of report.entries()) {
      expect(r.outputShape).toEqual([INPUTS, 2]);
      expect(r.metadata).toMatchObject({
        modelId: RUNS[i].split('/')[0],
        classNames: ['NORMAL', 'PNEUMONIA'],
        inputSize: 16,
        channels: 1,
        output: 'probabilities',
      });
      const raw = await readFile(join(out, 'models', r.name, 'output.bin'));
      const got = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
      const diff = Math.max(...got.map((v, j) => Math.abs(v - expected[i][j])));
      expect(diff, r.name).toBeLessThan(1e-5);
    }
    // The two seeds are different models: their stock exports differ too.
    expect(expected[0]).not.toEqual(expected[1]);
  });

  it("has a model.onnx per run that onnxruntime-node runs, predicting the lab model's softmax within 1e-4", async () => {
    const start = tf.memory().numTensors;
    for (const [i, dir] of RUNS.entries()) {
      const base = join(out, 'models', dir);
      const lab = await modelFromFiles(
        await readFile(join(base, 'model.json'), 'utf8'),
        await readFile(join(base, 'weights.bin')),
      );
      const x = tf.randomUniform([INPUTS, 16, 16, 1], 0, 1, 'float32', 21 + i);
      const probs = tf.tidy(() => tf.softmax(lab.predict(x) as tf.Tensor2D));
      const want = (await probs.data()) as Float32Array;
      const session = await ort.InferenceSession.create(join(base, 'model.onnx'));
      const { probabilities } = await session.run({
        image: new ort.Tensor('float32', (await x.data()) as Float32Array, [INPUTS, 16, 16, 1]),
      });
      await session.release();
      const got = probabilities.data as Float32Array;
      const diff = Math.max(...want.map((v, j) => Math.abs(v - got[j])));
      console.info(`compare --out ${dir}/model.onnx: max |Δ| ${diff.toExponential(2)} vs the lab model's softmax`);
      expect(probabilities.dims, dir).toEqual([INPUTS, 2]);
      expect(diff, dir).toBeLessThanOrEqual(1e-4);
      tf.dispose([x, probs]);
      lab.dispose();
    }
    expect(tf.memory().numTensors).toBe(start);
  });

  it.skipIf(!hasH5py)(
    "has a model.h5 that h5py reads in the layout Keras loads, with the stock export's weights",
    async () => {
      for (const dir of RUNS) {
        const base = join(out, 'models', dir);
        const { stdout } = await runPython([
          resolve('test/export/check_keras_h5.py'),
          join(base, 'model.h5'),
          join(base, 'stock/model.json'),
          join(base, 'stock/weights.bin'),
        ]);
        const summary = JSON.parse(stdout) as { params: number; metadata: Record<string, unknown> };
        const stock = JSON.parse(await readFile(join(base, 'stock/model.json'), 'utf8')) as {
          weightsManifest: Array<{ weights: Array<{ shape: number[] }> }>;
        };
        const params = stock.weightsManifest[0].weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
        expect(summary.params, dir).toBe(params);
        expect(summary.metadata, dir).toMatchObject({
          modelId: dir.split('/')[0],
          inputSize: 16,
          output: 'probabilities',
        });
      }
    },
  );
});

if (!hasH5py)
  console.warn('skipping the .h5 check of compare --out: /usr/bin/python3 lacks h5py (apt-get install python3-h5py)');
