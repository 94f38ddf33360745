/*
 * Cross-origin isolation for static hosts that cannot send headers (GitHub Pages and the like): this service worker
 * adds COOP/COEP to every response of the site, which gives the page shared memory and so multi-threaded wasm.
 * Registered by src/app/lib/cross-origin-isolation.ts only when the page is not isolated already.
 */
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  // A request the browser may only answer from its cache, from another origin: not ours to touch.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  event.respondWith(
    fetch(request).then((response) => {
      // Opaque (no-cors, cross-origin) responses cannot be changed; COEP decides about them as it would anyway.
      if (response.status === 0) return response;
      const headers = new Headers(response.headers);
      headers.set('Cross-Origin-Opener-Policy', 'same-origin');
      headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
      headers.set('Cross-Origin-Resource-Policy', 'same-origin');
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    }),
  );
});
