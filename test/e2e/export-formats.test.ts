/**
 * The page's exports, in Debian's Chromium: after training, a model downloads as stock TF.js (loaded here by a
 * separate Node process that imports only @tensorflow/tfjs, predicting what the lab-format download predicts), as a
 * Keras .h5 (checked with h5py), and the experiment as a PyTorch project zip (its split manifest, hyperparameters
 * and the trained weights; with python3-torch, the PyTorch model predicts the lab model's logits). Skipped where no
 * Chromium is installed.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/lab/models';
import { modelFromFiles } from '../../src/lab/models/model-files';
import type { ExperimentJson } from '../../src/lab/export/pytorch';
import { pythonHas, runPython } from '../helpers/python';
import { serveStatic, type StaticSite } from '../helpers/static-server';
import { useCpuBackend } from '../helpers/tf-cpu';
import { writeDataset } from '../helpers/write-dataset';
import { CHROMIUM, launchChromium, openLabPage, screenshot, waitForRunEnd } from './browser';

const run = promisify(execFile);
const MODEL = 'light-k1';
const SIZE = 32;
const HASH = `#models=${MODEL}&size=${SIZE}&epochs=1&batch=16&seeds=1&bootstrap=0&backend=wasm`;
const hasH5py = pythonHas('h5py', 'numpy');
const hasTorch = pythonHas('torch', 'numpy', 'PIL');

describe.skipIf(!CHROMIUM)('the page exports a trained model in every format, and the experiment for PyTorch', () => {
  let work: string;
  let site: StaticSite;
  let browser: Browser;
  let page: Page;
  let folder: string;
  let lab: tf.LayersModel;

  /** Clicks a download button and returns the downloaded file's bytes. */
  const download = async (testId: string): Promise<Uint8Array> => {
    const [file] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.click(`[data-testid=${testId}]`)]);
    return new Uint8Array(readFileSync((await file.path())!));
  };

  beforeAll(async () => {
    await useCpuBackend();
    work = mkdtempSync(join(tmpdir(), 'xray-lab-e2e-formats-'));
    execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--outDir', join(work, 'site'), '--emptyOutDir', '--logLevel', 'error']);
    site = await serveStatic(join(work, 'site'));
    folder = join(work, 'phantom-png');
    await writeDataset(folder, { perClass: 16, size: SIZE, seed: 21, format: 'png' });
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

  it('downloads stock TF.js that plain @tensorflow/tfjs loads in another process and that predicts the lab model\'s softmax', async () => {
    const files = unzipSync(await download(`download-stock-${MODEL}`));
    expect(Object.keys(files).sort()).toEqual(['model.json', 'weights.bin']);
    const dir = join(work, 'stock');
    mkdirSync(join(dir, MODEL), { recursive: true });
    writeFileSync(join(dir, MODEL, 'model.json'), files['model.json']);
    writeFileSync(join(dir, MODEL, 'weights.bin'), files['weights.bin']);
    const x = tf.randomUniform([4, SIZE, SIZE, 3], 0, 1, 'float32', 8);
    const probs = tf.tidy(() => tf.softmax(lab.predict(x) as tf.Tensor2D));
    const want = await probs.data() as Float32Array;
    writeFileSync(join(dir, MODEL, 'input.bin'), new Uint8Array((await x.data() as Float32Array).buffer));
    tf.dispose([x, probs]);
    writeFileSync(join(dir, 'cases.json'), JSON.stringify([{ name: MODEL, count: 4 }]));
    await run(process.execPath, [resolve('test/export/load-stock-child.mjs'), dir], { maxBuffer: 1 << 24 });
    const [report] = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Array<{ outputShape: number[]; classes: string[]; metadata: Record<string, unknown> }>;
    expect(report.outputShape).toEqual([4, 2]);
    expect(report.classes).not.toContain('LightConv2D');
    expect(report.metadata).toMatchObject({ modelId: MODEL, classNames: ['NORMAL', 'PNEUMONIA'], inputSize: SIZE, channels: 3, format: 'stock', output: 'probabilities' });
    const raw = readFileSync(join(dir, MODEL, 'output.bin'));
    const got = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    expect(Math.max(...got.map((v, i) => Math.abs(v - want[i])))).toBeLessThan(1e-5);
  }, 180_000);

  it('downloads a Keras .h5 that h5py reads in the layout Keras loads', async () => {
    const h5 = await download(`download-h5-${MODEL}`);
    expect([...h5.subarray(0, 8)]).toEqual([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]); // the HDF5 signature
    if (!hasH5py) return console.warn('skipping the h5py check of the page\'s .h5: /usr/bin/python3 lacks h5py');
    const base = join(work, 'stock', MODEL);
    writeFileSync(join(base, 'model.h5'), h5);
    const { stdout } = await runPython([resolve('test/export/check_keras_h5.py'), join(base, 'model.h5'), join(base, 'model.json'), join(base, 'weights.bin')]);
    expect(JSON.parse(stdout)).toMatchObject({ params: lab.countParams(), metadata: { modelId: MODEL, output: 'probabilities' } });
  }, 180_000);

  it('downloads the experiment as a PyTorch project with its split manifest and the trained weights', async () => {
    const files = unzipSync(await download('download-pytorch'));
    await screenshot(page, 'export-formats');
    for (const name of ['train.py', 'trainer.py', 'models.py', 'data.py', 'README.md', 'requirements.txt', 'experiment.json', `weights/${MODEL}-seed1.safetensors`]) {
      expect(files[name], name).toBeDefined();
    }
    const experiment = JSON.parse(new TextDecoder().decode(files['experiment.json'])) as ExperimentJson;
    expect(experiment.hyperparameters).toMatchObject({ size: SIZE, channels: 3, epochs: 1, batchSize: 16, seeds: [1] });
    expect(experiment.models.map((m) => [m.id, m.trained])).toEqual([[MODEL, { 1: `weights/${MODEL}-seed1.safetensors` }]]);
    const all = [...experiment.splits.train, ...experiment.splits.val, ...experiment.splits.test];
    expect(all).toHaveLength(32);
    expect(experiment.splits.test.length).toBeGreaterThan(0);
    for (const e of all) expect(readFileSync(join(folder, e.path)).byteLength, e.path).toBeGreaterThan(0); // paths relative to the dropped folder
    for (const e of all) expect(e.path.split('/')[0]).toBe(e.label);
    if (!hasTorch) return console.warn('skipping the PyTorch parity check of the page\'s project: /usr/bin/python3 lacks torch');
    const project = join(work, 'pytorch');
    for (const [name, bytes] of Object.entries(files)) {
      mkdirSync(join(project, name, '..'), { recursive: true });
      writeFileSync(join(project, name), bytes);
    }
    const x = tf.randomUniform([3, SIZE, SIZE, 3], 0, 1, 'float32', 9);
    const logits = lab.predict(x) as tf.Tensor;
    const want = await logits.data() as Float32Array;
    writeFileSync(join(work, 'inputs.bin'), new Uint8Array((await x.data() as Float32Array).buffer));
    tf.dispose([x, logits]);
    writeFileSync(join(work, 'jobs.json'), JSON.stringify({ predict: [{ project, modelId: MODEL, seed: 1, inputs: join(work, 'inputs.bin'), count: 3, outputs: join(work, 'logits.bin') }] }));
    await runPython([resolve('test/export/pytorch_probe.py'), join(work, 'jobs.json')]);
    const raw = readFileSync(join(work, 'logits.bin'));
    const got = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    expect(Math.max(...got.map((v, i) => Math.abs(v - want[i])))).toBeLessThan(1e-4);
  }, 180_000);
});
