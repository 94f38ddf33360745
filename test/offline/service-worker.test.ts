/**
 * The service worker across deployments, run in a Node sandbox with an in-memory CacheStorage: a new build keeps the
 * previous build's cache one more activation, so a tab still open on that build loads its lazy chunks (which the new
 * server no longer has), and drops any older build's cache.
 */
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

const SCOPE = 'https://lab.test/sub/';
const TEMPLATE = readFileSync('src/offline/service-worker.js', 'utf8');

/** A Cache and CacheStorage in memory; keys() in creation order, as the spec has it. */
class MemoryCache {
  readonly entries = new Map<string, Response>();
  async put(request: Request | string, response: Response): Promise<void> {
    this.entries.set(new URL(typeof request === 'string' ? request : request.url).href, response);
  }
  async match(request: Request | string, options: { ignoreSearch?: boolean } = {}): Promise<Response | undefined> {
    const url = new URL(typeof request === 'string' ? request : request.url);
    if (options.ignoreSearch) url.search = '';
    return this.entries.get(url.href)?.clone();
  }
}

class MemoryCacheStorage {
  readonly caches = new Map<string, MemoryCache>();
  async keys(): Promise<string[]> {
    return [...this.caches.keys()];
  }
  async open(name: string): Promise<MemoryCache & { addAll(requests: Request[]): Promise<void> }> {
    if (!this.caches.has(name)) this.caches.set(name, new MemoryCache());
    const cache = this.caches.get(name)!;
    return Object.assign(cache, {
      addAll: async (requests: Request[]) => {
        for (const r of requests) await cache.put(r, await serverFetch(r));
      },
    });
  }
  async delete(name: string): Promise<boolean> {
    return this.caches.delete(name);
  }
  async match(request: Request | string, options: { cacheName?: string; ignoreSearch?: boolean } = {}) {
    const names = options.cacheName ? [options.cacheName] : [...this.caches.keys()];
    for (const name of names) {
      const hit = await this.caches.get(name)?.match(request, options);
      if (hit) return hit;
    }
    return undefined;
  }
}

/** The files the server has now: only the deployed build's. */
let deployed: Record<string, string> = {};
async function serverFetch(request: Request | string): Promise<Response> {
  const path = new URL(typeof request === 'string' ? request : request.url).pathname.slice(
    new URL(SCOPE).pathname.length,
  );
  return path in deployed ? new Response(deployed[path]) : new Response('not found', { status: 404 });
}

type Listener = (event: {
  waitUntil(p: Promise<unknown>): void;
  respondWith(p: Promise<Response>): void;
  request?: Request;
}) => void;

/** One deployment: its files on the server and its sw.js installed and activated against the shared caches. */
async function deploy(storage: MemoryCacheStorage, version: string, files: Record<string, string>) {
  deployed = files;
  const listeners = new Map<string, Listener>();
  const self = {
    registration: { scope: SCOPE },
    location: { origin: new URL(SCOPE).origin },
    addEventListener: (type: string, listener: Listener) => listeners.set(type, listener),
    skipWaiting: async () => undefined,
    clients: { claim: async () => undefined },
  };
  const precache = JSON.stringify({ version, files: Object.keys(files) });
  runInNewContext(TEMPLATE.replace('self.__XRAY_LAB_PRECACHE__', precache), {
    self,
    caches: storage,
    fetch: serverFetch,
    Request,
    Response,
    Headers,
    URL,
  });
  const dispatch = async (type: string, request?: Request): Promise<Response | undefined> => {
    const waits: Promise<unknown>[] = [];
    let answer: Promise<Response> | undefined;
    listeners.get(type)!({ request, waitUntil: (p) => waits.push(p), respondWith: (p) => (answer = p) });
    await Promise.all(waits);
    return answer;
  };
  await dispatch('install');
  await dispatch('activate');
  return { fetch: (path: string) => dispatch('fetch', new Request(new URL(path, SCOPE))) };
}

describe('the service worker across deployments', () => {
  it('serves a tab on the previous build its lazy chunk after a new build activates, and drops older builds', async () => {
    const storage = new MemoryCacheStorage();
    await deploy(storage, 'a', { 'index.html': 'page a', 'assets/lazy-a.js': 'chunk a' });
    const b = await deploy(storage, 'b', { 'index.html': 'page b', 'assets/lazy-b.js': 'chunk b' });
    expect(await storage.keys()).toEqual(['xray-lab-shell-a', 'xray-lab-shell-b']);
    // The server has only build b now; the old tab's chunk comes from build a's cache.
    expect((await serverFetch(new Request(new URL('assets/lazy-a.js', SCOPE)))).status).toBe(404);
    const old = (await b.fetch('assets/lazy-a.js'))!;
    expect([old.status, await old.text()]).toEqual([200, 'chunk a']);
    expect(await (await b.fetch('assets/lazy-b.js'))!.text()).toBe('chunk b');

    const c = await deploy(storage, 'c', { 'index.html': 'page c', 'assets/lazy-c.js': 'chunk c' });
    expect(await storage.keys()).toEqual(['xray-lab-shell-b', 'xray-lab-shell-c']);
    expect((await c.fetch('assets/lazy-a.js'))!.status).toBe(404);
    expect(await (await c.fetch('assets/lazy-b.js'))!.text()).toBe('chunk b');
  });
});
