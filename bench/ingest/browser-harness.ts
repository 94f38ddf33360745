/**
 * Runs the ingestion page (bench/ingest/page) in headless Chromium: builds it with Vite's build API, serves the
 * build from a tiny node:http server on 127.0.0.1, and opens it with playwright-core driving the system Chromium
 * (never a downloaded browser). Used by `npm run bench -- ingest` and by the browser ingestion test.
 */
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { launchChromium } from '../../test/helpers/chromium';
import { serveStatic } from '../../test/helpers/static-server';
import type { PageRunOptions, PageRunResult } from './page/main';

export { CHROMIUM } from '../../test/helpers/chromium';

export interface IngestPage {
  readonly page: Page;
  /** Puts a folder (or files) into one of the page's inputs. */
  setInput(input: 'folder' | 'file', paths: string | string[]): Promise<void>;
  run(options: PageRunOptions): Promise<PageRunResult>;
  close(): Promise<void>;
}

/** Builds the page into `outDir` (default bench/.build/ingest). */
export async function buildIngestPage(outDir = resolve('bench/.build/ingest')): Promise<string> {
  await build({
    configFile: false,
    root: resolve('bench/ingest/page'),
    base: './',
    logLevel: 'error',
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  });
  return outDir;
}

/** Builds (unless `builtDir` is given), serves and opens the page. */
export async function openIngestPage(builtDir?: string): Promise<IngestPage> {
  const dir = builtDir ?? (await buildIngestPage());
  const site = await serveStatic(dir, '/');
  let browser: Browser | null = null;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(site.url);
    await page.waitForFunction(() => 'ingestLab' in window, null, { timeout: 30_000 });
    const open = browser;
    return {
      page,
      setInput: (input, paths) => page.setInputFiles(`#${input}`, paths),
      run: (options) =>
        page.evaluate(
          (o) =>
            (window as unknown as { ingestLab: { run(o: PageRunOptions): Promise<PageRunResult> } }).ingestLab.run(o),
          options,
        ),
      close: async () => {
        await open.close();
        await site.close();
        if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
      },
    };
  } catch (err) {
    await browser?.close();
    await site.close();
    throw err;
  }
}
