/**
 * The Chromium side of `bench train`: bundles bench/train/page with Vite into bench/.build/, serves it from a
 * tiny static server on 127.0.0.1, and drives Debian's /usr/bin/chromium headless through playwright-core (no
 * browser is ever downloaded). Each measurement runs in the page; the renderer's peak RSS comes from /proc. The page
 * is cross-origin isolated (threaded wasm). A software GPU (SwiftShader here) runs WebGL/WebGPU at a tiny size
 * only; a real one at the requested size (CHROMIUM_PATH and --chromium-flags point it at a GPU-enabled browser).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { findModel } from '../../src/lab/registry';
import { CHROMIUM, launchChromium } from '../../test/helpers/chromium';
import { ISOLATION_HEADERS, serveStatic } from '../../test/helpers/static-server';

export { CHROMIUM };
import type { MeasureRequest, Measurement } from './measure';
import { softwareGpuRequest, stockSkipReason, type BenchBackend, type TrainBenchOptions } from './options';
import { makeRow, type BenchRow } from './report';

const here = dirname(fileURLToPath(import.meta.url));
const PAGE_DIR = join(here, 'page');
const OUT_DIR = join(here, '..', '.build', 'train-page');

async function buildPage(): Promise<void> {
  // Not minified: tfjs's threaded wasm worker is built from factory.toString(), which minification mangles, and stack traces help.
  await build({
    root: PAGE_DIR,
    configFile: false,
    base: './',
    logLevel: 'warn',
    worker: { format: 'es' },
    build: { outDir: OUT_DIR, emptyOutDir: true, minify: false, target: 'es2022', chunkSizeWarningLimit: 10_000 },
  });
}

/** Peak RSS (MB) of the Chromium renderer processes started by this process, from /proc (Linux only). */
export function rendererPeakRssMB(): number | null {
  if (!existsSync('/proc/self/stat')) return null;
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  let peakKb: number | null = null;
  const queue = [...(children.get(process.pid) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    queue.push(...(children.get(pid) ?? []));
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (hwm) peakKb = Math.max(peakKb ?? 0, Number(hwm[1]));
    } catch {
      // Gone.
    }
  }
  return peakKb == null ? null : peakKb / 1024;
}

/**
 * The request for one backend and model: as asked, except on a software GPU (SwiftShader here), which takes
 * minutes per step at real sizes: there the smallest input each model accepts (≥ 16), 4 images, 2 steps, 1 repeat.
 */
function requestFor(
  o: TrainBenchOptions,
  backend: BenchBackend,
  model: string,
  software: string | null,
): { request: MeasureRequest; note?: string } {
  const request: MeasureRequest = {
    model,
    size: o.size,
    batch: o.batch,
    channels: o.channels,
    steps: o.steps,
    repeats: o.repeats,
    backend,
    kernels: 'ours',
    wasmThreads: o.wasmThreads,
  };
  if ((backend !== 'webgl' && backend !== 'webgpu') || software == null) return { request };
  const tiny = softwareGpuRequest(request, findModel(model).minSize);
  return {
    request: tiny,
    note: `${backend} runs on ${software} (software): tiny size ${tiny.size}, batch ${tiny.batch}`,
  };
}

/** Chromium flags for the GPU backends: WebGPU is behind a flag on Linux; a blocklisted GPU is used anyway. */
export const GPU_FLAGS = ['--enable-unsafe-webgpu', '--ignore-gpu-blocklist'];

async function measureInPage(page: Page, request: MeasureRequest): Promise<Measurement> {
  const result = await page.evaluate((r) => window.xrayBench.run(r), request);
  if ('error' in result) throw new Error(result.error);
  return result;
}

export async function runInChromium(o: TrainBenchOptions, log: (line: string) => void): Promise<BenchRow[]> {
  if (!existsSync(CHROMIUM)) {
    log(`chromium skipped: ${CHROMIUM} not found (Debian: apt-get install chromium)`);
    return [];
  }
  log('chromium: bundling the bench page with Vite');
  await buildPage();
  // Cross-origin isolated, as the lab serves itself: shared memory for multi-threaded wasm.
  const site = await serveStatic(OUT_DIR, '/', ISOLATION_HEADERS);
  const wantsGpu = o.backends.includes('webgpu') || o.backends.includes('webgl');
  const browser = await launchChromium([...(wantsGpu ? GPU_FLAGS : []), ...o.chromiumFlags]);
  const rows: BenchRow[] = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (err) => log(`page error: ${err.message}`));
    await page.goto(site.url);
    await page.waitForFunction(() => document.title === 'ready');
    const info = await page.evaluate(() => window.xrayBench.info());
    log(`chromium ${browser.version()}: ${JSON.stringify(info)}`);
    for (const backend of o.backends) {
      const software = backend === 'webgl' || backend === 'webgpu' ? info.gpus[backend].software : null;
      for (const model of o.models) {
        const { request, note } = requestFor(o, backend, model, software);
        try {
          log(`chromium ${backend} ${model}: our kernels`);
          const ours = await measureInPage(page, request);
          let stock: Measurement | null = null;
          if (o.stock && (backend === 'wasm' || backend === 'cpu')) {
            log(`chromium ${backend} ${model}: stock kernels`);
            stock = await measureInPage(page, { ...request, kernels: 'stock', skipTrain: stockSkipReason(o, backend) });
          }
          rows.push(makeRow(ours, stock, 'chromium', rendererPeakRssMB(), note));
        } catch (err) {
          log(`chromium ${backend} ${model}: ${(err as Error).message.split('\n')[0]}`);
        }
      }
    }
  } finally {
    await browser.close();
    await site.close();
  }
  return rows;
}
