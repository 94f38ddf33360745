/**
 * Helpers for the browser tests: the Debian Chromium (never a downloaded browser), a page that records main-thread
 * long tasks and key presses' input delay, and screenshots kept as test artefacts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { recordInput } from '../helpers/page-smoothness';

export { CHROMIUM, launchChromium } from '../helpers/chromium';
export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'e2e');

/** A browser context (its own storage: IndexedDB, downloads) sized as the screenshots expect. */
export function newLabContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
}

/**
 * A page that records every main-thread long task (Long Tasks API) in `window.__longTasks` as [start, duration] and
 * key presses' input delay (recordInput); in a fresh context, or in `context` so that pages share storage (weights
 * cached by one are there for the next).
 */
export async function openLabPage(browser: Browser, url: string, context?: BrowserContext): Promise<Page> {
  const page = await (context ?? (await newLabContext(browser))).newPage();
  await recordInput(page);
  await page.goto(url);
  return page;
}

/** Longest long task (ms) that started at or after `since` (page time). */
export function longestTaskSince(page: Page, since: number): Promise<number> {
  return page.evaluate((t) => {
    const tasks = (window as unknown as { __longTasks: number[][] }).__longTasks;
    return Math.max(0, ...tasks.filter(([start]) => start >= t).map(([, d]) => d));
  }, since);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/**
 * A number shown on the page. Blank or absent text is NaN, not the 0 that `Number('')` gives: a missing metric
 * (an empty cell) must fail a range check, and an empty count must not pass for zero.
 */
export function shownNumber(text: string | null): number {
  // The first figure of a cell: "31,074" is 31074; an interval under it ("0.912 (0.880–0.940)") is not read.
  return text == null || text.trim() === '' ? Number.NaN : Number(text.trim().split(/\s/)[0].replace(/,/g, ''));
}

/** Waits until no training run is in progress (the Cancel-all button came and went), polling twice a second. */
export { runEnded as waitForRunEnd } from '../helpers/page-smoothness';
