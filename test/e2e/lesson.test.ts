/**
 * The page as a lesson, in Debian's Chromium: a keyboard-only first run of the demo with every default, lesson links
 * (hide=, lesson=, the share dialog), presentation mode, accessibility (axe-core) on four screens, tablet and phone
 * widths, and offline use after one visit.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium, newLabContext, openLabPage, screenshot, waitForRunEnd } from './browser';
import { seriousViolations, tabTo } from './axe';
import { serveLabSite, type StaticSite } from './lab-site';

/** A metric of the comparison table as the page computed it. */
async function metric(page: Page, modelId: string, name: string): Promise<number> {
  const value = await page.getAttribute(
    `[data-testid=comparison-table] tr[data-model-id="${modelId}"] td[data-metric="${name}"]`,
    'data-value',
  );
  return value == null || value === '' ? Number.NaN : Number(value);
}

async function expectNoSeriousViolations(page: Page, screen: string): Promise<void> {
  const found = await seriousViolations(page);
  expect(found, `${screen}: ${JSON.stringify(found, null, 1)}`).toEqual([]);
}

describe.skipIf(!CHROMIUM)('the lab as a lesson', () => {
  let site: StaticSite;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    site = await serveLabSite();
    browser = await launchChromium();
    context = await newLabContext(browser);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close().catch(() => undefined); // the offline test closed it already
  });

  it('a lesson link sets 3 epochs and leaves out the learning rate, batch size, backend and the Export step', async () => {
    // A context of its own: opening "More settings" here is remembered, and the start page below is a first visit.
    const own = await newLabContext(browser);
    const lesson = await openLabPage(
      browser,
      `${site.url}#epochs=3&hide=lr,batch,backend,export&lesson=Watch%20the%20validation%20loss`,
      own,
    );
    await lesson.waitForSelector('[data-testid=backend-indicator]', { timeout: 60_000 });
    expect(await lesson.inputValue('[data-testid=setting-epochs]')).toBe('3');
    expect(await lesson.textContent('[data-testid=lesson-text]')).toBe('Watch the validation loss');
    await lesson.click('[data-testid=more-settings]');
    await lesson.waitForSelector('[data-testid=setting-seed]');
    for (const hidden of ['setting-lr', 'setting-batch', 'setting-backend'])
      expect(await lesson.locator(`[data-testid=${hidden}]`).count(), hidden).toBe(0);
    expect(await lesson.locator('#export').count()).toBe(0);
    expect(await lesson.locator('[data-testid=setting-bootstrap]').count()).toBe(1);
    // Changing a setting keeps the lesson in the address.
    await lesson.fill('[data-testid=setting-epochs]', '4');
    await lesson.waitForFunction(() => window.location.hash.includes('epochs=4'));
    expect(await lesson.evaluate(() => window.location.hash)).toContain('hide=lr%2Cbatch%2Cbackend%2Cexport');
    await screenshot(lesson, 'lesson-1-link');
    await own.close();
  }, 120_000);

  it('the start page has no serious accessibility violation and shows only what a first run needs', async () => {
    page = await openLabPage(browser, site.url, context);
    await page.waitForSelector('[data-testid=backend-indicator][data-backend]', { timeout: 60_000 });
    await page
      .waitForSelector('[data-testid=model-cnn], [data-testid=models] input, #models input', { timeout: 60_000 })
      .catch(() => undefined);
    expect(await page.locator('[data-testid=setting-lr]').count()).toBe(0);
    expect(await page.getAttribute('[data-testid=more-settings]', 'aria-expanded')).toBe('false');
    await expectNoSeriousViolations(page, 'start page');
    await screenshot(page, 'lesson-2-start');
  }, 120_000);

  it('by keyboard alone: the demo, then Train with the defaults, and the CNN learns (test AUC ≥ 0.90, accuracy ≥ 0.80)', async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, 'demo-dataset');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=dataset-summary][data-count]', { timeout: 120_000 });
    await tabTo(page, 'train-button');
    await page.keyboard.press('Enter');
    await waitForRunEnd(page, 600_000);
    // The outcome is announced (a live region), and every chart carries its numbers as text.
    expect(await page.textContent('[data-testid=train-announcer]')).toMatch(/^Training finished: 2 of 2 runs done\./);
    expect(await page.textContent('[data-testid=chart-roc-text]')).toMatch(
      /^true-positive rate by false-positive rate.* Conv2D CNN: \d+ points/,
    );
    const auc = await metric(page, 'cnn', 'auc');
    const accuracy = await metric(page, 'cnn', 'accuracy');
    console.info(
      `default demo: cnn AUC ${auc}, accuracy ${accuracy}; light-k2 AUC ${await metric(page, 'light-k2', 'auc')}`,
    );
    expect(auc).toBeGreaterThanOrEqual(0.9);
    expect(accuracy).toBeGreaterThanOrEqual(0.8);
    await screenshot(page, 'lesson-3-trained');
  }, 700_000);

  it('after a comparison, and with the error gallery open, no serious accessibility violation', async () => {
    await expectNoSeriousViolations(page, 'after training');
    const cell = page.locator('[data-testid^="confusion-cell-cnn-"]').first();
    await cell.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=error-gallery]', { timeout: 60_000 });
    await expectNoSeriousViolations(page, 'error gallery');
    await screenshot(page, 'lesson-4-gallery');
  }, 180_000);

  it('presentation mode shows one step at a time, in large type, without serious violations', async () => {
    await page.click('[data-testid=present-toggle]');
    await page.waitForSelector('[data-testid=present-nav]');
    expect(await page.evaluate(() => document.querySelectorAll('main section.step').length)).toBe(1);
    expect(await page.evaluate(() => window.location.hash)).toContain('present=1');
    await page.click('[data-testid=present-next]');
    expect(await page.locator('#models').count()).toBe(1);
    await expectNoSeriousViolations(page, 'presentation mode');
    await screenshot(page, 'lesson-5-present');
    await page.click('[data-testid=present-toggle]');
    expect(await page.evaluate(() => document.querySelectorAll('main section.step').length)).toBeGreaterThan(3);
  }, 120_000);

  it('fits a tablet and a phone: no page-wide sideways scroll', async () => {
    for (const [width, height] of [
      [768, 1024],
      [390, 844],
    ]) {
      await page.setViewportSize({ width, height });
      await page.waitForTimeout(300); // one layout after the resize
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
      }));
      await screenshot(page, `lesson-6-${width}x${height}`);
      expect(scrollWidth, `${width}×${height}`).toBeLessThanOrEqual(innerWidth);
    }
    await page.setViewportSize({ width: 1366, height: 900 });
  }, 60_000);

  it('"Share this lesson" writes a link that hides what was ticked and shows the text', async () => {
    await page.click('[data-testid=share-lesson-open]');
    await page.waitForSelector('[data-testid=share-lesson][open]');
    await page.check('[data-testid=share-hide-export]');
    await page.check('[data-testid=share-hide-lr]');
    await page.fill('[data-testid=share-lesson-text]', 'Which model ranks the images better?');
    const link = await page.inputValue('[data-testid=share-lesson-link]');
    expect(link).toContain('hide=export%2Clr');
    await page.click('[data-testid=share-lesson-close]');
    const shared = await openLabPage(browser, link, context);
    await shared.waitForSelector('[data-testid=lesson-text]', { timeout: 60_000 });
    expect(await shared.textContent('[data-testid=lesson-text]')).toBe('Which model ranks the images better?');
    expect(await shared.locator('#export').count()).toBe(0);
    await shared.close();
  }, 120_000);

  it('offline after one visit: the page loads with no server at all, trains the demo and restores saved work', async () => {
    const small = `${site.url}#size=64&epochs=1&models=cnn&demo-per-class=20&bootstrap=0`;
    // A browser profile of its own: one visit is all it has had, and "saved work" is this run alone (the shared
    // profile would restore the default run above as well, charts and all, on every reload).
    const own = await newLabContext(browser);
    const visit = await openLabPage(browser, small, own);
    await visit.waitForSelector('[data-testid=backend-indicator][data-backend]', { timeout: 60_000 });
    // The page came through the service worker (this server sends no isolation headers: only the worker adds them,
    // after the page's one reload) and the worker has cached the whole site.
    await visit.waitForFunction(
      async () => {
        const names = await caches.keys();
        const shell = names.find((n) => n.startsWith('xray-lab-shell-'));
        return (
          window.crossOriginIsolated &&
          navigator.serviceWorker.controller != null &&
          shell != null &&
          (await (await caches.open(shell)).keys()).length > 5
        );
      },
      null,
      { timeout: 60_000, polling: 500 },
    );
    await visit.waitForSelector('[data-testid=backend-indicator][data-backend]', { timeout: 60_000 });
    await site.close(); // no server: a page that needed the network could not load
    await own.setOffline(true);
    await visit.reload();
    await visit.waitForSelector('[data-testid=backend-indicator][data-backend]', { timeout: 60_000 });
    await visit.click('[data-testid=demo-dataset]');
    await visit.waitForSelector('[data-testid=dataset-summary][data-count="40"]', { timeout: 60_000 });
    await visit.click('[data-testid=train-button]');
    await waitForRunEnd(visit);
    expect(await metric(visit, 'cnn', 'auc')).toBeGreaterThanOrEqual(0);
    await visit.reload();
    await visit.waitForSelector('[data-testid=comparison-table] tr[data-model-id="cnn"]', { timeout: 60_000 });
    await screenshot(visit, 'lesson-7-offline');
    await own.close();
  }, 300_000);
});
