/**
 * A tiny static file server for the built site, mounted under a sub-path (as on GitHub Pages) so the e2e test also
 * proves that every asset URL of the build is relative.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
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

export interface StaticSite {
  /** URL of the site's index, ending in `/`. */
  url: string;
  close(): Promise<void>;
}

export async function serveStatic(root: string, mount = '/lab/sub/path/'): Promise<StaticSite> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (!path.startsWith(mount)) {
      res.writeHead(404).end('outside the mount point');
      return;
    }
    const rel = normalize(path.slice(mount.length) || 'index.html').replace(/^(\.\.[/\\])+/, '');
    const file = join(root, rel);
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${mount}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
