/**
 * A tiny static file server on 127.0.0.1 for built pages (the lab site, the benchmark pages), mounted under a sub-path
 * (as on GitHub Pages) so the e2e test also proves that every asset URL of the build is relative. An overlay can serve
 * another folder under a path of the site, optionally slowly (weights "deployed" next to the page, a download to cancel).
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
};

export interface Overlay {
  /** Path below the mount, ending in `/`: `models/mobilenet_v2/`. */
  prefix: string;
  dir: string;
  /** Milliseconds between 64 KiB chunks; 0 = as fast as possible. */
  chunkDelayMs?: number;
}

export interface StaticSite {
  /** URL of the site's index, ending in `/`. */
  url: string;
  /** Serves `overlay.dir` under its prefix from now on; null removes it. */
  setOverlay(overlay: Overlay | null): void;
  close(): Promise<void>;
}

/** Sends a file in chunks with a pause between them; stops when the client goes away (a cancelled download). */
function sendSlowly(res: ServerResponse, file: string, delayMs: number): void {
  const bytes = readFileSync(file);
  let at = 0;
  let gone = false;
  res.on('close', () => (gone = true));
  const next = () => {
    if (gone) return;
    if (at >= bytes.length) return void res.end();
    res.write(bytes.subarray(at, at + 65_536));
    at += 65_536;
    setTimeout(next, delayMs);
  };
  next();
}

/** COOP + COEP: a cross-origin-isolated page (shared memory, multi-threaded wasm), as vite dev/preview serve it. */
export const ISOLATION_HEADERS: Record<string, string> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

/** Serves `root` under `mount`; `headers` go on every file (e.g. ISOLATION_HEADERS). */
export async function serveStatic(
  root: string,
  mount = '/lab/sub/path/',
  headers: Record<string, string> = {},
): Promise<StaticSite> {
  let overlay: Overlay | null = null;
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (!path.startsWith(mount)) {
      res.writeHead(404).end('outside the mount point');
      return;
    }
    const rel = normalize(path.slice(mount.length) || 'index.html').replace(/^(\.\.[/\\])+/, '');
    const over = overlay && rel.startsWith(overlay.prefix) ? overlay : null;
    const file = over ? join(over.dir, rel.slice(over.prefix.length)) : join(root, rel);
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      ...headers,
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
    });
    if (over?.chunkDelayMs) sendSlowly(res, file, over.chunkDelayMs);
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${mount}`,
    setOverlay: (o) => (overlay = o),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
