/*
 * The lab's service worker, built into the site as sw.js (src/offline/precache-plugin.ts fills in the list below).
 * Two jobs:
 * 1. Offline after one visit: on install it caches the app shell — the page, its scripts, styles, workers and wasm
 *    binaries — in a cache named after the build. On activation it keeps the previous build's cache one more round
 *    (a tab still open on that build loads its lazy chunks from it) and deletes any older one. The page is asked
 *    from the network first (a new build is seen at once) and from the cache when there is no network; the build's
 *    other files from the cache first (their names carry content hashes; one too large to take at install is kept
 *    on first use); anything else (weights deployed next to the site, which the lab keeps in IndexedDB itself) from
 *    the network only.
 * 2. Cross-origin isolation on hosts that cannot send headers (GitHub Pages and the like): COOP/COEP are added to every
 *    response of the site, which gives the page shared memory and so multi-threaded wasm.
 */
const PRECACHE = self.__XRAY_LAB_PRECACHE__;
const CACHE = `xray-lab-shell-${PRECACHE.version}`;
const CACHE_PREFIX = 'xray-lab-shell-';
const SHELL = new Set(PRECACHE.files.map((file) => new URL(file, self.registration.scope).href));
const ASSETS = new URL('assets/', self.registration.scope).href;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // `cache: 'reload'` skips the HTTP cache, so a build never precaches an older build's file of the same name.
      await cache.addAll(
        PRECACHE.files.map((file) => new Request(new URL(file, self.registration.scope), { cache: 'reload' })),
      );
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      // caches.keys() lists caches in the order they were created: the last other build's is the previous build.
      const older = (await caches.keys()).filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE);
      for (const name of older.slice(0, -1)) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  // A request the browser may only answer from its cache, from another origin: not ours to touch.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  const sameOrigin = new URL(request.url).origin === self.location.origin;
  if (!sameOrigin || request.method !== 'GET') {
    event.respondWith(fetch(request).then(isolated));
    return;
  }
  const url = new URL(request.url);
  url.search = '';
  let answer;
  if (request.mode === 'navigate') answer = networkFirst(request, event);
  else if (SHELL.has(url.href) || url.href.startsWith(ASSETS)) answer = cacheFirst(request);
  else answer = fetch(request);
  event.respondWith(answer.then(isolated));
});

/** The page: fresh from the network when there is one, else the cached shell. */
async function networkFirst(request, event) {
  try {
    const response = await fetch(request);
    // Only the page itself becomes the offline shell, not another document opened within the site's folder.
    const path = new URL(request.url).pathname;
    const scope = new URL(self.registration.scope).pathname;
    if (response.ok && (path === scope || path === `${scope}index.html`)) {
      const copy = response.clone();
      event.waitUntil(caches.open(CACHE).then((cache) => cache.put(shellKey(), copy)));
    }
    return response;
  } catch (err) {
    const cached = await caches.match(shellKey(), { cacheName: CACHE });
    if (cached) return cached;
    throw err;
  }
}

/**
 * A file of the build: from the cache; else a file of the previous build (a tab still open on it asks for its lazy
 * chunks, which this build's server no longer has); else (evicted by the browser) from the network, and kept again.
 */
async function cacheFirst(request) {
  const cached =
    (await caches.match(request, { cacheName: CACHE, ignoreSearch: true })) ??
    (await caches.match(request, { ignoreSearch: true }));
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) (await caches.open(CACHE)).put(request, response.clone());
  return response;
}

/** Every navigation of the site is the one page: its query and hash choose settings, not another document. */
function shellKey() {
  return new URL('./', self.registration.scope).href;
}

/** The response with the isolation headers; opaque (no-cors, cross-origin) responses cannot be changed. */
function isolated(response) {
  if (response.status === 0) return response;
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
