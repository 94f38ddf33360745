/**
 * What a newcomer trips over, in Debian's Chromium at 1280 px: the table gives each run's figures with
 * their 95% intervals and fits its card with every column on; a confusion-matrix count is a button that says what it
 * opens; the gallery says how coarse a heat map is; step 5 lists downloads before opening; Classify says what the
 * model trained on and that it is not for diagnosis; and a reload draws the very curves that were shown.
 * Skipped where no Chromium is installed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wilsonInterval } from '../../src/app/lib/intervals';
import { serveLabSite, type StaticSite } from './lab-site';
import { writeDataset } from '../helpers/write-dataset';
import { CHROMIUM, launchChromium, screenshot, waitForRunEnd } from './browser';

const MODELS = ['cnn', 'light-k1'];
const HASH = `#size=64&epochs=3&batch=16&models=${MODELS.join(',')}&backend=wasm&demo-per-class=60&seeds=1`;
const TABLE = '[data-testid=comparison-table]';
const CURVES = ['chart-val-loss-overlay', ...MODELS.flatMap((id) => [`chart-loss-${id}`, `chart-accuracy-${id}`])];

const cellOf = (id: string, metric: string) => `${TABLE} tr[data-model-id="${id}"] td[data-metric="${metric}"]`;

async function count(page: Page, id: string, t: string, p: string): Promise<number> {
  return Number(await page.getAttribute(`[data-testid=confusion-cell-${id}-${t}-${p}]`, 'data-count'));
}

/** What each learning-curve chart draws, once drawn. */
async function curveData(page: Page): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const id of CURVES) {
    await page.waitForSelector(`[data-testid="${id}"][data-points]:not([data-points="0"])`, { timeout: 30_000 });
    out[id] = JSON.parse((await page.getAttribute(`[data-testid="${id}"]`, 'data-spec'))!);
  }
  return out;
}

describe.skipIf(!CHROMIUM)('what a newcomer trips over', () => {
  let work: string;
  let site: StaticSite;
  let browser: Browser;
  let page: Page;
  /** Console warnings and errors of the page, all along. */
  const console_: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'xray-lab-e2e-newcomer-'));
    site = await serveLabSite();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    // The unsaved-downloads warning would hold up the reload.
    page.on('dialog', (d) => void d.accept());
    page.on('console', (m) => {
      if (m.type() === 'warning' || m.type() === 'error') console_.push(m.text());
    });
    await page.goto(site.url + HASH);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('says where training runs in plain words, details one click away', async () => {
    await page.waitForSelector('[data-testid=backend-indicator][data-backend=wasm]', { timeout: 60_000 });
    const details = page.locator('[data-testid=backend-indicator] details');
    expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await page.isVisible('[data-testid=backend-indicator] .backend-adapter')).toBe(false);
    await details.locator('summary').click();
    expect(await page.isVisible('[data-testid=backend-indicator] .backend-adapter')).toBe(true);
    const adapter = (await page.textContent('[data-testid=backend-indicator] .backend-adapter'))!;
    expect(adapter).toMatch(/^Backend: WebAssembly/);
    // The plain line gives the threads whenever the details know them.
    const threads = /(\d+ threads?)/.exec(adapter)?.[1];
    expect(await page.textContent('[data-testid=backend-plain]')).toBe(
      `Training on this computer's processor (WebAssembly${threads ? `, ${threads}` : ''})`,
    );
  });

  it('trains cnn and light-k1 on the demo set', async () => {
    await page.click('[data-testid=demo-dataset]');
    await page.waitForSelector('[data-testid=dataset-summary][data-count="120"]', { timeout: 60_000 });
    expect(await page.$('[data-testid=train-blocker]').then((b) => b?.textContent())).toBeUndefined();
    await page.click('[data-testid=train-button]');
    await waitForRunEnd(page);
    for (const id of MODELS) expect(await page.getAttribute(`[data-testid=progress-${id}]`, 'data-phase')).toBe('done');
  }, 300_000);

  it('shows each figure with its 95% interval, and counts with thousands separators', async () => {
    for (const id of MODELS) {
      for (const metric of ['accuracy', 'sensitivity', 'specificity', 'auc']) {
        const cell = page.locator(cellOf(id, metric));
        const [value, low, high] = await Promise.all(
          ['data-value', 'data-ci-low', 'data-ci-high'].map(async (a) => Number(await cell.getAttribute(a))),
        );
        expect(low).toBeLessThanOrEqual(value);
        expect(high).toBeGreaterThanOrEqual(value);
        expect(high).toBeGreaterThan(low);
        expect(await cell.textContent()).toBe(
          `${value.toFixed(3)} 95% interval (${low.toFixed(3)}–${high.toFixed(3)})`,
        );
      }
      const params = Number(await page.getAttribute(cellOf(id, 'params'), 'data-value'));
      expect(params).toBeGreaterThan(1000);
      expect(await page.textContent(cellOf(id, 'params'))).toBe(params.toLocaleString('en-US'));
    }
    // Sensitivity's interval is Wilson's over the positives the matrix shows, and follows the threshold.
    for (const threshold of ['0.50', '0.20']) {
      await page.locator('[data-testid=threshold-slider]').fill(threshold);
      await page.waitForSelector(`[data-testid=threshold-value]:text-is("${threshold}")`);
      const tp = await count(page, 'cnn', 'PNEUMONIA', 'PNEUMONIA');
      const fn = await count(page, 'cnn', 'PNEUMONIA', 'NORMAL');
      const expected = wilsonInterval(tp, tp + fn)!;
      expect(Number(await page.getAttribute(cellOf('cnn', 'sensitivity'), 'data-ci-low'))).toBeCloseTo(
        expected.low,
        12,
      );
      expect(Number(await page.getAttribute(cellOf('cnn', 'sensitivity'), 'data-ci-high'))).toBeCloseTo(
        expected.high,
        12,
      );
    }
    await page.locator('[data-testid=threshold-slider]').fill('0.5');
    expect(await page.textContent('[data-testid=interval-note]')).toContain('95% interval');
  });

  it('fits its card at 1280 px with the validation columns and published rows on', async () => {
    await page.check('[data-testid=show-validation]');
    await page.check('[data-testid=show-references]');
    await page.waitForSelector(`${TABLE} tr[data-reference-id]`);
    await screenshot(page, 'newcomer-table-1280');
    const { scroll, client } = await page.$eval('.table-wrap', (el) => ({
      scroll: el.scrollWidth,
      client: el.clientWidth,
    }));
    expect(scroll).toBeLessThanOrEqual(client);
    await page.uncheck('[data-testid=show-references]');
  });

  it('makes a confusion-matrix count a button that says what it opens, and has no second matrix', async () => {
    const button = page.getByRole('button', {
      name: /^(\d+) \(\d+%\): NORMAL called PNEUMONIA, \1 test images?\. Show them$/,
    });
    expect(await button.count()).toBe(MODELS.length);
    const cnnCell = page.locator('[data-testid=confusion-cell-cnn-NORMAL-NORMAL]');
    expect(await cnnCell.evaluate((el) => el.tagName)).toBe('BUTTON');
    const style = await cnnCell.evaluate((el) => {
      const s = getComputedStyle(el);
      return { cursor: s.cursor, border: s.borderTopStyle, shadow: s.boxShadow };
    });
    expect(style).toMatchObject({ cursor: 'pointer', border: 'solid' });
    expect(style.shadow).not.toBe('none');
    expect(await page.isVisible('text=Click a count to see those test images.')).toBe(true);
    expect(await page.$('[data-testid^=chart-confusion-]')).toBeNull();
  });

  it('says how coarse the Grad-CAM maps are', async () => {
    await page.click('[data-testid=confusion-cell-cnn-PNEUMONIA-PNEUMONIA]');
    const note = await page.waitForSelector('[data-testid=gallery-map-resolution]', { timeout: 120_000 });
    expect(await note.textContent()).toMatch(/Each map has only \d+×\d+ cells over the 64×64 px image/);
    await page.click('[data-testid=gallery-close]');
  }, 150_000);

  it('lists the downloads before "Open a saved experiment" in step 5', async () => {
    const order = await page.evaluate(() => {
      const download = document.querySelector('[data-testid=download-all]')!;
      const open = document.querySelector('[data-testid=open-experiment-input]')!;
      return download.compareDocumentPosition(open) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    expect(order).toBeTruthy();
  });

  it('says in Classify what the model trained on, how it scored, and that it is not for diagnosis', async () => {
    await page.selectOption('[data-testid=classify-model]', { label: 'Conv2D CNN (trained here)' });
    const facts = (await page.textContent('[data-testid=classify-training-data]'))!;
    expect(facts).toContain('trained on generated phantom images, not real X-rays');
    const auc = Number(await page.getAttribute(cellOf('cnn', 'auc'), 'data-value'));
    expect(facts).toContain(`AUC ${auc.toFixed(3)} (`);
    expect(facts).toMatch(/\(\d+ training images, NORMAL \/ PNEUMONIA, 64×64 px, 3 epochs\)/);
    const caveat = (await page.textContent('[data-testid=classify-caveat]'))!;
    expect(caveat).toContain('For teaching and research, not for diagnosis.');
    expect(caveat).toContain('its answers on real X-rays mean nothing');
    expect(await page.textContent('[data-testid=page-footer]')).toContain('It is not a medical device');
    await screenshot(page, 'newcomer-classify');
  });

  it('draws the ROC on rates, with no chart drawn before its data', async () => {
    const roc = JSON.parse((await page.getAttribute('[data-testid=chart-roc]', 'data-spec'))!) as {
      xLabel: string;
      xStep: number;
      fixedColors: Record<string, string>;
    };
    expect(roc).toMatchObject({ xLabel: 'false-positive rate', xStep: 0.01, fixedColors: { chance: '#6b7280' } });
    for (const id of ['chart-roc', ...CURVES]) {
      // Charts draw only on screen (or near it): look at each, as a user scrolling down would.
      await page.locator(`[data-testid="${id}"]`).scrollIntoViewIfNeeded();
      await page.waitForSelector(`[data-testid="${id}"][data-rendered="true"] canvas`, { timeout: 30_000 });
    }
    expect(console_.filter((m) => /Infinite extent/.test(m))).toEqual([]);
  });

  it('draws the same curves after a reload', async () => {
    const before = await curveData(page);
    // Epoch 0 (the untrained network) and the three epochs: four points per line.
    const overlay = before['chart-val-loss-overlay'] as { values: (number | null)[][] };
    for (const line of overlay.values) expect(line.filter((v) => v != null)).toHaveLength(4);
    await page.reload();
    await page.waitForSelector(`${TABLE} tr[data-model-id="cnn"]`, { timeout: 60_000 });
    expect(await curveData(page)).toEqual(before);
  }, 120_000);

  it('says beside the size field when a new size makes Train decode every loaded image again', async () => {
    const folder = join(work, 'folder');
    await writeDataset(folder, { perClass: 10, size: 64, seed: 3, format: 'png' });
    await page.setInputFiles('[data-testid=dataset-input]', folder);
    await page.waitForSelector('[data-testid=dataset-summary][data-count="20"]', { timeout: 60_000 });
    const field = page.locator('label:has([data-testid=setting-size])');
    expect(await field.textContent()).not.toContain('decodes');
    await page.fill('[data-testid=setting-size]', '96');
    await expect
      .poll(() => field.textContent())
      .toContain('The loaded images are decoded at 64 px: at 96 px, Train first decodes all 20 again');
    await page.fill('[data-testid=setting-size]', '64');
    await expect.poll(() => field.textContent()).not.toContain('decodes');
  }, 120_000);
});
