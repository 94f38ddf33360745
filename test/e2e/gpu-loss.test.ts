/**
 * A lost GPU mid-training, in Debian's Chromium (SwiftShader's WebGL and WebGPU): the page trains on webgl (or
 * webgpu), the WebGL context is lost on purpose (WEBGL_lose_context) or the WebGPU device destroyed (its
 * `device.lost` settles as in a real loss), through the `?test-hooks` hook, and the run continues from its last
 * checkpoint on the next backend that is not a software GPU (wasm here), says so, and finishes every epoch.
 * Skipped where no Chromium is installed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveLabSite, type StaticSite } from './lab-site';
import { writeDataset } from '../helpers/write-dataset';
import { CHROMIUM, launchChromium, openLabPage, screenshot, waitForRunEnd } from './browser';
import { WEBGPU_FLAGS } from './gpu-page';

/**
 * Per GPU API: browser flags, images per class and epochs (WebGPU on SwiftShader is the slower of the two). The GPU
 * is lost once `loseAfter` epochs are checkpointed: SwiftShader's first epoch is mostly shader compiles, so each
 * further GPU epoch before the loss is time spent proving nothing more.
 */
const CASES = [
  { backend: 'webgl', flags: [] as string[], perClass: 24, epochs: 4, loseAfter: 1 },
  { backend: 'webgpu', flags: WEBGPU_FLAGS, perClass: 16, epochs: 4, loseAfter: 1 },
] as const;

describe.skipIf(!CHROMIUM).each(CASES)(
  'the $backend GPU lost mid-training',
  ({ backend, flags, perClass, epochs, loseAfter }) => {
    let work: string;
    let site: StaticSite;
    let browser: Browser;
    let page: Page;
    let folder: string;

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), `xray-lab-e2e-gpuloss-${backend}-`));
      site = await serveLabSite();
      folder = join(work, 'phantom-png');
      await writeDataset(folder, { perClass, size: 32, seed: 7, format: 'png' });
      browser = await launchChromium([...flags]);
      page = await openLabPage(
        browser,
        `${site.url}?test-hooks#models=light-k1&size=32&epochs=${epochs}&batch=8&seeds=1&bootstrap=0&backend=${backend}`,
      );
    }, 300_000);

    afterAll(async () => {
      await browser?.close();
      await site?.close();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('continues from the last checkpoint on wasm and finishes', async () => {
      await page.waitForSelector(`[data-testid=backend-indicator][data-backend=${backend}]`, { timeout: 60_000 });
      await page.setInputFiles('[data-testid=dataset-input]', folder);
      await page.waitForSelector(`[data-testid=dataset-summary][data-count="${2 * perClass}"]`, { timeout: 60_000 });
      await page.click('[data-testid=train-button]');
      // "Epoch n/N" shows while epoch n trains: epochs before it are checkpointed.
      const pattern = `Epoch ([${loseAfter + 1}-${epochs}])/${epochs}`;
      await page.waitForFunction(
        (p) => new RegExp(p).test(document.querySelector('[data-testid=progress-light-k1]')?.textContent ?? ''),
        pattern,
        { timeout: 240_000 },
      );
      const lost = await page.evaluate(() =>
        (
          window as unknown as { __xrayLabTestHooks: { loseGpuContext: () => Promise<boolean> } }
        ).__xrayLabTestHooks.loseGpuContext(),
      );
      expect(lost).toBe(true);
      await waitForRunEnd(page, 300_000);
      await screenshot(page, `gpu-loss-recovered-${backend}`);
      const notice = await page.textContent('[data-testid=recovery-notice]');
      expect(notice).toMatch(
        new RegExp(
          `^The ${backend} backend failed while training light-k1 \\(.+\\); it continues from its checkpoint after epoch [${loseAfter}-${epochs}] of ${epochs} on wasm\\.$`,
        ),
      );
      expect(await page.getAttribute('[data-testid=backend-indicator]', 'data-backend')).toBe('wasm');
      expect(await page.getAttribute('[data-testid=progress-light-k1]', 'data-phase')).toBe('done');
      expect(await page.textContent('[data-testid=progress-light-k1]')).toContain(`Trained ${epochs} epochs`);
      expect(await page.isVisible('[data-testid=comparison-table] tr[data-model-id="light-k1"]')).toBe(true);
      // Choosing the GPU again gets a new device or context (the lost one is forgotten, with WebGL's compiled programs),
      // which passes the selection's smoke test — a program run and read back on the device.
      await page.selectOption('[data-testid=setting-backend]', 'wasm');
      await page.waitForSelector('[data-testid=backend-indicator][data-backend=wasm]:not([title])', {
        timeout: 60_000,
      });
      await page.selectOption('[data-testid=setting-backend]', backend);
      await page.waitForSelector(`[data-testid=backend-indicator][data-backend=${backend}]`, { timeout: 60_000 });
      if (backend === 'webgpu') {
        // And it trains (SwiftShader's WebGL is too slow for an epoch here).
        await page.fill('[data-testid=setting-epochs]', '1');
        await page.click('[data-testid=train-button]');
        await waitForRunEnd(page, 300_000);
        expect(await page.getAttribute('[data-testid=progress-light-k1]', 'data-phase')).toBe('done');
        expect(await page.getAttribute('[data-testid=backend-indicator]', 'data-backend')).toBe('webgpu');
      }
    }, 600_000);
  },
);
