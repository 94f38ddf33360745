/**
 * Where this code runs (Node, a browser page, a Web Worker), detected without touching anything that logs or throws
 * (tfjs's own WEBGL_VERSION probe prints a stack trace in Node). What GPUs it offers: gpu-probe.ts.
 */

/** The three places the lab runs. */
export type Runtime = 'node' | 'browser' | 'worker';

/** Global names read here; declared loosely because Node, page and worker each lack some of them. */
interface LooseGlobals {
  process?: { versions?: { node?: string } };
  document?: unknown;
  window?: unknown;
  WorkerGlobalScope?: unknown;
}

const g = globalThis as unknown as LooseGlobals;

/** Detects the runtime. A worker is checked first: workers have no `window` but may polyfill `process`. */
export function detectRuntime(): Runtime {
  if (typeof g.WorkerGlobalScope !== 'undefined' && typeof g.document === 'undefined') return 'worker';
  if (typeof g.window !== 'undefined' && typeof g.document !== 'undefined') return 'browser';
  if (g.process?.versions?.node != null) return 'node';
  // An unknown host with neither DOM nor Node: treat like a page without a DOM (wasm/cpu will still work).
  return 'browser';
}
