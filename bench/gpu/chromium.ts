/**
 * `bench gpu` in headless Chromium: launches it with the GPU flags, asks a blank localhost page (a secure context,
 * so navigator.gpu exists) for the adapters, and refuses before building anything when none is hardware. Otherwise
 * bundles ./page with Vite, serves it on 127.0.0.1 and measures each model on each hardware backend.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { CHROMIUM, launchChromium } from '../../test/helpers/chromium';
import { serveStatic } from '../../test/helpers/static-server';
import { classifyAdapter, describeClass, refusalMessage } from './adapter-class';
import { runnableBackends, type GpuEnvOutcome } from './environment';
import { chromiumGpuFlags, type GpuBenchOptions } from './options';
import { probeAdapters } from './probe-adapters';

const here = dirname(fileURLToPath(import.meta.url));
const PAGE_DIR = join(here, 'page');
const OUT_DIR = join(here, '..', '.build', 'gpu-page');
const PROBE_URL = 'http://localhost/xray-lab-gpu-probe';

async function buildPage(): Promise<void> {
  await build({
    root: PAGE_DIR,
    configFile: false,
    base: './',
    logLevel: 'warn',
    build: { outDir: OUT_DIR, emptyOutDir: true, minify: false, target: 'es2022', chunkSizeWarningLimit: 10_000 },
  });
}

export async function runGpuInChromium(
  o: GpuBenchOptions,
  log: (line: string) => void,
): Promise<GpuEnvOutcome | string> {
  if (!existsSync(CHROMIUM)) {
    return `${CHROMIUM || 'chromium'} not found (Debian: apt-get install chromium; or CHROMIUM_PATH)`;
  }
  const flags = chromiumGpuFlags(o);
  log(`chromium: ${CHROMIUM} ${flags.join(' ')}`);
  const browser = await launchChromium(flags);
  try {
    const page = await browser.newPage();
    page.on('pageerror', (err) => log(`page error: ${err.message}`));
    // Served by Playwright itself: no build, no server, yet localhost counts as a secure context.
    await page.route(PROBE_URL, (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>probe</title>' }),
    );
    await page.goto(PROBE_URL);
    const reports = await page.evaluate(probeAdapters);
    const adapters = reports.filter((r) => o.backends.includes(r.api)).map(classifyAdapter);
    for (const a of adapters) log(`chromium ${browser.version()}: ${describeClass(a)}`);
    const outcome: GpuEnvOutcome = { env: 'chromium', adapters, refusal: null, measurements: [], errors: [] };
    const backends = runnableBackends(o, adapters);
    if (backends.length === 0) return { ...outcome, refusal: refusalMessage('Chromium', adapters) };
    for (const a of adapters.filter((c) => !backends.includes(c.api))) log(`chromium: left out ${describeClass(a)}`);
    log('chromium: bundling the GPU bench page with Vite');
    await buildPage();
    const site = await serveStatic(OUT_DIR, '/');
    try {
      await page.goto(site.url);
      await page.waitForFunction(() => document.title === 'ready');
      for (const backend of backends) {
        for (const model of o.models) {
          log(`chromium ${backend} ${model}: ${o.size} px, batch ${o.batch}`);
          const request = { backend, model, size: o.size, batch: o.batch, steps: o.steps, repeats: o.repeats };
          const result = await page.evaluate((r) => window.xrayGpuBench.measure(r), request);
          if ('error' in result) outcome.errors.push(`chromium ${backend} ${model}: ${result.error.split('\n')[0]}`);
          else outcome.measurements.push(result);
        }
      }
    } finally {
      await site.close();
    }
    return outcome;
  } finally {
    await browser.close();
  }
}
