/**
 * Runs the ingestion page (bench/ingest/page) in headless Chromium: builds it with Vite's build API, serves the
 * build from a tiny node:http server on 127.0.0.1, and opens it with playwright-core driving the system Chromium
 * (never a downloaded browser). Used by `npm run bench -- ingest` and by the browser ingestion test.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import type { PageRunOptions, PageRunResult } from './page/main';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/lib/chromium/chromium'].find((p) => existsSync(p)) ?? '';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };

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

function serve(root: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const rel = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^([/\\]|\.\.)+/, '') || 'index.html';
    const file = join(root, rel);
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server })));
}

/** Builds (unless `builtDir` is given), serves and opens the page. */
export async function openIngestPage(builtDir?: string): Promise<IngestPage> {
  const dir = builtDir ?? (await buildIngestPage());
  const { url, server } = await serve(dir);
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--headless=new', '--disable-background-networking', '--disable-component-update'],
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(url);
    await page.waitForFunction(() => 'ingestLab' in window, null, { timeout: 30_000 });
    const open = browser;
    return {
      page,
      setInput: (input, paths) => page.setInputFiles(`#${input}`, paths),
      run: (options) => page.evaluate((o) => (window as unknown as { ingestLab: { run(o: PageRunOptions): Promise<PageRunResult> } }).ingestLab.run(o), options),
      close: async () => {
        await open.close();
        await new Promise<void>((done) => server.close(() => done()));
        if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
      },
    };
  } catch (err) {
    await browser?.close();
    server.close();
    throw err;
  }
}
