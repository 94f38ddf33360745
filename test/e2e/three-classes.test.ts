/**
 * Three class folders (NORMAL / BACTERIA / VIRUS) chosen on the page in Debian's Chromium: one small model trains
 * for an epoch, and step 4 shows a 3×3 confusion matrix (a real table with row and column headers), accuracy as its
 * trace over n, balanced accuracy, and each class against the rest beside its row. Skipped where no Chromium is
 * installed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveLabSite, type StaticSite } from './lab-site';
import { writeDataset } from '../helpers/write-dataset';
import { ARTIFACTS, CHROMIUM, launchChromium, openLabPage, screenshot, shownNumber, waitForRunEnd } from './browser';

const HASH = '#models=light-k1&size=16&channels=1&epochs=1&batch=8&seeds=1&bootstrap=20&backend=wasm';
const CLASSES = ['BACTERIA', 'NORMAL', 'VIRUS']; // as the page sorts the folders

describe.skipIf(!CHROMIUM)('three class folders on the page', () => {
  let work: string;
  let site: StaticSite;
  let browser: Browser;
  let page: Page;
  let folder: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'xray-lab-e2e-classes-'));
    site = await serveLabSite();
    folder = join(work, 'three');
    await writeDataset(folder, { perClass: 12, size: 20, seed: 6, classNames: ['NORMAL', 'BACTERIA', 'VIRUS'] });
    browser = await launchChromium();
    page = await openLabPage(browser, site.url + HASH);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('trains one model and shows the 3×3 matrix with the k-class accuracy', async () => {
    await page.waitForSelector('[data-testid=backend-indicator][data-backend=wasm]', { timeout: 60_000 });
    await page.setInputFiles('[data-testid=dataset-input]', folder);
    await page.waitForSelector('[data-testid=dataset-summary][data-count="36"]', { timeout: 60_000 });
    await page.click('[data-testid=train-button]');
    await waitForRunEnd(page);
    expect(await page.getAttribute('[data-testid=progress-light-k1]', 'data-phase')).toBe('done');

    const matrix = await page.waitForSelector('[data-testid=confusion-matrix-light-k1]', { timeout: 30_000 });
    await matrix.scrollIntoViewIfNeeded();
    expect(await matrix.getAttribute('data-classes')).toBe('3');
    // Column headers: the corner, the three predicted classes, then each class against the rest.
    const columns = await matrix.$$eval('thead th[scope=col]', (ths) => ths.map((th) => th.textContent?.trim()));
    expect(columns.slice(1, 4)).toEqual(CLASSES);
    expect(columns.slice(4)).toEqual(['Sensitivity', 'Specificity', 'AUC']);
    const rowHeaders = await matrix.$$eval('tbody th[scope=row]', (ths) => ths.map((th) => th.textContent?.trim()));
    expect(rowHeaders).toEqual(CLASSES);
    const caption = await matrix.$eval('caption', (c) => c.textContent);
    expect(caption).toMatch(/rows are the true class, columns the predicted class/);

    const counts: number[][] = [];
    for (const t of CLASSES) {
      const row: number[] = [];
      for (const p of CLASSES) {
        row.push(Number(await page.getAttribute(`[data-testid=confusion-cell-light-k1-${t}-${p}]`, 'data-count')));
      }
      counts.push(row);
    }
    const n = counts.flat().reduce((a, b) => a + b, 0);
    const trace = counts.reduce((sum, row, i) => sum + row[i], 0);
    expect(n).toBeGreaterThan(0);
    const row = '[data-testid=comparison-table] tr[data-model-id=light-k1]';
    expect(Number(await page.getAttribute(`${row} td[data-metric=accuracy]`, 'data-value'))).toBeCloseTo(trace / n, 9);
    expect(shownNumber(await page.textContent(`${row} td[data-metric=accuracy]`))).toBeCloseTo(trace / n, 3);
    const recalls = counts.map((r, i) => r[i] / r.reduce((a, b) => a + b, 0));
    expect(Number(await page.getAttribute(`${row} td[data-metric=balanced-accuracy]`, 'data-value'))).toBeCloseTo(
      recalls.reduce((a, b) => a + b, 0) / 3,
      9,
    );
    // No positive class was named: the table leaves sensitivity empty and the page says why.
    expect(await page.getAttribute(`${row} td[data-metric=sensitivity]`, 'data-missing')).toBe('');
    expect(await page.textContent('[data-testid=multi-class-note]')).toContain('With 3 classes');
    const shownRecalls = await matrix.$$eval('td[data-class-metric=sensitivity]', (tds) =>
      tds.map((td) => Number(td.getAttribute('data-value'))),
    );
    shownRecalls.forEach((r, i) => expect(r).toBeCloseTo(recalls[i], 9));
    await screenshot(page, 'three-classes-compare');
    await matrix.screenshot({ path: join(ARTIFACTS, 'three-classes-matrix.png') });
  }, 300_000);
});
