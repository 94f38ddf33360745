/**
 * The Chromium side of `bench transfer --vs-torch`: bundles ./page with Vite into bench/.build/, serves it cross-origin
 * isolated on 127.0.0.1 with the MobileNetV2 weights folder next to it (the page loads them by URL, as the lab does),
 * and drives Debian's Chromium headless through playwright-core.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { CHROMIUM, launchChromium } from '../../test/helpers/chromium';
import { ISOLATION_HEADERS, serveStatic } from '../../test/helpers/static-server';
import { backboneRequest, headRequest, type EnvResult } from './environment';
import type { BackboneMeasurement, BackboneRequest } from './measure';
import { weightsPathFromRoot } from './node';
import type { TransferVsTorchOptions } from './options';

const here = dirname(fileURLToPath(import.meta.url));
const PAGE_DIR = join(here, 'page');
const OUT_DIR = join(here, '..', '.build', 'transfer-vs-torch-page');
const WEIGHTS_PREFIX = 'weights/mobilenet-v2/';

async function buildPage(): Promise<void> {
  // Not minified: tfjs's threaded wasm worker is built from its factory's source text, which minification mangles.
  await build({
    root: PAGE_DIR,
    configFile: false,
    base: './',
    logLevel: 'warn',
    worker: { format: 'es' },
    build: { outDir: OUT_DIR, emptyOutDir: true, minify: false, target: 'es2022', chunkSizeWarningLimit: 10_000 },
  });
}

/** The folder holding the MobileNetV2 model.json, or null when the path names none. */
function weightsFolder(path: string): string | null {
  if (!existsSync(path)) return null;
  const folder = statSync(path).isDirectory() ? path : dirname(path);
  return existsSync(join(folder, 'model.json')) ? folder : null;
}

async function backboneInPage(
  page: Page,
  request: BackboneRequest,
  weightsUrl: string | null,
): Promise<BackboneMeasurement> {
  const result = await page.evaluate(([r, url]) => window.xrayTransferBench.backbone(r, url), [
    request,
    weightsUrl,
  ] as const);
  if ('error' in result) throw new Error(result.error);
  return result;
}

export async function runInChromium(
  o: TransferVsTorchOptions,
  log: (line: string) => void,
): Promise<EnvResult | string> {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM || 'chromium'} not found (Debian: apt-get install chromium)`;
  log('chromium: bundling the transfer bench page with Vite');
  await buildPage();
  const site = await serveStatic(OUT_DIR, '/', ISOLATION_HEADERS);
  const folder = weightsFolder(weightsPathFromRoot(o.mobilenetWeights));
  if (folder != null) site.setOverlay({ prefix: WEIGHTS_PREFIX, dir: folder });
  else log(`chromium: no model.json at ${o.mobilenetWeights}; timing MobileNetV2 α 0.35 with random weights`);
  const browser = await launchChromium();
  const result: EnvResult = { env: 'chromium', backbones: [], head: null, failures: [] };
  try {
    const page = await browser.newPage();
    page.on('pageerror', (err) => log(`page error: ${err.message}`));
    await page.goto(site.url);
    await page.waitForFunction(() => document.title === 'ready');
    log(`chromium ${browser.version()}: ${JSON.stringify(await page.evaluate(() => window.xrayTransferBench.info()))}`);
    for (const backbone of o.backbones) {
      log(`chromium wasm ${backbone}: ${o.batches} timed batch(es) of ${o.batch}`);
      const loaded = backbone === 'mobilenet-v2' && folder != null;
      const weightsUrl = loaded ? `${site.url}${WEIGHTS_PREFIX}model.json` : null;
      try {
        result.backbones.push(await backboneInPage(page, backboneRequest(o, backbone), weightsUrl));
      } catch (err) {
        result.failures.push({ backbone, error: (err as Error).message.split('\n')[0] });
      }
    }
    const head = headRequest(o);
    if (head != null) {
      log(`chromium wasm: ${head.epochs} head epoch(s) on ${head.images} cached InceptionV3 feature vectors`);
      const ms = await page.evaluate((r) => window.xrayTransferBench.head(r), head);
      if (typeof ms === 'number') result.head = { request: head, ms };
      else log(`chromium head epochs: ${ms.error}`);
    }
  } finally {
    await browser.close();
    await site.close();
  }
  return result;
}
