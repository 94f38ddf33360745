/**
 * Builds test/e2e/gpu-page with Vite (not minified), serves it cross-origin isolated and opens it in Debian's
 * Chromium with WebGPU enabled (SwiftShader: software, fine for correctness at tiny sizes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { launchChromium } from '../helpers/chromium';
import { ISOLATION_HEADERS, serveStatic, type StaticSite } from '../helpers/static-server';

export interface GpuPage {
  page: Page;
  close(): Promise<void>;
}

/** Chromium flags for WebGPU: on by flag on Linux; --enable-unsafe-swiftshader keeps software WebGL working. */
export const WEBGPU_FLAGS = ['--enable-unsafe-webgpu'];

export async function openGpuPage(extraFlags: readonly string[] = []): Promise<GpuPage> {
  const out = mkdtempSync(join(tmpdir(), 'xray-lab-gpu-page-'));
  await build({
    root: join(import.meta.dirname, 'gpu-page'),
    configFile: false,
    base: './',
    logLevel: 'warn',
    build: { outDir: out, emptyOutDir: true, minify: false, target: 'es2022', chunkSizeWarningLimit: 10_000 },
  });
  const site: StaticSite = await serveStatic(out, '/', ISOLATION_HEADERS);
  const browser: Browser = await launchChromium([...WEBGPU_FLAGS, ...extraFlags]);
  const page = await browser.newPage();
  await page.goto(site.url);
  await page.waitForFunction(() => document.title === 'ready');
  return {
    page,
    async close() {
      await browser.close();
      await site.close();
      rmSync(out, { recursive: true, force: true });
    },
  };
}
