/**
 * Never lose work, in Debian's Chromium: a reload after a finished run shows the table and offers the trained model
 * for download with no training; a reload mid-training offers "… stopped at epoch n of 10 — Resume / Discard",
 * asks for the same data, and the resumed run finishes with the same weights, byte for byte, as a run that was never
 * interrupted (wasm); a saved project opens in a fresh browser profile (one saved mid-run with its images resumes
 * there, after a reload too, to the same weights); "Clear stored data" empties the store. Skipped where no Chromium is installed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveLabSite, type StaticSite } from './lab-site';
import { writeDataset } from '../helpers/write-dataset';
import { ARTIFACTS, CHROMIUM, launchChromium, newLabContext, screenshot, waitForRunEnd } from './browser';

/**
 * Small images, few of them: what is checked is that nothing is lost and that the resumed weights equal, byte for
 * byte, an uninterrupted run's, which does not need a model that learns much; ten epochs keep a reload mid-run.
 */
const SIZE = 32;
const PER_CLASS = 40;
const COUNT = 2 * PER_CLASS;
const SETTINGS = `size=${SIZE}&epochs=10&batch=8&seeds=1&bootstrap=0&backend=wasm`;

/** Every file of the "Download all" zip. */
async function downloadAll(page: Page): Promise<Record<string, Uint8Array>> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-all]')]);
  return unzipSync(readFileSync((await download.path())!));
}

async function loadFolder(page: Page, folder: string): Promise<void> {
  await page.setInputFiles('[data-testid=dataset-input]', folder);
  await page.waitForSelector(`[data-testid=dataset-summary][data-count="${COUNT}"]`, { timeout: 60_000 });
}

async function openPage(
  browser: Browser,
  url: string,
  context?: Awaited<ReturnType<typeof newLabContext>>,
): Promise<Page> {
  const page = await (context ?? (await newLabContext(browser))).newPage();
  // The unsaved-downloads warning would hold up a reload; autosave is what this test is about.
  page.on('dialog', (d) => void d.accept());
  await page.goto(url);
  await page.waitForSelector('[data-testid=backend-indicator][data-backend=wasm]', { timeout: 60_000 });
  return page;
}

describe.skipIf(!CHROMIUM)('autosave, restore on load and resume', () => {
  let work: string;
  let site: StaticSite;
  let browser: Browser;
  let folder: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'xray-lab-e2e-persist-'));
    site = await serveLabSite();
    folder = join(work, 'phantom-png');
    await writeDataset(folder, { perClass: PER_CLASS, size: SIZE, seed: 5, format: 'png' });
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('a reload after a finished run shows its results and model, with no training', async () => {
    const page = await openPage(browser, `${site.url}#models=light-k1&${SETTINGS.replace('epochs=10', 'epochs=2')}`);
    await loadFolder(page, folder);
    await page.click('[data-testid=train-button]');
    await waitForRunEnd(page);
    const row = '[data-testid=comparison-table] tr[data-model-id="light-k1"]';
    const accuracy = await page.getAttribute(`${row} td[data-metric=accuracy]`, 'data-value');
    // The row says what autosave cost per epoch (its size is bench material: npm run bench -- autosave --env chromium).
    const cost = await page.waitForSelector('[data-testid=autosave-cost-light-k1]', { timeout: 30_000 });
    expect(Number(await cost.getAttribute('data-ms'))).toBeGreaterThan(0);
    expect(Number(await cost.getAttribute('data-share'))).toBeGreaterThan(0);
    expect(await cost.textContent()).toMatch(/autosave [\d.]+ ms per epoch \([\d.]+ %, [\d.]+ MB\)/);
    await (await page.$('[data-testid=progress-light-k1]'))!.screenshot({
      path: join(ARTIFACTS, 'persist-0-autosave-cost.png'),
    });
    const before = await downloadAll(page);

    await page.reload();
    await page.waitForSelector(row, { timeout: 60_000 });
    expect(await page.getAttribute(`${row} td[data-metric=accuracy]`, 'data-value')).toBe(accuracy);
    expect(await page.getAttribute('[data-testid=progress-light-k1]', 'data-phase')).toBe('done');
    expect(await page.isVisible('[data-testid=cancel-button]')).toBe(false);
    expect(await page.isVisible('[data-testid=resume-offer]')).toBe(false);
    // The trained model downloads as it was (from the store, not retrained).
    const after = await downloadAll(page);
    expect(after['models/light-k1/weights.bin']).toEqual(before['models/light-k1/weights.bin']);
    expect(Number(await page.getAttribute('[data-testid=storage-usage]', 'data-bytes'))).toBeGreaterThan(
      after['models/light-k1/weights.bin'].length,
    );
    await screenshot(page, 'persist-1-restored');

    // Save project, then open it in a fresh browser profile: the same table and the same model, without training.
    const [saved] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=save-project]')]);
    const projectPath = join(work, 'xray-lab-project.zip');
    await saved.saveAs(projectPath);
    await page.context().close();
    const fresh = await openPage(browser, site.url);
    await fresh.setInputFiles('[data-testid=open-project-input]', projectPath);
    await fresh.waitForSelector(row, { timeout: 60_000 });
    expect(await fresh.getAttribute(`${row} td[data-metric=accuracy]`, 'data-value')).toBe(accuracy);
    expect((await downloadAll(fresh))['models/light-k1/weights.bin']).toEqual(before['models/light-k1/weights.bin']);
    // A damaged project changes nothing and says why.
    const broken = join(work, 'broken.zip');
    writeFileSync(broken, readFileSync(projectPath).subarray(0, 2000));
    await fresh.setInputFiles('[data-testid=open-project-input]', broken);
    expect(await (await fresh.waitForSelector('[data-testid=error]', { timeout: 30_000 })).textContent()).toMatch(
      /broken\.zip: not a readable zip archive/,
    );
    expect(await fresh.getAttribute(`${row} td[data-metric=accuracy]`, 'data-value')).toBe(accuracy);
    await fresh.context().close();
  }, 300_000);

  it("a reload mid-training offers resume; the resumed run ends with the uninterrupted run's weights", async () => {
    const url = `${site.url}#models=light-k2&${SETTINGS}`;
    // The reference: the same run, never interrupted, in its own browser profile.
    const reference = await openPage(browser, url);
    await loadFolder(reference, folder);
    await reference.click('[data-testid=train-button]');
    await waitForRunEnd(reference);
    const expected = (await downloadAll(reference))['models/light-k2/weights.bin'];
    await reference.context().close();

    const page = await openPage(browser, url);
    // A dataset budget of 0 keeps only the fingerprint, so the reload asks for the folder (persist-dataset.test.ts
    // covers the stored dataset).
    await page.waitForFunction(
      () => (document.querySelector('[data-testid=storage-budget]') as HTMLInputElement | null)?.value === '500',
      null,
      { timeout: 30_000 },
    );
    await page.fill('[data-testid=storage-budget]', '0');
    await page.press('[data-testid=storage-budget]', 'Enter');
    await loadFolder(page, folder);
    await page.click('[data-testid=train-button]');
    await page.waitForFunction(
      () => /Epoch ([4-9]|10)\/10/.test(document.querySelector('[data-testid=progress-light-k2]')?.textContent ?? ''),
      null,
      { timeout: 120_000 },
    );
    await page.reload();

    const offer = await page.waitForSelector('[data-testid=resume-offer]', { timeout: 60_000 });
    expect(await offer.textContent()).toMatch(
      /LightLayers.*\(seed 1\) stopped at epoch [3-9] of 10 — to resume, load the data it trained on \(phantom-png\)/,
    );
    expect(await page.isDisabled('[data-testid=resume-button]')).toBe(true);
    await screenshot(page, 'persist-2-resume-offer');
    await loadFolder(page, folder);
    expect(await page.isDisabled('[data-testid=resume-button]')).toBe(false);
    // Saved now, with its images, the project carries the checkpoint and the data: it resumes in another browser.
    await page.check('[data-testid=save-project-images]');
    const [saved] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=save-project]')]);
    const projectPath = join(work, 'interrupted-project.zip');
    await saved.saveAs(projectPath);
    const entries = unzipSync(readFileSync(projectPath));
    expect(Object.keys(entries)).toEqual(
      expect.arrayContaining(['checkpoints/light-k2@1.bin', 'dataset/meta.json', 'dataset/pixels.bin']),
    );
    expect(entries['dataset/pixels.bin'].length).toBe(COUNT * SIZE * SIZE * 3);
    await page.click('[data-testid=resume-button]');
    await waitForRunEnd(page);
    expect(await page.getAttribute('[data-testid=progress-light-k2]', 'data-phase')).toBe('done');
    expect(await page.textContent('[data-testid=progress-light-k2]')).toContain('Trained 10 epochs');
    expect(await page.isVisible('[data-testid=resume-offer]')).toBe(false);
    const files = await downloadAll(page);
    expect(files['models/light-k2/weights.bin'].length).toBe(expected.length);
    expect(Buffer.from(files['models/light-k2/weights.bin']).equals(Buffer.from(expected))).toBe(true);

    // The project saved mid-run opens in a fresh profile with its images, survives a reload there (it is kept in
    // that browser's store), and its resumed run ends with the same weights.
    const fresh = await openPage(browser, url);
    await fresh.setInputFiles('[data-testid=open-project-input]', projectPath);
    await fresh.waitForSelector('[data-testid=resume-offer]', { timeout: 60_000 });
    await fresh.waitForSelector(`[data-testid=dataset-summary][data-count="${COUNT}"]`, { timeout: 60_000 });
    await fresh.reload();
    await fresh.waitForSelector('[data-testid=resume-offer]', { timeout: 60_000 });
    await fresh.waitForSelector(`[data-testid=dataset-summary][data-count="${COUNT}"]`, { timeout: 60_000 });
    await fresh.waitForFunction(
      () => !(document.querySelector('[data-testid=resume-button]') as HTMLButtonElement | null)?.disabled,
      null,
      { timeout: 30_000 },
    );
    await screenshot(fresh, 'persist-3-opened-project-resume');
    await fresh.click('[data-testid=resume-button]');
    await waitForRunEnd(fresh);
    expect(await fresh.textContent('[data-testid=progress-light-k2]')).toContain('Trained 10 epochs');
    const resumedThere = (await downloadAll(fresh))['models/light-k2/weights.bin'];
    expect(Buffer.from(resumedThere).equals(Buffer.from(expected))).toBe(true);
    await fresh.context().close();

    // Clear stored data: the store is empty, the page keeps what it shows, and a reload restores nothing.
    await page.click('[data-testid=clear-storage]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=storage-usage]')?.getAttribute('data-bytes') === '0',
      null,
      { timeout: 30_000 },
    );
    expect(await page.isVisible('[data-testid=comparison-table] tr[data-model-id="light-k2"]')).toBe(true);
    await page.reload();
    await page.waitForSelector('[data-testid=storage-usage][data-bytes="0"]', { timeout: 60_000 });
    expect(await page.isVisible('[data-testid=comparison-table] tr[data-model-id="light-k2"]')).toBe(false);
    await page.context().close();
  }, 600_000);

  it('discard forgets an interrupted run', async () => {
    const page = await openPage(browser, `${site.url}#models=light-k1&${SETTINGS}`);
    await loadFolder(page, folder);
    await page.click('[data-testid=train-button]');
    await page.waitForFunction(
      () => /Epoch ([3-9]|10)\/10/.test(document.querySelector('[data-testid=progress-light-k1]')?.textContent ?? ''),
      null,
      { timeout: 120_000 },
    );
    await page.reload();
    await page.waitForSelector('[data-testid=resume-offer]', { timeout: 60_000 });
    await page.click('[data-testid=discard-button]');
    await page.waitForSelector('[data-testid=resume-offer]', { state: 'detached', timeout: 30_000 });
    await page.reload();
    await page.waitForSelector('[data-testid=storage-usage]', { timeout: 60_000 });
    await page.waitForTimeout(1_000);
    expect(await page.isVisible('[data-testid=resume-offer]')).toBe(false);
    await page.context().close();
  }, 300_000);
});
