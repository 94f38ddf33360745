/**
 * The data budget before decoding, in Debian's Chromium: with a tiny dataset budget set in Storage, a picked folder
 * is listed and estimated, not decoded; the page shows the estimate line and offers the budget subset. Cancel keeps
 * the dataset loaded before (and gives focus back to the folder button); the subset, chosen from the keyboard,
 * loads with every class and trains. Skipped where no Chromium is installed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeBytes } from '../../src/lab/data/memory';
import { writeDataset } from '../helpers/write-dataset';
import { seriousViolations } from './axe';
import { ARTIFACTS, CHROMIUM, launchChromium, openLabPage, waitForRunEnd } from './browser';
import { serveLabSite, type StaticSite } from './lab-site';

const SIZE = 16;
const HASH = `#models=light-k1&size=${SIZE}&channels=1&epochs=1&batch=8&seeds=1&backend=wasm&demoPerClass=12`;
const CLASSES = ['BACTERIA', 'NORMAL', 'VIRUS'];
const PER_CLASS = 12;
const IMAGES = CLASSES.length * PER_CLASS;
/** 5 kB: about half of the folder's 36 images at 16×16×1 (256 bytes each). */
const BUDGET_MB = 0.005;
const OFFER = '[data-testid=budget-offer]';

describe.skipIf(!CHROMIUM)('the data budget on the page', () => {
  let work: string;
  let site: StaticSite;
  let browser: Browser;
  let page: Page;
  let folder: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'xray-lab-e2e-budget-'));
    site = await serveLabSite();
    folder = join(work, 'three');
    await writeDataset(folder, { perClass: PER_CLASS, size: 20, seed: 3, classNames: CLASSES });
    browser = await launchChromium();
    page = await openLabPage(browser, site.url + HASH);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('over a tiny budget, offers the subset before decoding; Cancel keeps the dataset loaded before', async () => {
    await page.waitForSelector('[data-testid=backend-indicator][data-backend=wasm]', { timeout: 60_000 });
    await page.click('[data-testid=demo-dataset]');
    await page.waitForSelector('[data-testid=dataset-summary][data-count="24"]', { timeout: 60_000 });
    const demo = await page.getAttribute('[data-testid=dataset-summary]', 'data-source');
    await page.fill('[data-testid=storage-budget]', String(BUDGET_MB));
    await page.press('[data-testid=storage-budget]', 'Enter');
    await page.waitForSelector('[data-testid=storage-usage] >> text=/of a 0\\.0 MB budget/', { timeout: 30_000 });
    // Leaving the field keeps a budget under 1 MB as it was set (shown rounded to 0, it once became 0: no budget).
    await page.locator('[data-testid=storage-budget]').blur();
    expect(await page.inputValue('[data-testid=storage-budget]')).toBe(String(BUDGET_MB));

    await page.setInputFiles('[data-testid=dataset-input]', folder);
    const line = (await (await page.waitForSelector(OFFER, { timeout: 60_000 })).textContent()) ?? '';
    expect(line).toContain(`three: ${IMAGES} images at ${SIZE}×${SIZE}×1 need 9.22 kB decoded; dataset budget 5.00 kB`);
    expect(line).toMatch(/over it by 4\.22 kB; a subset of \d+ images fits/);
    expect(await page.getAttribute(OFFER, 'role')).toBe('status');
    expect(await page.getAttribute(OFFER, 'aria-live')).toBe('polite');
    // Nothing was decoded: the demo set is still the dataset, and no load is under way.
    expect(await page.getAttribute('[data-testid=dataset-summary]', 'data-source')).toBe(demo);
    expect(await page.isVisible('[data-testid=dataset-loading]')).toBe(false);
    // Focus is on the offer's first choice; every image fits the tab's memory, so "load all" is offered too.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('budget-use-subset');
    expect(await page.textContent('[data-testid=budget-load-all]')).toBe(`Load all (${IMAGES} images)`);
    const violations = (await seriousViolations(page)).filter((v) => v.targets.some((t) => /budget/.test(t)));
    expect(violations).toEqual([]);
    await page.locator('#data').screenshot({ path: join(ARTIFACTS, 'data-budget-1-offer.png') });

    await page.click('[data-testid=budget-cancel]');
    await page.waitForSelector(OFFER, { state: 'hidden' });
    expect(await page.isVisible('[data-testid=budget-use-subset]')).toBe(false);
    expect(await page.getAttribute('[data-testid=dataset-summary]', 'data-source')).toBe(demo);
    expect(await page.getAttribute('[data-testid=dataset-summary]', 'data-count')).toBe('24');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Choose folder…');
  }, 300_000);

  it('loads the subset from the keyboard, with every class, and trains on it', async () => {
    await page.setInputFiles('[data-testid=dataset-input]', folder);
    await page.waitForSelector('[data-testid=budget-use-subset]', { timeout: 60_000 });
    const offered = Number(await page.getAttribute('[data-testid=budget-use-subset]', 'data-images'));
    expect(await page.textContent('[data-testid=budget-use-subset]')).toBe(`Load the subset (${offered} images)`);
    expect(offered).toBeGreaterThanOrEqual(CLASSES.length);
    expect(storeBytes(offered, SIZE, 1)).toBeLessThanOrEqual(BUDGET_MB * 1e6);
    await page.keyboard.press('Enter');

    const summary = await page.waitForSelector('[data-testid=dataset-summary][data-subset]:not([data-subset="0"])', {
      timeout: 60_000,
    });
    expect(await summary.getAttribute('data-source')).toBe('three');
    expect(Number(await summary.getAttribute('data-count'))).toBe(offered);
    expect(await page.textContent('[data-testid=dataset-subset]')).toContain(
      `a subset of ${offered} of ${IMAGES} images, patients kept whole`,
    );
    for (const name of CLASSES) {
      const all = await page.textContent(`.counts tr[data-class="${name}"] td[data-split=all]`);
      expect(Number(all)).toBeGreaterThan(0);
    }
    await page.locator('#data').screenshot({ path: join(ARTIFACTS, 'data-budget-2-subset.png') });

    await page.click('[data-testid=train-button]');
    await waitForRunEnd(page);
    expect(await page.getAttribute('[data-testid=progress-light-k1]', 'data-phase')).toBe('done');
    await page.waitForSelector('[data-testid=comparison-table] tr[data-model-id=light-k1]', { timeout: 30_000 });
  }, 300_000);
});
