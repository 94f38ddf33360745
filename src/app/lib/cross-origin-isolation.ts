/**
 * Makes the page cross-origin isolated where its host does not (static hosting without COOP/COEP headers): registers
 * public/coi-sw.js, which adds the headers, and reloads once so that the page is served through it. Without
 * isolation the lab still works, on single-threaded wasm. `?isolate=0` in the URL skips this.
 */

const RELOADED = 'xray-lab-coi-reload';

/** Registers the shim and reloads when that is what isolation takes; resolves true when a reload is under way. */
export async function ensureCrossOriginIsolation(): Promise<boolean> {
  if (window.crossOriginIsolated || !window.isSecureContext || !('serviceWorker' in navigator)) return false;
  if (new URLSearchParams(window.location.search).get('isolate') === '0') return false;
  try {
    const registration = await navigator.serviceWorker.register(new URL('coi-sw.js', document.baseURI));
    // Reload once per tab session: a page that is still not isolated after it must not reload forever.
    if (sessionStorage.getItem(RELOADED) != null) return false;
    await navigator.serviceWorker.ready;
    if (registration.active == null) return false;
    sessionStorage.setItem(RELOADED, '1');
    window.location.reload();
    return true;
  } catch {
    // No service workers here (private mode, an unusual host): single-threaded wasm it is.
    return false;
  }
}
