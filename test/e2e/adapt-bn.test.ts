/**
 * Test-time BatchNorm adaptation in the page, in Debian's Chromium: `adapt-bn` in the URL hash ticks the
 * setting, a run keeps both metric sets, the comparison toggles between them (the slider still moving the unadapted
 * figures), every model gets a reliability diagram with the estimated prevalence, and the experiment card downloaded
 * records the setting and both sets. Skipped where no Chromium is installed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExperimentCard } from '../../src/lab/experiment/card';
import { serveLabSite, type StaticSite } from './lab-site';
import { writeDataset } from '../helpers/write-dataset';
import { CHROMIUM, launchChromium, openLabPage, screenshot, waitForRunEnd } from './browser';

const HASH = '#models=light-k2&size=32&epochs=2&batch=8&bootstrap=0&backend=wasm&adapt-bn=true';

const cell = (page: Page, metric: string) =>
  page.getAttribute(
    `[data-testid=comparison-table] tr[data-model-id="light-k2"] td[data-metric=${metric}]`,
    'data-value',
  );

describe.skipIf(!CHROMIUM)('test-time BatchNorm adaptation in the page', () => {
  let work: string;
  let site: StaticSite;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'xray-lab-e2e-adapt-'));
    site = await serveLabSite();
    const folder = join(work, 'phantom-png');
    await writeDataset(folder, { perClass: 40, size: 32, seed: 12, format: 'png' });
    browser = await launchChromium();
    page = await openLabPage(browser, site.url + HASH);
    await page.waitForSelector('[data-testid=backend-indicator][data-backend=wasm]', { timeout: 60_000 });
    await page.setInputFiles('[data-testid=dataset-input]', folder);
    await page.waitForSelector('[data-testid=dataset-summary][data-count="80"]', { timeout: 60_000 });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('takes the setting from the URL hash, and shows adapted figures with a toggle to the figures as trained', async () => {
    expect(await page.isChecked('[data-testid=setting-adapt-bn]')).toBe(true);
    expect(await page.textContent('[data-testid=setting-adaptation]')).toContain('no labels are used');
    await page.click('[data-testid=train-button]');
    await waitForRunEnd(page);
    expect(await page.getAttribute('[data-testid=adaptation-note]', 'data-view')).toBe('adapted');
    const adapted = await cell(page, 'specificity');
    expect(adapted).not.toBeNull();
    await page.check('[data-testid=show-unadapted]');
    expect(await page.getAttribute('[data-testid=adaptation-note]', 'data-view')).toBe('unadapted');
    const unadapted = await cell(page, 'specificity');
    expect(unadapted).not.toBeNull();
    // The slider re-scores the unadapted probabilities (recorded figures would not move): specificity rises with it.
    await page.fill('[data-testid=threshold-slider]', '0.01');
    const low = Number(await cell(page, 'specificity'));
    await page.fill('[data-testid=threshold-slider]', '0.99');
    expect(Number(await cell(page, 'specificity'))).toBeGreaterThan(low);
    await page.fill('[data-testid=threshold-slider]', '0.5');
    expect(await cell(page, 'specificity')).toBe(unadapted);
    await page.uncheck('[data-testid=show-unadapted]');
    expect(await cell(page, 'specificity')).toBe(adapted);
  }, 300_000);

  it('draws a reliability diagram per model, with the trained-for and estimated share of the positive class', async () => {
    const diagram = page.locator('[data-testid=reliability-light-k2]');
    expect(Number(await diagram.getAttribute('data-ece'))).toBeGreaterThanOrEqual(0);
    expect(Number(await diagram.getAttribute('data-bins'))).toBeGreaterThan(0);
    expect(await diagram.locator('circle').count()).toBe(Number(await diagram.getAttribute('data-bins')));
    expect(await page.textContent('[data-testid=prior-light-k2]')).toMatch(
      /PNEUMONIA share: trained for 0\.\d{3}, estimated on the test images [01]\.\d{3}/,
    );
    await screenshot(page, 'adapt-bn-compare');
  });

  it('records the setting and both metric sets in the downloaded experiment card', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-all]')]);
    const files = unzipSync(readFileSync((await download.path())!));
    const card = parseExperimentCard(new TextDecoder().decode(files['experiment.json']));
    expect(card.settings.adaptBn).toBe(true);
    const [record] = card.results;
    expect(record.adaptation).toBe('bn-test');
    expect(record.testBeforeAdaptation!.count).toBe(record.test!.count);
    const results = JSON.parse(new TextDecoder().decode(files['results.json']));
    expect(results.summary[0].beforeAdaptation.accuracy.n).toBe(1);
  }, 120_000);
});
