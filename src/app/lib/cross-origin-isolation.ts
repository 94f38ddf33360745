/**
 * Registers the built site's service worker (sw.js, src/offline/service-worker.js): it keeps the site for offline use
 * and adds the cross-origin isolation headers where the host does not send them (static hosting without COOP/COEP).
 * When the page is not isolated yet, it reloads once so that the page is served through the worker. Without
 * isolation the lab still works, on single-threaded wasm. `?isolate=0` in the URL skips the reload; the dev server
 * (which sends the headers itself and rebuilds files on every change) registers nothing.
 */

const RELOADED = 'xray-lab-coi-reload';

/** Registers the worker and reloads when that is what isolation takes; resolves true when a reload is under way. */
export async function ensureCrossOriginIsolation(): Promise<boolean> {
  // MODE, not DEV: a build run with NODE_ENV=test (as under vitest) is still a built site with its sw.js.
  if (import.meta.env.MODE === 'development' || !window.isSecureContext || !('serviceWorker' in navigator))
    return false;
  // `?isolate=0`: no worker, so no isolation headers either (single-threaded wasm, as documented).
  if (new URLSearchParams(window.location.search).get('isolate') === '0') return false;
  const registering = navigator.serviceWorker.register(new URL('sw.js', document.baseURI));
  if (window.crossOriginIsolated) {
    // Already isolated (by the host's headers or the worker): keep the offline copy fresh without holding up the page.
    registering.catch(() => undefined);
    return false;
  }
  try {
    const registration = await registering;
    // Reload once per tab session: a page that is still not isolated after it must not reload forever.
    if (sessionStorage.getItem(RELOADED) != null) return false;
    await navigator.serviceWorker.ready;
    if (registration.active == null) return false;
    sessionStorage.setItem(RELOADED, '1');
    window.location.reload();
    return true;
  } catch {
    // No service workers here (private mode, an unusual host): no offline copy, single-threaded wasm.
    return false;
  }
}
