/**
 * The page's exports, in Debian's Chromium, from one model trained on the page: the lab-format download; stock TF.js
 * (loaded by a separate Node process that imports only @tensorflow/tfjs, predicting what the lab-format download
 * predicts); a Keras .h5 (checked with h5py); a model.onnx that onnxruntime-node runs as the lab model predicts, also
 * inside "Download all" as `compare --out` writes it; the experiment as a PyTorch project zip (its split manifest,
 * hyperparameters and the trained weights; with python3-torch, the PyTorch model predicts the lab model's logits);
 * and the Classify panel scoring X-rays with that model.onnx in onnxruntime-web (its .wasm from the built site) as
 * the trained model does. Skipped where no Chromium is installed.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import * as ort from 'onnxruntime-node';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/lab/models';
import type { ExperimentJson } from '../../src/lab/export/pytorch';
import { modelFromFiles } from '../../src/lab/models/model-files';
import { pythonHas, runPython } from '../helpers/python';
import { useCpuBackend } from '../helpers/tf-cpu';
import { writeDataset, type WrittenDataset } from '../helpers/write-dataset';
import { CHROMIUM, launchChromium, openLabPage, screenshot, waitForRunEnd } from './browser';
import { serveLabSite, type StaticSite } from './lab-site';

const run = promisify(execFile);
const MODEL = 'light-k2';
const SIZE = 32;
const HASH = `#models=${MODEL}&size=${SIZE}&epochs=1&batch=16&seeds=1&bootstrap=0&backend=wasm`;
const hasH5py = pythonHas('h5py', 'numpy');
const hasTorch = pythonHas('torch', 'numpy', 'PIL');

describe.skipIf(!CHROMIUM)('the page exports a trained model in every format, and the experiment for PyTorch', () => {
  let work: string;
  let site: StaticSite;
  let browser: Browser;
  let page: Page;
  let lab: tf.LayersModel;
  let written: WrittenDataset;
  let folder: string;

  /** Clicks a download button and returns the downloaded file's bytes. */
  const download = async (testId: string): Promise<Uint8Array> => {
    const [file] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      page.click(`[data-testid=${testId}]`),
    ]);
    return new Uint8Array(readFileSync((await file.path())!));
  };

  /**
   * Largest |Δ| between what onnxruntime-node makes of `onnx` and the lab model's softmax, on three of the dataset's
   * images (grey repeated into RGB, as the lab feeds them): noise would drive the outputs to 0 and 1, where any
   * export agrees.
   */
  const labInput = (first: number, count: number) =>
    tf.tidy(() => {
      const per = SIZE * SIZE;
      const pixels = written.set.pixels.slice(first * per, (first + count) * per);
      const grey = tf.tensor4d(pixels, [count, SIZE, SIZE, 1], 'float32');
      return tf.tile(tf.div(grey, 255), [1, 1, 1, 3]);
    });

  /**
   * The first of three consecutive images, from image `from` on, whose every class probability the lab model puts
   * above 1e-3: how saturated a one-epoch model is on a given image depends on the recipe it was trained with.
   */
  const unsaturatedFrom = async (from: number): Promise<number> => {
    const count = written.set.pixels.length / (SIZE * SIZE);
    const x = labInput(0, count);
    const probs = tf.tidy(() => tf.softmax(lab.predict(x) as tf.Tensor2D));
    const p = (await probs.data()) as Float32Array;
    tf.dispose([x, probs]);
    const fine = (i: number) => Math.min(p[2 * i], p[2 * i + 1]) > 1e-3;
    for (let i = from; i + 2 < count; i++) if (fine(i) && fine(i + 1) && fine(i + 2)) return i;
    throw new Error(`the lab model is saturated on every three consecutive images from ${from} on`);
  };

  const onnxVsLab = async (onnx: Uint8Array, first: number): Promise<number> => {
    const x = labInput(first, 3);
    const probs = tf.tidy(() => tf.softmax(lab.predict(x) as tf.Tensor2D));
    const want = (await probs.data()) as Float32Array;
    expect(Math.min(...want), 'the lab model is not saturated on these images').toBeGreaterThan(1e-4);
    const session = await ort.InferenceSession.create(onnx);
    const image = new ort.Tensor('float32', (await x.data()) as Float32Array, [3, SIZE, SIZE, 3]);
    const { probabilities } = await session.run({ image });
    await session.release();
    tf.dispose([x, probs]);
    expect(probabilities.dims).toEqual([3, 2]);
    const got = probabilities.data as Float32Array;
    return Math.max(...want.map((v, i) => Math.abs(v - got[i])));
  };

  beforeAll(async () => {
    await useCpuBackend();
    work = mkdtempSync(join(tmpdir(), 'xray-lab-e2e-exports-'));
    site = await serveLabSite();
    folder = join(work, 'phantom-png');
    written = await writeDataset(folder, { perClass: 16, size: SIZE, seed: 23, format: 'png' });
    browser = await launchChromium();
    page = await openLabPage(browser, site.url + HASH);
    await page.waitForSelector('[data-testid=backend-indicator][data-backend=wasm]', { timeout: 60_000 });
    await page.setInputFiles('[data-testid=dataset-input]', folder);
    await page.waitForSelector('[data-testid=dataset-summary][data-count="32"]', { timeout: 60_000 });
    await page.click('[data-testid=train-button]');
    await waitForRunEnd(page);
    const files = unzipSync(await download(`download-${MODEL}`));
    lab = await modelFromFiles(new TextDecoder().decode(files['model.json']), files['weights.bin']);
  }, 400_000);

  afterAll(async () => {
    lab?.dispose();
    await browser?.close();
    await site?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it(`downloads model.onnx (download-onnx-${MODEL}); onnxruntime-node runs it as the lab model predicts`, async () => {
    const start = tf.memory().numTensors;
    const diff = await onnxVsLab(await download(`download-onnx-${MODEL}`), await unsaturatedFrom(0));
    console.info(`page's model.onnx: max |Δ| ${diff.toExponential(2)} vs the lab model's softmax`);
    expect(diff).toBeLessThanOrEqual(1e-4);
    expect(tf.memory().numTensors).toBe(start);
  }, 180_000);

  it('puts models/<id>/model.onnx in "Download all", beside the lab files and the other formats', async () => {
    const files = unzipSync(await download('download-all'));
    // The results bundle (experiment/results-bundle.ts): every format compare --out writes.
    expect(
      Object.keys(files)
        .filter((p) => p.startsWith(`models/${MODEL}/`))
        .sort(),
    ).toEqual(
      ['model-card.md', 'model.h5', 'model.json', 'model.onnx', 'stock/model.json', 'stock/weights.bin', 'weights.bin']
        .map((f) => `models/${MODEL}/${f}`)
        .sort(),
    );
    expect(await onnxVsLab(files[`models/${MODEL}/model.onnx`], await unsaturatedFrom(14))).toBeLessThanOrEqual(1e-4);
  }, 180_000);

  it(
    "downloads stock TF.js that plain @tensorflow/tfjs loads in another process and that predicts the lab model's " +
      'softmax',
    async () => {
      const files = unzipSync(await download(`download-stock-${MODEL}`));
      expect(Object.keys(files).sort()).toEqual(['model.json', 'weights.bin']);
      const dir = join(work, 'stock');
      mkdirSync(join(dir, MODEL), { recursive: true });
      writeFileSync(join(dir, MODEL, 'model.json'), files['model.json']);
      writeFileSync(join(dir, MODEL, 'weights.bin'), files['weights.bin']);
      const x = tf.randomUniform([4, SIZE, SIZE, 3], 0, 1, 'float32', 8);
      const probs = tf.tidy(() => tf.softmax(lab.predict(x) as tf.Tensor2D));
      const want = (await probs.data()) as Float32Array;
      writeFileSync(join(dir, MODEL, 'input.bin'), new Uint8Array(((await x.data()) as Float32Array).buffer));
      tf.dispose([x, probs]);
      writeFileSync(join(dir, 'cases.json'), JSON.stringify([{ name: MODEL, count: 4 }]));
      await run(process.execPath, [resolve('test/export/load-stock-child.mjs'), dir], { maxBuffer: 1 << 24 });
      type Report = { outputShape: number[]; classes: string[]; metadata: Record<string, unknown> };
      const [report] = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report[];
      expect(report.outputShape).toEqual([4, 2]);
      expect(report.classes).not.toContain('LightConv2D');
      expect(report.metadata).toMatchObject({
        modelId: MODEL,
        classNames: ['NORMAL', 'PNEUMONIA'],
        inputSize: SIZE,
        channels: 3,
        format: 'stock',
        output: 'probabilities',
      });
      const raw = readFileSync(join(dir, MODEL, 'output.bin'));
      const got = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
      expect(Math.max(...got.map((v, i) => Math.abs(v - want[i])))).toBeLessThan(1e-5);
    },
    180_000,
  );

  it('downloads a Keras .h5 that h5py reads in the layout Keras loads', async () => {
    const h5 = await download(`download-h5-${MODEL}`);
    expect([...h5.subarray(0, 8)]).toEqual([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]); // the HDF5 signature
    if (!hasH5py) return console.warn("skipping the h5py check of the page's .h5: /usr/bin/python3 lacks h5py");
    const base = join(work, 'stock', MODEL);
    writeFileSync(join(base, 'model.h5'), h5);
    const { stdout } = await runPython([
      resolve('test/export/check_keras_h5.py'),
      join(base, 'model.h5'),
      join(base, 'model.json'),
      join(base, 'weights.bin'),
    ]);
    expect(JSON.parse(stdout)).toMatchObject({
      params: lab.countParams(),
      metadata: { modelId: MODEL, output: 'probabilities' },
    });
  }, 180_000);

  it('downloads the experiment as a PyTorch project with its split manifest and the trained weights', async () => {
    const files = unzipSync(await download('download-pytorch'));
    await screenshot(page, 'export-formats');
    for (const name of [
      'train.py',
      'trainer.py',
      'models.py',
      'data.py',
      'README.md',
      'requirements.txt',
      'experiment.json',
      `weights/${MODEL}-seed1.safetensors`,
    ]) {
      expect(files[name], name).toBeDefined();
    }
    const experiment = JSON.parse(new TextDecoder().decode(files['experiment.json'])) as ExperimentJson;
    expect(experiment.hyperparameters).toMatchObject({ size: SIZE, channels: 3, epochs: 1, batchSize: 16, seeds: [1] });
    expect(experiment.models.map((m) => [m.id, m.trained])).toEqual([
      [MODEL, { 1: `weights/${MODEL}-seed1.safetensors` }],
    ]);
    const all = [...experiment.splits.train, ...experiment.splits.val, ...experiment.splits.test];
    expect(all).toHaveLength(32);
    expect(experiment.splits.test.length).toBeGreaterThan(0);
    // Paths relative to the dropped folder.
    for (const e of all) expect(readFileSync(join(folder, e.path)).byteLength, e.path).toBeGreaterThan(0);
    for (const e of all) expect(e.path.split('/')[0]).toBe(e.label);
    if (!hasTorch) {
      return console.warn("skipping the PyTorch parity check of the page's project: /usr/bin/python3 lacks torch");
    }
    const project = join(work, 'pytorch');
    for (const [name, bytes] of Object.entries(files)) {
      mkdirSync(join(project, name, '..'), { recursive: true });
      writeFileSync(join(project, name), bytes);
    }
    const x = tf.randomUniform([3, SIZE, SIZE, 3], 0, 1, 'float32', 9);
    const logits = lab.predict(x) as tf.Tensor;
    const want = (await logits.data()) as Float32Array;
    writeFileSync(join(work, 'inputs.bin'), new Uint8Array(((await x.data()) as Float32Array).buffer));
    tf.dispose([x, logits]);
    const job = {
      project,
      modelId: MODEL,
      seed: 1,
      inputs: join(work, 'inputs.bin'),
      count: 3,
      outputs: join(work, 'logits.bin'),
    };
    writeFileSync(join(work, 'jobs.json'), JSON.stringify({ predict: [job] }));
    await runPython([resolve('test/export/pytorch_probe.py'), join(work, 'jobs.json')]);
    const raw = readFileSync(join(work, 'logits.bin'));
    const got = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    expect(Math.max(...got.map((v, i) => Math.abs(v - want[i])))).toBeLessThan(1e-4);
  }, 180_000);
  it('classifies dropped X-rays with a dropped model.onnx in onnxruntime-web, as the trained model does', async () => {
    const onnxPath = join(work, 'model.onnx');
    writeFileSync(onnxPath, await download(`download-onnx-${MODEL}`));
    const images = [0, 5, 20].map((i) => join(folder, written.images[i]));
    const scores = async (count: number) => {
      await page.waitForFunction(
        (n) =>
          document.querySelectorAll('[data-testid=classify-result][data-probabilities]').length === n &&
          [...document.querySelectorAll('[data-testid=classify-result]')].every(
            (e) => e.getAttribute('data-probabilities') !== '[]',
          ),
        count,
        { timeout: 120_000 },
      );
      return page.$$eval('[data-testid=classify-result]', (items) =>
        items.map(
          (e) => [e.getAttribute('data-file'), JSON.parse(e.getAttribute('data-probabilities')!)] as [string, number[]],
        ),
      );
    };
    const requests: string[] = [];
    page.context().on('request', (request) => requests.push(request.url()));

    await page.selectOption('[data-testid=classify-model]', { index: 0 }); // the model trained here, in TF.js
    await page.setInputFiles('[data-testid=classify-input]', images);
    const trained = await scores(3);
    await page.setInputFiles('[data-testid=classify-input]', [join(folder, written.images[1])]);
    await scores(1);

    await page.setInputFiles('[data-testid=classify-model-input]', onnxPath);
    await page.waitForFunction(
      () => {
        const select = document.querySelector<HTMLSelectElement>('[data-testid=classify-model]');
        return select?.selectedOptions[0]?.textContent?.includes('model.onnx (loaded from files)') ?? false;
      },
      null,
      { timeout: 60_000 },
    );
    await page.setInputFiles('[data-testid=classify-input]', images);
    const fromOnnx = await scores(3);

    expect(fromOnnx.map(([file]) => file)).toEqual(trained.map(([file]) => file));
    let worst = 0;
    for (const [i, [, probs]] of fromOnnx.entries()) {
      expect(probs).toHaveLength(2);
      for (const [c, p] of probs.entries()) worst = Math.max(worst, Math.abs(p - trained[i][1][c]));
    }
    console.info(
      'Classify panel, model.onnx in onnxruntime-web vs the trained TF.js model: ' +
        `max |Δ| ${worst.toExponential(2)}`,
    );
    expect(worst).toBeLessThanOrEqual(1e-4);
    // Not saturated: the comparison means something.
    expect(Math.min(...trained.flatMap(([, p]) => p))).toBeGreaterThan(1e-4);
    // onnxruntime-web's WebAssembly came from the site itself, and nothing else was asked of any other host.
    expect(requests.some((url) => url.startsWith(site.url) && /ort-wasm[^/]*\.wasm$/.test(url))).toBe(true);
    const elsewhere = requests.filter(
      (url) => !url.startsWith(site.url) && !url.startsWith('blob:') && !url.startsWith('data:'),
    );
    expect(elsewhere).toEqual([]);
  }, 240_000);
});
