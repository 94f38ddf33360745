/**
 * Keras .h5 export: h5py (Debian's python3-h5py) opens it, finds the layout Keras' load_model reads, the shapes the
 * layers' configs imply, and exactly the weights of the stock TF.js export. Skipped, with a message, without h5py.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kerasH5File, stockModelToKerasH5 } from '../../src/lab/export/keras-h5';
import { stockModelToFiles, toStockModel } from '../../src/lab/export/stock';
import { readH5Weights } from '../../src/lab/transfer/read-h5';
import { scratchCases, transferCases, type ExportCase } from '../helpers/export-models';
import { pythonHas, runPython } from '../helpers/python';
import { useCpuBackend } from '../helpers/tf-cpu';

const hasH5py = pythonHas('h5py', 'numpy');
let cases: ExportCase[] = [];
let work = '';

beforeAll(async () => {
  await useCpuBackend();
  cases = [
    ...scratchCases().filter((c) => ['cnn', 'light-k2', 'light-k7'].includes(c.name)),
    ...(await transferCases()),
  ];
  work = await mkdtemp(join(tmpdir(), 'xray-h5-'));
});
afterAll(async () => {
  for (const c of cases) c.model.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('Keras .h5 export', () => {
  it("reads back with the lab's own .h5 reader: every layer with weights, values unchanged", async () => {
    const c = cases.find((x) => x.name === 'light-k2')!;
    const stock = await toStockModel(c.model);
    const source = await readH5Weights(await stockModelToKerasH5(stock, c.meta), 'light-k2.h5');
    const withWeights = stock.layers.filter((l) => l.weights.length > 0);
    expect(source.layers.map((l) => l.name)).toEqual(withWeights.map((l) => l.name));
    for (const [i, layer] of withWeights.entries()) {
      expect(source.layers[i].weights.map((w) => w.shape)).toEqual(layer.weights.map((w) => w.shape));
      source.layers[i].weights.forEach((w, j) => expect(w.values).toEqual(layer.weights[j].values));
    }
  });

  it('leaves nothing behind in tensors', async () => {
    const before = tf.memory().numTensors;
    await kerasH5File(cases[0].model, cases[0].meta);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.skipIf(!hasH5py)("opens with h5py in the layout Keras reads, with the TF.js export's weights", async () => {
    for (const c of cases) {
      const stock = await toStockModel(c.model);
      const files = stockModelToFiles(stock, c.meta);
      const h5 = await stockModelToKerasH5(stock, c.meta);
      const base = join(work, c.name);
      await writeFile(`${base}.h5`, h5);
      await writeFile(`${base}.json`, files.modelJson);
      await writeFile(`${base}.bin`, files.weights);
      const { stdout } = await runPython([
        resolve('test/export/check_keras_h5.py'),
        `${base}.h5`,
        `${base}.json`,
        `${base}.bin`,
      ]);
      const summary = JSON.parse(stdout) as { params: number; layers: number; metadata: Record<string, unknown> };
      console.info(
        `keras .h5 ${c.name}: ${summary.layers} layers, ${summary.params} weights, ${(h5.byteLength / 2 ** 20).toFixed(2)} MiB`,
      );
      expect(summary.params, c.name).toBe(c.model.countParams());
      expect(summary.metadata, c.name).toMatchObject({ ...c.meta, output: 'probabilities' });
    }
  });

  it.skipIf(!hasH5py)('the h5py check fails on a file whose weights were moved', async () => {
    const c = cases.find((x) => x.name === 'cnn')!;
    const stock = await toStockModel(c.model);
    const files = stockModelToFiles(stock, c.meta);
    // Swap two BatchNorm layers' weights: same shapes, so only the value comparison can notice.
    const layers = [...stock.layers];
    const a = layers.findIndex((l) => l.name === 'block1_conv1_bn');
    const b = layers.findIndex((l) => l.name === 'block1_conv2_bn');
    const rename = (from: (typeof layers)[number], to: string) => ({
      ...from,
      name: to,
      weights: from.weights.map((w) => ({ ...w, name: `${to}/${w.name.split('/')[1]}` })),
    });
    [layers[a], layers[b]] = [rename(layers[b], layers[a].name), rename(layers[a], layers[b].name)];
    await writeFile(join(work, 'moved.h5'), await stockModelToKerasH5({ ...stock, layers }, c.meta));
    await writeFile(join(work, 'moved.json'), files.modelJson);
    await writeFile(join(work, 'moved.bin'), files.weights);
    await expect(
      runPython([
        resolve('test/export/check_keras_h5.py'),
        join(work, 'moved.h5'),
        join(work, 'moved.json'),
        join(work, 'moved.bin'),
      ]),
    ).rejects.toThrow(/block1_conv1_bn\/gamma:0 differs from the TF.js export/);
  });
});
if (!hasH5py)
  console.warn(
    'skipping the h5py checks of the Keras .h5 export: /usr/bin/python3 has no h5py (apt-get install python3-h5py)',
  );
