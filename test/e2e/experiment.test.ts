/**
 * One experiment, everywhere, in Debian's Chromium: the page trains a generated PNG folder with two seeds under the
 * default (robust) recipe, shows mean ± sd per model (per-seed rows on expand) and each model's seed ensemble, downloads experiment.json with the rest, a new tab opens that card
 * and shows the same table without training, and the CLI replays the card on the same folder. Skipped where no
 * Chromium is installed.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, type Dirent } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExperimentCard, type ExperimentCard } from '../../src/lab/experiment/card';
import { runCliCaptured } from '../helpers/run-cli';
import { serveLabSite, type StaticSite } from './lab-site';
import { writeDataset } from '../helpers/write-dataset';
import { CHROMIUM, launchChromium, openLabPage, screenshot, waitForRunEnd } from './browser';

const MODELS = ['light-k1', 'light-k2'];
const HASH = `#models=${MODELS.join(',')}&size=32&epochs=2&batch=16&seeds=1,2&bootstrap=50&backend=wasm`;
const METRICS = ['accuracy', 'sensitivity', 'specificity', 'auc', 'f1', 'params'];

/** Every model row's metric cells as [model, metric, value, sd]. */
async function tableValues(page: Page): Promise<string[][]> {
  return page.$$eval(
    '[data-testid=comparison-table] tr[data-model-id]',
    (rows, metrics) =>
      rows.flatMap((row) =>
        metrics.map((m) => {
          const cell = row.querySelector(`td[data-metric="${m}"]`) as HTMLElement;
          return [(row as HTMLElement).dataset.modelId!, m, cell.dataset.value ?? '', cell.dataset.sd ?? ''];
        }),
      ),
    METRICS,
  );
}

describe.skipIf(!CHROMIUM)('an experiment with two seeds, saved and opened again', () => {
  let work: string;
  let site: StaticSite;
  let browser: Browser;
  let page: Page;
  let folder: string;
  let card: ExperimentCard;
  let cardPath: string;
  let shown: string[][];
  let resultsPath: string;
  /** Every path of the page's "Download all" zip. */
  let pageBundle: string[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'xray-lab-e2e-exp-'));
    site = await serveLabSite();
    folder = join(work, 'phantom-png');
    await writeDataset(folder, { perClass: 24, size: 32, seed: 11, format: 'png' });
    browser = await launchChromium();
    page = await openLabPage(browser, site.url + HASH);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('trains every model with both seeds and shows mean ± sd, with per-seed rows on expand', async () => {
    await page.waitForSelector('[data-testid=backend-indicator][data-backend=wasm]', { timeout: 60_000 });
    expect(await page.inputValue('[data-testid=setting-repeats]')).toBe('2');
    await page.setInputFiles('[data-testid=dataset-input]', folder);
    await page.waitForSelector('[data-testid=dataset-summary][data-count="48"]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid=train-button]')).toContain('2 models × 2 seeds (4 runs)');
    await page.click('[data-testid=train-button]');
    await waitForRunEnd(page);
    for (const id of MODELS) {
      expect(await page.getAttribute(`[data-testid=progress-${id}]`, 'data-phase')).toBe('done');
      const row = page.locator(`[data-testid=comparison-table] tr[data-model-id="${id}"]`);
      expect(await row.getAttribute('data-runs')).toBe('2');
      const accuracy = row.locator('td[data-metric=accuracy]');
      expect(await accuracy.textContent()).toMatch(/^\d\.\d{3} ± \d\.\d{3}$/);
      expect(Number(await accuracy.getAttribute('data-sd'))).toBeGreaterThanOrEqual(0);
      expect(await page.getAttribute(`[data-testid=charts-${id}]`, 'data-seeds')).toBe('2');
      // The recipe's seed ensemble: a row of its own, scored from both seeds.
      const ensemble = page.locator(`[data-testid=result-row-${id}-ensemble]`);
      expect(await ensemble.getAttribute('data-ensemble-of')).toBe('1,2');
      expect(await ensemble.locator('td[data-metric=accuracy]').textContent()).toMatch(/^\d\.\d{3}/);
    }
    await page.click(`[data-testid=expand-${MODELS[0]}]`);
    expect(await page.locator(`[data-testid=comparison-table] tr[data-run-id^="${MODELS[0]}@"]`).count()).toBe(2);
    expect(await page.textContent('[data-testid=test-set-origin]')).toMatch(
      /Scored on a patient-level 20% of the data held out \(\d+ images\)/,
    );
    await page.check('[data-testid=show-references]');
    expect(await page.locator('[data-testid=comparison-table] tr[data-reference-id]').count()).toBeGreaterThan(10);
    expect(await page.textContent('[data-testid=references-note]')).toContain('not runs of this lab');
    await screenshot(page, 'exp-1-two-seeds');
    await page.uncheck('[data-testid=show-references]');
    shown = await tableValues(page);
  }, 300_000);

  it('downloads experiment.json with the models, results and a model card per run', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-all]')]);
    const files = unzipSync(readFileSync((await download.path())!));
    const text = new TextDecoder().decode(files['experiment.json']);
    card = parseExperimentCard(text);
    cardPath = join(work, 'experiment.json');
    writeFileSync(cardPath, text);
    expect(card.settings).toMatchObject({
      models: MODELS,
      seeds: [1, 2],
      size: 32,
      epochs: 2,
      batchSize: 16,
      backend: 'wasm',
    });
    // Each model's seed ensemble (seed −1) follows its last seed.
    expect(card.results.map((r) => [r.modelId, r.seed, r.ensembleOf ?? null])).toEqual([
      ['light-k1', 1, null],
      ['light-k2', 1, null],
      ['light-k1', 2, null],
      ['light-k1', -1, [1, 2]],
      ['light-k2', 2, null],
      ['light-k2', -1, [1, 2]],
    ]);
    expect(card.data).toMatchObject({
      kind: 'folder',
      identity: { files: 48, filesPerClass: { NORMAL: 24, PNEUMONIA: 24 } },
    });
    expect(card.environment.runtime).toBe('browser');
    expect(card.predictions).toHaveLength(6);
    for (const id of MODELS) {
      for (const seed of [1, 2]) {
        expect(files[`models/${id}/seed-${seed}/model.json`]).toBeDefined();
        expect(new TextDecoder().decode(files[`models/${id}/seed-${seed}/model-card.md`])).toContain(
          '**Not for diagnosis.**',
        );
      }
    }
    const results = JSON.parse(new TextDecoder().decode(files['results.json']));
    expect(results.settings).toEqual(card.settings);
    expect(results.summary.map((m: { modelId: string }) => m.modelId)).toEqual(MODELS);
    expect(results.comparisons.map((c: { seed: number; a: string; b: string }) => `${c.seed}:${c.a}-${c.b}`)).toEqual([
      `1:${MODELS[0]}-${MODELS[1]}`,
      `2:${MODELS[0]}-${MODELS[1]}`,
      `-1:${MODELS[0]}-${MODELS[1]}`,
    ]);
    expect(results.comparisons).toEqual(
      card.comparisons.map((c) => expect.objectContaining({ seed: c.seed, accuracy: c.accuracy })),
    );
    pageBundle = Object.keys(files).sort();
    resultsPath = join(work, 'results.json');
    writeFileSync(resultsPath, new TextDecoder().decode(files['results.json']));
  });

  it('opens the card in a new tab and shows the same table, without training', async () => {
    const fresh = await openLabPage(browser, site.url);
    await fresh.waitForSelector('[data-testid=backend-indicator]', { timeout: 60_000 });
    await fresh.setInputFiles('[data-testid=open-experiment-input]', cardPath);
    await fresh.waitForSelector(`[data-testid=comparison-table] tr[data-model-id="${MODELS[1]}"]`, { timeout: 30_000 });
    expect(await tableValues(fresh)).toEqual(shown);
    expect(await fresh.textContent('[data-testid=test-set-origin]')).toContain('opened from experiment.json');
    expect(await fresh.isVisible('[data-testid=cancel-button]')).toBe(false);
    await screenshot(fresh, 'exp-2-opened');
    // A broken file changes nothing and says why.
    const broken = join(work, 'broken.json');
    writeFileSync(broken, readFileSync(cardPath, 'utf8').slice(0, 500));
    await fresh.setInputFiles('[data-testid=open-experiment-input]', broken);
    expect(await (await fresh.waitForSelector('[data-testid=error]', { timeout: 30_000 })).textContent()).toMatch(
      /broken\.json: not valid JSON/,
    );
    expect(await tableValues(fresh)).toEqual(shown);
    await fresh.close();
  }, 120_000);

  it('shows the Differences panel per seed and over seeds, and again from results.json alone', async () => {
    const cellId = `difference-${MODELS[0]}-${MODELS[1]}`;
    const panelOf = async (p: Page) => {
      await p.waitForSelector(`[data-testid=differences-panel] [data-testid=${cellId}]`, { timeout: 30_000 });
      const perSeed: string[] = [];
      for (const seed of ['1', '2']) {
        await p.selectOption('[data-testid=differences-seed]', seed);
        perSeed.push(
          `${await p.getAttribute(`[data-testid=${cellId}]`, 'data-p')} ${await p.textContent('[data-testid=differences-verdicts]')}`,
        );
      }
      return { perSeed, overSeeds: await p.textContent('[data-testid=differences-over-seeds]') };
    };
    const trained = await panelOf(page);
    expect(trained.perSeed[0]).not.toEqual(trained.perSeed[1]);
    expect(trained.overSeeds).toMatch(
      /LightLayers k=1 vs LightLayers k=2 over seeds 1, 2: ΔAUC [+−]?\d\.\d{3} ± \d\.\d{3}/,
    );
    // A results file has no probabilities: the page shows the comparisons it was written with.
    const fresh = await openLabPage(browser, site.url);
    await fresh.waitForSelector('[data-testid=backend-indicator]', { timeout: 60_000 });
    await fresh.setInputFiles('[data-testid=open-experiment-input]', resultsPath);
    expect(await panelOf(fresh)).toEqual(trained);
    await screenshot(fresh, 'exp-3-differences-from-results');
    await fresh.close();
  }, 120_000);

  it('is replayed by the CLI on the same PNG folder', async () => {
    const { code, stdout, stderr } = await runCliCaptured([
      'run',
      cardPath,
      '--data',
      folder,
      '--out',
      join(work, 'replay'),
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const replay = JSON.parse(stdout) as { results: ExperimentCard['results'] };
    expect(replay.results.map((r) => [r.modelId, r.seed, r.test!.count])).toEqual(
      card.results.map((r) => [r.modelId, r.seed, r.test!.count]),
    );
    // How close Chromium's wasm and Node's wasm come on lossless data (README, "Replaying an experiment").
    const diffs = replay.results.map((r, i) => Math.abs(r.test!.loss! - card.results[i].test!.loss!));
    const same = replay.results.filter(
      (r, i) => JSON.stringify(r.test) === JSON.stringify(card.results[i].test),
    ).length;
    console.info(
      `page vs CLI replay: max |Δ test loss| ${Math.max(...diffs).toExponential(2)}, identical test records ${same}/${replay.results.length}`,
    );
    // Same decoded pixels (lossless PNG), the same split and seeds, and the same wasm kernels: the same numbers.
    expect(replay.results.map((r) => r.test)).toEqual(card.results.map((r) => r.test));
    // One results bundle (experiment/results-bundle.ts): the page's Download all and the CLI's --out hold the same files.
    const cliBundle = (readdirSync(join(work, 'replay'), { recursive: true, withFileTypes: true }) as Dirent[])
      .filter((e) => e.isFile())
      .map((e) => relative(join(work, 'replay'), join(e.parentPath, e.name)).split(sep).join('/'))
      .sort();
    expect(cliBundle).toEqual(pageBundle);
    expect(pageBundle).toEqual(
      expect.arrayContaining([
        'predictions.csv',
        `models/${MODELS[0]}/seed-1/model.onnx`,
        `models/${MODELS[0]}/seed-1/model.h5`,
        `models/${MODELS[0]}/seed-2/stock/model.json`,
        `models/${MODELS[1]}/seed-2/model-card.md`,
      ]),
    );
  }, 300_000);
});
