/**
 * A lost GPU mid-training, in Debian's Chromium (SwiftShader's WebGL): the page trains on webgl, the WebGL context
 * is lost on purpose (WEBGL_lose_context, through the `?test-hooks` hook), and the run continues from its last
 * checkpoint on the next backend (wasm), says so, and finishes every epoch. Skipped where no Chromium is installed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type StaticSite } from '../helpers/static-server';
import { writeDataset } from '../helpers/write-dataset';
import { CHROMIUM, launchChromium, openLabPage, screenshot, waitForRunEnd } from './browser';

describe.skipIf(!CHROMIUM)('a WebGL context lost mid-training', () => {
  let work: string;
  let site: StaticSite;
  let browser: Browser;
  let page: Page;
  let folder: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'xray-lab-e2e-gpuloss-'));
    execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--outDir', join(work, 'site'), '--emptyOutDir', '--logLevel', 'error']);
    site = await serveStatic(join(work, 'site'));
    folder = join(work, 'phantom-png');
    await writeDataset(folder, { perClass: 40, size: 32, seed: 7, format: 'png' });
    browser = await launchChromium();
    page = await openLabPage(browser, `${site.url}?test-hooks#models=light-k1&size=32&epochs=6&batch=8&seeds=1&bootstrap=0&backend=webgl`);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('continues from the last checkpoint on wasm and finishes', async () => {
    await page.waitForSelector('[data-testid=backend-indicator][data-backend=webgl]', { timeout: 60_000 });
    await page.setInputFiles('[data-testid=dataset-input]', folder);
    await page.waitForSelector('[data-testid=dataset-summary][data-count="80"]', { timeout: 60_000 });
    await page.click('[data-testid=train-button]');
    await page.waitForFunction(() => /Epoch [3-6]\/6/.test(document.querySelector('[data-testid=progress-light-k1]')?.textContent ?? ''), null, { timeout: 120_000 });
    const lost = await page.evaluate(() => (window as unknown as { __xrayLabTestHooks: { loseGpuContext: () => Promise<boolean> } }).__xrayLabTestHooks.loseGpuContext());
    expect(lost).toBe(true);
    await waitForRunEnd(page, 240_000);
    await screenshot(page, 'gpu-loss-recovered');
    const notice = await page.textContent('[data-testid=recovery-notice]');
    expect(notice).toMatch(/^The webgl backend failed while training light-k1 \(.+\); it continues from its checkpoint after epoch [2-6] of 6 on wasm\.$/);
    expect(await page.getAttribute('[data-testid=backend-indicator]', 'data-backend')).toBe('wasm');
    expect(await page.getAttribute('[data-testid=progress-light-k1]', 'data-phase')).toBe('done');
    expect(await page.textContent('[data-testid=progress-light-k1]')).toContain('Trained 6 epochs');
    expect(await page.isVisible('[data-testid=comparison-table] tr[data-model-id="light-k1"]')).toBe(true);
  }, 400_000);
});
