import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { precacheServiceWorker } from './src/offline/precache-plugin';

/**
 * Cross-origin isolation (shared memory, so the wasm backend can run XNNPACK on every core). Static hosts that
 * cannot send these headers get them from the built site's service worker (sw.js, from src/offline/), which also
 * keeps the site for offline use.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// base './' keeps every asset URL relative, so the built site works from any sub-path (GitHub Pages style).
export default defineConfig({
  base: './',
  plugins: [react(), precacheServiceWorker()],
  worker: { format: 'es' },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  // tfjs, its wasm backend and tfjs-vis (with vega) are large by nature; they load in the worker or lazily.
  build: { chunkSizeWarningLimit: 2500 },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // tfjs keeps one global engine per process; separate files get separate workers, tests in a file run in order.
    pool: 'forks',
  },
});
