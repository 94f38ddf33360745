/**
 * Bad input on the built page, in Debian's Chromium: an empty folder says so; a class folder without
 * images is refused in the CLI's words (through the file input when it holds junk, through the folder picker when it
 * is truly empty); an 8000×8000 image is skipped with the decode limit named; a label conflict and a useless split
 * are shown as the CLI's core computes them; an archive inside an archive is named. Each refusal keeps the dataset
 * loaded before. Skipped where no Chromium is installed.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_FOLDER } from '../../src/app/components/DatasetPicker';
import { nodeFolderSource } from '../../src/lab/data/node/sources';
import { ingest } from '../../src/lab/data/pipeline';
import { checkSplits } from '../../src/lab/data/split-check';
import { blankPng } from '../helpers/hostile-files';
import { makeKaggleZip } from '../helpers/kaggle-zip';
import { runCliCaptured } from '../helpers/run-cli';
import { serveLabSite, type StaticSite } from './lab-site';
import { writeDataset } from '../helpers/write-dataset';
import { CHROMIUM, launchChromium, openLabPage, screenshot } from './browser';
import { chooseZip, skippedFiles } from './ingest-fixtures';

const SPLIT = { valFraction: 0.15, testFraction: 0.2, seed: 1, keepOfficialVal: false };
const HASH = `#size=32&epochs=1&models=light-k1&backend=wasm&demoPerClass=12&valFraction=${SPLIT.valFraction}&testFraction=${SPLIT.testFraction}&seed=${SPLIT.seed}`;
const LIMIT_8000 = '8000×8000 = 64 megapixels is over the 40-megapixel decode limit';

describe.skipIf(!CHROMIUM)('bad input on the lab page', () => {
  let work: string;
  let site: StaticSite;
  let browser: Browser;
  let page: Page;
  /** The NORMAL file copied into PNEUMONIA/ (a label conflict). */
  let original: string;
  const at = (name: string) => join(work, name);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'xray-lab-e2e-hostile-'));
    site = await serveLabSite();

    mkdirSync(at('empty'));
    await writeDataset(at('junk-class'), { perClass: 3, size: 32, seed: 1 });
    mkdirSync(at('junk-class/COVID'));
    writeFileSync(at('junk-class/COVID/.DS_Store'), new Uint8Array([0, 0, 0, 1]));
    await writeDataset(at('big-image'), { perClass: 3, size: 32, seed: 2 });
    writeFileSync(at('big-image/PNEUMONIA/huge.png'), blankPng(8000, 8000));
    const conflict = await writeDataset(at('conflict'), { perClass: 6, size: 32, seed: 3 });
    original = conflict.images[0];
    copyFileSync(at(`conflict/${original}`), at('conflict/PNEUMONIA/copy.png'));
    await writeDataset(at('tiny'), { perClass: 2, size: 32, seed: 4 });
    writeFileSync(at('outer.zip'), zipSync({ 'download/archive.zip': makeKaggleZip({ perClass: 3, seed: 5 }).bytes }));

    browser = await launchChromium();
    page = await openLabPage(browser, site.url + HASH);
    await page.waitForSelector('[data-testid=backend-indicator][data-backend=wasm]', { timeout: 60_000 });
    await page.click('[data-testid=demo-dataset]');
    await page.waitForSelector('[data-testid=dataset-summary][data-count="24"]', { timeout: 60_000 });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** The error banner's text after `act`, any earlier banner dismissed first. */
  async function errorAfter(act: () => Promise<void>): Promise<string> {
    if (await page.isVisible('[data-testid=error]')) await page.click('[data-testid=error] button');
    await act();
    return (await (await page.waitForSelector('[data-testid=error]', { timeout: 30_000 })).textContent()) ?? '';
  }

  const source = () => page.getAttribute('[data-testid=dataset-summary]', 'data-source');

  it('an empty folder through the file input says so, and keeps the dataset', async () => {
    const before = await source();
    expect(await errorAfter(() => page.setInputFiles('[data-testid=dataset-input]', at('empty')))).toContain(
      EMPTY_FOLDER,
    );
    expect(await source()).toBe(before);
  });

  it("a class folder holding only .DS_Store is refused in the CLI's words", async () => {
    const cli = await runCliCaptured(['scan', at('junk-class')]);
    expect(cli.code).toBe(2);
    const problem = '/COVID: class folder holds no images (.jpg, .jpeg, .png, .dcm)';
    expect(cli.stderr.trim()).toBe(`xray-lab scan: ${at('junk-class')}${problem}`);
    const text = await errorAfter(() => page.setInputFiles('[data-testid=dataset-input]', at('junk-class')));
    expect(text).toContain(`junk-class${problem}`);
    await screenshot(page, 'hostile-1-empty-class');
  });

  it('a truly empty class folder, chosen with the folder picker, is refused the same way', async () => {
    // Chromium's showDirectoryPicker, answered with the folder the CLI refused (COVID/ without any file).
    const files = Object.fromEntries(
      ['NORMAL', 'PNEUMONIA'].map((cls) => [
        cls,
        Object.fromEntries(
          ['a.png', 'b.png'].map((n, i) => [
            n,
            Buffer.from(blankPng(8, 8, 40 + i * 100 + (cls === 'NORMAL' ? 0 : 7))).toString('base64'),
          ]),
        ),
      ]),
    );
    await page.evaluate((spec) => {
      type Node = {
        kind: 'directory';
        name: string;
        values(): AsyncGenerator<Node | { kind: 'file'; name: string; getFile(): Promise<File> }>;
      };
      const dir = (name: string, children: Record<string, Record<string, string>>): Node => ({
        kind: 'directory',
        name,
        async *values() {
          for (const [sub, content] of Object.entries(children)) {
            yield {
              kind: 'directory',
              name: sub,
              async *values() {
                for (const [file, b64] of Object.entries(content)) {
                  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
                  yield { kind: 'file' as const, name: file, getFile: async () => new File([bytes], file) };
                }
              },
            } as Node;
          }
        },
      });
      (window as unknown as { showDirectoryPicker: () => Promise<Node> }).showDirectoryPicker = async () =>
        dir('three', { ...spec, COVID: {} });
    }, files);
    const text = await errorAfter(() => page.getByRole('button', { name: 'Choose folder…' }).click());
    expect(text).toContain('three/COVID: class folder holds no images (.jpg, .jpeg, .png, .dcm)');
    const cliFolder = at('three');
    for (const [cls, content] of Object.entries(files)) {
      mkdirSync(join(cliFolder, cls), { recursive: true });
      for (const [name, b64] of Object.entries(content))
        writeFileSync(join(cliFolder, cls, name), Buffer.from(b64, 'base64'));
    }
    mkdirSync(join(cliFolder, 'COVID'));
    expect((await runCliCaptured(['scan', cliFolder])).stderr.trim()).toBe(
      `xray-lab scan: ${cliFolder}/COVID: class folder holds no images (.jpg, .jpeg, .png, .dcm)`,
    );
  });

  it('an 8000×8000 image is skipped with the decode limit named, as by scan and compare', async () => {
    await page.setInputFiles('[data-testid=dataset-input]', at('big-image'));
    await page.waitForSelector('[data-testid=dataset-summary][data-source="big-image"]', { timeout: 60_000 });
    expect(await page.getAttribute('[data-testid=dataset-summary]', 'data-count')).toBe('6');
    expect(await skippedFiles(page)).toEqual({ 'PNEUMONIA/huge.png': LIMIT_8000 });
    expect((await runCliCaptured(['scan', at('big-image'), '--decode'])).stdout).toContain(
      `1 × ${LIMIT_8000}: PNEUMONIA/huge.png`,
    );
    await screenshot(page, 'hostile-2-decode-limit');
  });

  it('names a label conflict and leaves both files out', async () => {
    await page.setInputFiles('[data-testid=dataset-input]', at('conflict'));
    await page.waitForSelector('[data-testid=dataset-summary][data-source="conflict"]', { timeout: 60_000 });
    expect(await page.getAttribute('[data-testid=dataset-summary]', 'data-count')).toBe('11');
    const lines = await page.$$eval('[data-testid=label-conflict]', (els) => els.map((e) => e.textContent));
    expect(lines).toEqual([
      `label conflict: ${original} (NORMAL) and PNEUMONIA/copy.png (PNEUMONIA) are the same file`,
    ]);
    expect(await page.textContent('[data-testid=dataset-label-conflicts]')).toContain(
      'Left out of training, validation and test',
    );
    await screenshot(page, 'hostile-3-label-conflict');
  });

  it('warns about a useless split exactly as the core computes it for the CLI', async () => {
    await page.setInputFiles('[data-testid=dataset-input]', at('tiny'));
    await page.waitForSelector('[data-testid=dataset-summary][data-source="tiny"]', { timeout: 60_000 });
    const shown = await page.$$eval('[data-testid=split-warning]', (els) => els.map((e) => e.textContent));
    const { summary } = await ingest(nodeFolderSource(at('tiny')), { decoder: null, split: SPLIT });
    const expected = checkSplits(summary).map((p) => p.message);
    expect(expected.length).toBeGreaterThan(0);
    expect(shown).toEqual(expected);
    await screenshot(page, 'hostile-4-split-warnings');
  });

  it('names the archive inside an archive, and keeps the dataset', async () => {
    const text = await errorAfter(() => chooseZip(page, at('outer.zip')));
    expect(text).toContain(
      'outer.zip: no images (.jpg, .jpeg, .png, .dcm) found (1 other files skipped); it holds another archive, download/archive.zip, which is not opened: unpack it and choose the result',
    );
    expect(await source()).toBe('tiny');
  });
});
