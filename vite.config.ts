import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { precacheServiceWorker } from './src/offline/precache-plugin';
import { SLOW_UNIT_FILES, UnitFilesLongestFirst } from './test/slow-unit-files';

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
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // tfjs keeps one global engine per process: every file gets its own process, tests in a file run in order.
    pool: 'forks',
    // The slow unit files first, longest first, then the quick ones: both workers stay busy to the end of the run.
    sequence: { sequencer: UnitFilesLongestFirst },
    projects: [
      // The unit files in two parts, so that each file belongs to one project: quick (npm run test:quick) and slow.
      {
        extends: true,
        test: {
          name: 'quick',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', ...SLOW_UNIT_FILES],
          // Vitest's default is one worker fewer than the cores: a single worker on a 2-core machine.
          maxWorkers: Math.max(2, availableParallelism()),
        },
      },
      {
        extends: true,
        test: {
          name: 'slow',
          include: [...SLOW_UNIT_FILES],
          maxWorkers: Math.max(2, availableParallelism()),
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // One build of the site for every file (build-site.ts provides its folder; lab-site.ts serves it).
          globalSetup: ['test/e2e/build-site.ts'],
          // One browser at a time: the freeze test measures the page's main thread, which a second browser would load.
          fileParallelism: false,
        },
      },
    ],
  },
});
