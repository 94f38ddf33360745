/**
 * A folder holding images and a label table (NIH ChestX-ray14-shaped: `Data_Entry_2017.csv`, `test_list.txt`), chosen
 * on the page in Debian's Chromium: the column-mapping form appears, maps the table, the dataset loads with the
 * table's classes, patients and official test list, and trains. Skipped where no Chromium is
 * installed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNih, type LabelDataset } from '../helpers/label-datasets';
import { serveLabSite, type StaticSite } from './lab-site';
import { CHROMIUM, launchChromium, openLabPage, screenshot, waitForRunEnd } from './browser';

const HASH = '#models=light-k1&size=16&channels=1&epochs=1&batch=8&seeds=1&bootstrap=0&backend=wasm';

describe.skipIf(!CHROMIUM)('a folder with a label table, through the column form', () => {
  let work: string;
  let site: StaticSite;
  let browser: Browser;
  let page: Page;
  let nih: LabelDataset;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'xray-lab-e2e-table-'));
    site = await serveLabSite();
    nih = await writeNih(work);
    browser = await launchChromium();
    page = await openLabPage(browser, site.url + HASH);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("asks for the columns, loads the table's classes and official test list, and trains", async () => {
    await page.waitForSelector('[data-testid=backend-indicator][data-backend=wasm]', { timeout: 60_000 });
    await page.setInputFiles('[data-testid=dataset-input]', nih.data);
    await page.waitForSelector('[data-testid=label-form]', { timeout: 30_000 });
    expect(await page.inputValue('[data-testid=label-table]')).toBe('nih/Data_Entry_2017.csv');
    await page.waitForSelector('[data-testid=label-image-column]');
    // The form guesses from the header; set every field as a user would.
    await page.selectOption('[data-testid=label-image-column]', 'Image Index');
    await page.selectOption('[data-testid=label-label-column]', 'Finding Labels');
    expect(await page.textContent('[data-testid=label-values]')).toContain('Pneumonia');
    await page.selectOption('[data-testid=label-patient-column]', 'Patient ID');
    await page.fill('[data-testid=label-classes]', 'No Finding=NORMAL,Pneumonia=PNEUMONIA');
    await page.selectOption('[data-testid=label-test-list]', 'nih/test_list.txt');
    await screenshot(page, 'label-table-1-form');
    await page.click('[data-testid=label-load]');

    const kept = nih.classOf.size;
    await page.waitForSelector(`[data-testid=dataset-summary][data-count="${kept}"]`, { timeout: 60_000 });
    const report = await page.textContent('[data-testid=table-report]');
    expect(report).toContain('labels: Data_Entry_2017.csv (header), 19 rows');
    expect(report).toContain('1 map to no class');
    expect(report).toContain('1 map to two classes');
    const summaryLine = await page.textContent('[data-testid=dataset-summary] .summary-line');
    expect(summaryLine).toContain(`${new Set(nih.patientOf.values()).size} patients`);
    const testCells = await page.$$eval('[data-testid=dataset-summary] table.counts td[data-split=test]', (cells) =>
      cells.map((c) => c.textContent),
    );
    expect(testCells).toContain(String(nih.test.length));
    await screenshot(page, 'label-table-2-loaded');

    await page.click('[data-testid=train-button]');
    await waitForRunEnd(page);
    expect(await page.getAttribute('[data-testid=progress-light-k1]', 'data-phase')).toBe('done');
  }, 300_000);
});
