/**
 * Stock TF.js export of every registry model: only stock Keras layer classes, the same number of weights, a final
 * softmax, the metadata that travels with it — and a separate Node process that imports only @tensorflow/tfjs loads
 * each export and predicts what the lab's model predicts (softmax of its logits) within 1e-5.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelToFiles } from '../../src/lab/models/model-files';
import { NotStockError, STOCK_LAYER_CLASSES, stockModelFiles, toStockModel } from '../../src/lab/export/stock';
import { findModel } from '../../src/lab/registry';
import { buildTransferHead } from '../../src/lab/models/transfer-head';
import { perturbWeights, sampleInputs, scratchCases, transferCases, type ExportCase } from '../helpers/export-models';
import { maxAbsDiff, useCpuBackend } from '../helpers/tf-cpu';

const run = promisify(execFile);
const INPUTS = 3;

let cases: ExportCase[] = [];
let work = '';

beforeAll(async () => {
  await useCpuBackend();
  cases = [...scratchCases(), ...(await transferCases())];
  work = await mkdtemp(join(tmpdir(), 'xray-stock-'));
});
afterAll(async () => {
  for (const c of cases) c.model.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('stock export: structure', () => {
  it('rewrites LightConv2D as two Conv2D (relu, then linear) with the same kernel, strides and padding', async () => {
    const model = findModel('light-k3').build({ size: 16, channels: 1 });
    const stock = await toStockModel(model);
    const layers = stock.topology.config.layers;
    const first = layers.find((l) => l.name === 'block2_light1_rank')!;
    const second = layers.find((l) => l.name === 'block2_light1')!;
    expect(first).toMatchObject({
      class_name: 'Conv2D',
      config: { filters: 3, kernel_size: [3, 3], strides: [1, 1], padding: 'same', activation: 'relu' },
    });
    expect(second).toMatchObject({
      class_name: 'Conv2D',
      config: { filters: 16, kernel_size: [3, 3], activation: 'linear' },
    });
    expect(second.inbound_nodes).toEqual([[['block2_light1_rank', 0, 0, {}]]]);
    // The LightConv2D's inputs now feed its first half; whatever consumed it still consumes the second.
    expect(first.inbound_nodes).toEqual([[['block1_pool', 0, 0, {}]]]);
    expect(layers.find((l) => l.name === 'block2_bn1')!.inbound_nodes).toEqual([[['block2_light1', 0, 0, {}]]]);
    expect(stock.params).toBe(model.countParams());
    model.dispose();
  });

  it('gives every model only stock classes, all its weights and a final softmax', async () => {
    for (const c of cases) {
      const stock = await toStockModel(c.model);
      const classes = new Set(stock.topology.config.layers.map((l) => l.class_name));
      expect(
        [...classes].filter((k) => !STOCK_LAYER_CLASSES.has(k)),
        c.name,
      ).toEqual([]);
      expect(stock.params, c.name).toBe(c.model.countParams());
      const last = stock.topology.config.layers.at(-1)!;
      expect(last).toMatchObject({ class_name: 'Activation', config: { activation: 'softmax' } });
      expect(stock.topology.config.output_layers).toEqual([[last.name, 0, 0]]);
    }
  });

  it("folds LightDense's sqrt(2/units) scale into two Dense kernels (3 classes: scale ≠ 1)", async () => {
    const head = buildTransferHead({ features: 16, numClasses: 3, lightRank: 3, seed: 5 });
    perturbWeights(head, 9);
    const stock = await toStockModel(head);
    expect(stock.topology.config.layers.map((l) => [l.name, l.class_name])).toEqual([
      ['features', 'InputLayer'],
      ['logits_rank', 'Dense'],
      ['logits', 'Dense'],
      ['probabilities', 'Activation'],
    ]);
    expect(stock.topology.config.layers[1].config).toMatchObject({ units: 3, use_bias: false });
    const files = await stockModelFiles(head, {
      modelId: 'head',
      classNames: ['a', 'b', 'c'],
      inputSize: 1,
      channels: 1,
      pixelRange: '0,1',
    });
    const json = JSON.parse(files.modelJson);
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: files.weights.slice().buffer,
      }),
    );
    const x = tf.randomNormal([5, 16], 0, 1, 'float32', 3);
    const want = tf.tidy(() => tf.softmax(head.predict(x) as tf.Tensor2D));
    expect(maxAbsDiff(loaded.predict(x) as tf.Tensor, want)).toBeLessThan(1e-6);
    tf.dispose([x, want]);
    head.dispose();
    loaded.dispose();
  });

  it('says which layer has no stock equivalent', async () => {
    class Mystery extends tf.layers.Layer {
      static className = 'Mystery';
      override call(x: tf.Tensor | tf.Tensor[]) {
        return Array.isArray(x) ? x[0] : x;
      }
    }
    const input = tf.input({ shape: [4] });
    const model = tf.model({
      inputs: input,
      outputs: new Mystery({ name: 'odd_one' }).apply(input) as tf.SymbolicTensor,
    });
    await expect(toStockModel(model)).rejects.toThrow(NotStockError);
    await expect(toStockModel(model)).rejects.toThrow(
      /layer "odd_one" is a Mystery, which has no stock Keras equivalent/,
    );
  });

  it('checks the metadata it is given', async () => {
    const model = findModel('light-k1').build({ size: 16 });
    const meta = {
      modelId: 'light-k1',
      classNames: ['A', 'B'],
      inputSize: 16,
      channels: 3 as const,
      pixelRange: '0,1' as const,
    };
    await expect(stockModelFiles(model, { ...meta, classNames: ['A'] })).rejects.toThrow(
      /classNames must list at least two classes/,
    );
    await expect(stockModelFiles(model, { ...meta, channels: 2 as never })).rejects.toThrow(/channels must be 1 or 3/);
    model.dispose();
  });

  it('creates no tensors', async () => {
    const model = findModel('light-k2').build({ size: 16 });
    const before = tf.memory().numTensors;
    await stockModelFiles(model, {
      modelId: 'light-k2',
      classNames: ['A', 'B'],
      inputSize: 16,
      channels: 3,
      pixelRange: '0,1',
    });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("is as large as the lab's own export (same weights, regrouped)", async () => {
    const c = cases.find((x) => x.name === 'light-k2')!;
    const stock = await stockModelFiles(c.model, c.meta);
    const lab = await modelToFiles(c.model);
    expect(stock.weights.byteLength).toBe(lab.weights.byteLength);
  });
});

describe('stock export: loaded by plain @tensorflow/tfjs in another process', () => {
  it("predicts the lab model's softmax(logits) within 1e-5 for every registry model", async () => {
    const expected = new Map<string, Float32Array>();
    for (const [i, c] of cases.entries()) {
      const files = await stockModelFiles(c.model, c.meta);
      const x = sampleInputs(c.meta, INPUTS, 40 + i);
      const probs = tf.tidy(() => tf.softmax(c.model.predict(x) as tf.Tensor2D));
      expected.set(c.name, (await probs.data()) as Float32Array);
      await mkdir(join(work, c.name));
      await writeFile(join(work, c.name, 'model.json'), files.modelJson);
      await writeFile(join(work, c.name, files.weightsFileName), files.weights);
      await writeFile(join(work, c.name, 'input.bin'), new Uint8Array(((await x.data()) as Float32Array).buffer));
      tf.dispose([x, probs]);
    }
    await writeFile(join(work, 'cases.json'), JSON.stringify(cases.map((c) => ({ name: c.name, count: INPUTS }))));
    await run(process.execPath, [resolve('test/export/load-stock-child.mjs'), work], { maxBuffer: 1 << 24 });

    const report = JSON.parse(await readFile(join(work, 'report.json'), 'utf8')) as Array<{
      name: string;
      outputShape: number[];
      params: number;
      classes: string[];
      metadata: Record<string, unknown>;
    }>;
    expect(report.map((r) => r.name)).toEqual(cases.map((c) => c.name));
    for (const r of report) {
      const c = cases.find((x) => x.name === r.name)!;
      expect(r.outputShape, r.name).toEqual([INPUTS, 2]);
      expect(r.params, r.name).toBe(c.model.countParams());
      expect(
        r.classes.filter((k) => !STOCK_LAYER_CLASSES.has(k)),
        r.name,
      ).toEqual([]);
      expect(r.metadata, r.name).toMatchObject({ ...c.meta, format: 'stock', output: 'probabilities' });
      const raw = await readFile(join(work, r.name, 'output.bin'));
      const got = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
      const want = expected.get(r.name)!;
      const diff = Math.max(...got.map((v, i) => Math.abs(v - want[i])));
      console.info(
        `stock ${r.name}: max |Δ| ${diff.toExponential(2)} vs the lab model's softmax (${r.classes.length} layer classes)`,
      );
      expect(diff, r.name).toBeLessThan(1e-5);
      for (let row = 0; row < INPUTS; row++) expect(got[2 * row] + got[2 * row + 1]).toBeCloseTo(1, 5);
    }
  });
});
