/**
 * The page's ONNX export, in Debian's Chromium: after training, `download-onnx-<id>` gives a model.onnx that
 * onnxruntime-node runs, predicting the lab-format download's softmax, and "Download all" holds
 * models/<id>/model.onnx as `compare --out` writes it; the Classify panel, given that model.onnx, scores X-rays in
 * onnxruntime-web (its .wasm from the built site) as the trained model does. Skipped where no Chromium is installed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import * as ort from 'onnxruntime-node';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/lab/models';
import { modelFromFiles } from '../../src/lab/models/model-files';
import { serveStatic, type StaticSite } from '../helpers/static-server';
import { useCpuBackend } from '../helpers/tf-cpu';
import { writeDataset, type WrittenDataset } from '../helpers/write-dataset';
import { CHROMIUM, launchChromium, openLabPage, waitForRunEnd } from './browser';

const MODEL = 'light-k2';
const SIZE = 32;
const HASH = `#models=${MODEL}&size=${SIZE}&epochs=1&batch=16&seeds=1&bootstrap=0&backend=wasm`;

describe.skipIf(!CHROMIUM)('the page exports a trained model as ONNX', () => {
  let work: string;
  let site: StaticSite;
  let browser: Browser;
  let page: Page;
  let lab: tf.LayersModel;
  let written: WrittenDataset;
  let folder: string;

  /** Clicks a download button and returns the downloaded file's bytes. */
  const download = async (testId: string): Promise<Uint8Array> => {
    const [file] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.click(`[data-testid=${testId}]`)]);
    return new Uint8Array(readFileSync((await file.path())!));
  };

  /**
   * Largest |Δ| between what onnxruntime-node makes of `onnx` and the lab model's softmax, on three of the dataset's
   * images (grey repeated into RGB, as the lab feeds them): noise would drive the outputs to 0 and 1, where any
   * export agrees.
   */
  const onnxVsLab = async (onnx: Uint8Array, first: number): Promise<number> => {
    const x = tf.tidy(() => {
      const per = SIZE * SIZE;
      const grey = tf.tensor4d(written.set.pixels.slice(first * per, (first + 3) * per), [3, SIZE, SIZE, 1], 'float32');
      return tf.tile(tf.div(grey, 255), [1, 1, 1, 3]);
    });
    const probs = tf.tidy(() => tf.softmax(lab.predict(x) as tf.Tensor2D));
    const want = await probs.data() as Float32Array;
    expect(Math.min(...want), 'the lab model is not saturated on these images').toBeGreaterThan(1e-4);
    const session = await ort.InferenceSession.create(onnx);
    const { probabilities } = await session.run({ image: new ort.Tensor('float32', await x.data() as Float32Array, [3, SIZE, SIZE, 3]) });
    await session.release();
    tf.dispose([x, probs]);
    expect(probabilities.dims).toEqual([3, 2]);
    const got = probabilities.data as Float32Array;
    return Math.max(...want.map((v, i) => Math.abs(v - got[i])));
  };

  beforeAll(async () => {
    await useCpuBackend();
    work = mkdtempSync(join(tmpdir(), 'xray-lab-e2e-onnx-'));
    execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--outDir', join(work, 'site'), '--emptyOutDir', '--logLevel', 'error']);
    site = await serveStatic(join(work, 'site'));
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

  it(`downloads a model.onnx (download-onnx-${MODEL}) that onnxruntime-node runs as the lab model predicts`, async () => {
    const start = tf.memory().numTensors;
    const diff = await onnxVsLab(await download(`download-onnx-${MODEL}`), 0);
    console.info(`page's model.onnx: max |Δ| ${diff.toExponential(2)} vs the lab model's softmax`);
    expect(diff).toBeLessThanOrEqual(1e-4);
    expect(tf.memory().numTensors).toBe(start);
  }, 180_000);

  it('puts models/<id>/model.onnx in "Download all", beside the lab files and the other formats', async () => {
    const files = unzipSync(await download('download-all'));
    // The results bundle (experiment/results-bundle.ts): every format compare --out writes.
    expect(Object.keys(files).filter((p) => p.startsWith(`models/${MODEL}/`)).sort())
      .toEqual(['model-card.md', 'model.h5', 'model.json', 'model.onnx', 'stock/model.json', 'stock/weights.bin', 'weights.bin'].map((f) => `models/${MODEL}/${f}`).sort());
    expect(await onnxVsLab(files[`models/${MODEL}/model.onnx`], 14)).toBeLessThanOrEqual(1e-4);
  }, 180_000);

  it('classifies dropped X-rays with a dropped model.onnx in onnxruntime-web, as the trained model does', async () => {
    const onnxPath = join(work, 'model.onnx');
    writeFileSync(onnxPath, await download(`download-onnx-${MODEL}`));
    const images = [0, 5, 20].map((i) => join(folder, written.images[i]));
    const scores = async (count: number) => {
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid=classify-result][data-probabilities]').length === n
        && [...document.querySelectorAll('[data-testid=classify-result]')].every((e) => e.getAttribute('data-probabilities') !== '[]'), count, { timeout: 120_000 });
      return page.$$eval('[data-testid=classify-result]', (items) => items.map((e) => [e.getAttribute('data-file'), JSON.parse(e.getAttribute('data-probabilities')!)] as [string, number[]]));
    };
    const requests: string[] = [];
    page.context().on('request', (request) => requests.push(request.url()));

    await page.selectOption('[data-testid=classify-model]', { index: 0 }); // the model trained here, in TF.js
    await page.setInputFiles('[data-testid=classify-input]', images);
    const trained = await scores(3);
    await page.setInputFiles('[data-testid=classify-input]', [join(folder, written.images[1])]);
    await scores(1);

    await page.setInputFiles('[data-testid=classify-model-input]', onnxPath);
    await page.waitForFunction(() => {
      const select = document.querySelector<HTMLSelectElement>('[data-testid=classify-model]');
      return select?.selectedOptions[0]?.textContent?.includes('model.onnx (loaded from files)') ?? false;
    }, null, { timeout: 60_000 });
    await page.setInputFiles('[data-testid=classify-input]', images);
    const fromOnnx = await scores(3);

    expect(fromOnnx.map(([file]) => file)).toEqual(trained.map(([file]) => file));
    let worst = 0;
    for (const [i, [, probs]] of fromOnnx.entries()) {
      expect(probs).toHaveLength(2);
      for (const [c, p] of probs.entries()) worst = Math.max(worst, Math.abs(p - trained[i][1][c]));
    }
    console.info(`Classify panel, model.onnx in onnxruntime-web vs the trained TF.js model: max |Δ| ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-4);
    expect(Math.min(...trained.flatMap(([, p]) => p))).toBeGreaterThan(1e-4); // not saturated: the comparison means something
    // onnxruntime-web's WebAssembly came from the site itself, and nothing else was asked of any other host.
    expect(requests.some((url) => url.startsWith(site.url) && /ort-wasm[^/]*\.wasm$/.test(url))).toBe(true);
    expect(requests.filter((url) => !url.startsWith(site.url) && !url.startsWith('blob:') && !url.startsWith('data:'))).toEqual([]);
  }, 240_000);
});
