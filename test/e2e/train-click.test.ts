/**
 * A click on Train right after changing the backend, the size and the epochs once did nothing.
 * Two ways a click can be lost: the button moving under the pointer when a worker reply re-lays the page out, and
 * the worker initialising a backend for the run while the backend switch is still under way. The page keeps the
 * button in place and the worker queues the run behind the switch; this drives exactly that sequence three times.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium, openLabPage, waitForRunEnd } from './browser';
import { serveLabSite, type StaticSite } from './lab-site';

const MODELS = ['cnn', 'light-k2'];
const trainButtonTop = (page: Page) =>
  page.evaluate(
    () => document.querySelector('[data-testid=train-button]')!.getBoundingClientRect().top + window.scrollY,
  );

describe.skipIf(!CHROMIUM)('Train right after changing settings', () => {
  let site: StaticSite;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    site = await serveLabSite();
    browser = await launchChromium();
    page = await openLabPage(
      browser,
      `${site.url}#size=64&epochs=1&batch=16&models=${MODELS.join(',')}&backend=wasm&demoPerClass=6`,
    );
    await page.waitForSelector('[data-testid=backend-indicator][data-backend=wasm]', { timeout: 60_000 });
    await page.click('[data-testid=demo-dataset]');
    await page.waitForSelector('[data-testid=train-button]:not([disabled])', { timeout: 60_000 });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  // The settings change from round to round; their values are small (cpu trains in plain JavaScript,
  // and cnn needs 50 px): the clicks are the point, not the training.
  const rounds = [
    { backend: 'cpu', size: '52', epochs: '2' },
    { backend: 'wasm', size: '64', epochs: '1' },
    { backend: 'cpu', size: '50', epochs: '1' },
  ];
  for (const [i, round] of rounds.entries()) {
    it(`round ${i + 1}: backend ${round.backend}, size ${round.size}, epochs ${round.epochs}, then Train at once`, async () => {
      await page.selectOption('[data-testid=setting-backend]', round.backend);
      await page.fill('[data-testid=setting-size]', round.size);
      await page.fill('[data-testid=setting-epochs]', round.epochs);
      const before = await trainButtonTop(page);
      await page.click('[data-testid=train-button]', { timeout: 5_000 });
      // The click was taken: the run is on the page at once, whatever the worker is still doing.
      for (const id of MODELS) await page.waitForSelector(`[data-testid=progress-${id}]`, { timeout: 5_000 });
      await waitForRunEnd(page, 120_000);
      await page.waitForSelector(`[data-testid=backend-indicator][data-backend=${round.backend}]`, { timeout: 30_000 });
      for (const id of MODELS)
        expect(await page.getAttribute(`[data-testid=progress-${id}]`, 'data-phase')).toBe('done');
      // Every reply has arrived (backend, sizes, results): the button never moved under the pointer.
      expect(await trainButtonTop(page)).toBe(before);
    }, 180_000);
  }
});
