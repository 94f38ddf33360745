/**
 * The decoded dataset kept in the browser, in Debian's Chromium: a loaded folder comes back after a reload without
 * picking it again (summary shown, storage line counts it); a reload mid-training then resumes with no folder; a
 * budget below the dataset's size drops it and says that only the fingerprint is kept. Skipped without Chromium.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveLabSite, type StaticSite } from './lab-site';
import { writeDataset } from '../helpers/write-dataset';
import { CHROMIUM, launchChromium, newLabContext, screenshot, waitForRunEnd } from './browser';

// Small images, few of them: the test is about what is stored and restored, not about learning.
const SIZE = 32;
const COUNT = 80;
const URL_HASH = `#models=light-k2&size=${SIZE}&epochs=10&batch=8&seeds=1&bootstrap=0&backend=wasm`;
const SUMMARY = `[data-testid=dataset-summary][data-count="${COUNT}"]`;
/** The stored dataset's pixels alone (grey), before its names and summary. */
const PIXEL_BYTES = COUNT * SIZE * SIZE;

describe.skipIf(!CHROMIUM)('the stored dataset', () => {
  let work: string;
  let site: StaticSite;
  let browser: Browser;
  let folder: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'xray-lab-e2e-dataset-'));
    site = await serveLabSite();
    folder = join(work, 'phantom-png');
    await writeDataset(folder, { perClass: COUNT / 2, size: SIZE, seed: 5, format: 'png' });
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('comes back after a reload, and a run interrupted by a reload resumes without the folder', async () => {
    const page = await (await newLabContext(browser)).newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${site.url}${URL_HASH}`);
    await page.waitForSelector('[data-testid=backend-indicator][data-backend=wasm]', { timeout: 60_000 });
    await page.setInputFiles('[data-testid=dataset-input]', folder);
    await page.waitForSelector(SUMMARY, { timeout: 60_000 });
    await page.waitForFunction(
      (pixels) =>
        Number(document.querySelector('[data-testid=storage-usage]')?.getAttribute('data-dataset-bytes')) > pixels,
      PIXEL_BYTES,
      { timeout: 30_000 },
    );
    expect(await page.inputValue('[data-testid=storage-budget]')).toBe('500');

    await page.reload();
    await page.waitForSelector(SUMMARY, { timeout: 60_000 });
    // No folder was picked after the reload: the summary is the stored dataset's.
    await page.waitForFunction(
      () =>
        /dataset 0\.\d MB of a 500\.0 MB budget/.test(
          document.querySelector('[data-testid=storage-usage]')?.textContent ?? '',
        ),
      null,
      { timeout: 30_000 },
    );
    await screenshot(page, 'persist-dataset-1-restored');

    await page.click('[data-testid=train-button]');
    await page.waitForFunction(
      () => /Epoch ([4-9]|10)\/10/.test(document.querySelector('[data-testid=progress-light-k2]')?.textContent ?? ''),
      null,
      { timeout: 120_000 },
    );
    await page.reload();
    await page.waitForSelector('[data-testid=resume-offer]', { timeout: 60_000 });
    await page.waitForSelector(SUMMARY, { timeout: 60_000 });
    await page.waitForSelector('[data-testid=resume-button]:not([disabled])', { timeout: 30_000 });
    await page.click('[data-testid=resume-button]');
    await waitForRunEnd(page);
    expect(await page.getAttribute('[data-testid=progress-light-k2]', 'data-phase')).toBe('done');
    expect(await page.textContent('[data-testid=progress-light-k2]')).toContain('Trained 10 epochs');

    // A budget below the dataset's size: it is dropped, and the page says only the fingerprint is kept.
    await page.fill('[data-testid=storage-budget]', '0');
    await page.press('[data-testid=storage-budget]', 'Enter');
    const note = await page.waitForSelector('[data-testid=storage-dataset-note]', { timeout: 30_000 });
    expect(await note.textContent()).toMatch(
      /The dataset \(0\.\d MB\) is larger than the storage budget of 0\.0 MB: only its fingerprint is kept/,
    );
    expect(await page.getAttribute('[data-testid=storage-usage]', 'data-dataset-bytes')).toBe('0');
    await page.reload();
    await page.waitForSelector('[data-testid=storage-usage]', { timeout: 60_000 });
    await page.waitForFunction(
      () => (document.querySelector('[data-testid=storage-budget]') as HTMLInputElement | null)?.value === '0',
      null,
      { timeout: 30_000 },
    );
    await page.waitForTimeout(2_000); // time for a restore that must not happen
    expect(await page.isVisible(SUMMARY)).toBe(false);
    await page.context().close();
  }, 600_000);
});
