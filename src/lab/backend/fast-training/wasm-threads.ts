/**
 * Multi-threaded wasm: XNNPACK's thread pool (convolutions, matrix products) on every core, in Node and in
 * cross-origin-isolated pages and workers. Three things in tfjs 4.22 stand in the way, and each is handled here:
 *
 * - Node: tfjs says threads are unsupported, and its pthread workers cannot start there (ERR_WORKER_PATH). The
 *   Node-only half (node/wasm-threads-node.ts, loaded on demand) starts them from a file instead.
 * - Minified pages hang in `setBackend('wasm')`: each pthread worker evaluates the module factory's *source text*
 *   (`factory.toString()`), which minification breaks. {@link installPageWorkerShim} hands the workers the URL of
 *   the factory's original, unminified file instead (the page bundles it as a plain asset).
 * - tfjs caps the pool at half the logical cores it is told about (it assumes two hyperthreads per core): one
 *   thread on a 2-vCPU machine. The core count is reported doubled while the module initialises.
 *
 * XNNPACK splits work between threads by output tiles, never inside a sum, so results do not depend on the thread
 * count (test/backend/wasm-threads.test.ts checks training bit for bit).
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { Runtime } from '../runtime';

/** XNNPACK's pool in tfjs 4.22 takes at most 8 threads (its Emscripten build pre-creates 8 workers). */
export const MAX_WASM_THREADS = 8;

/** Threads wanted: every logical core ('auto'), a number, or one (false). */
export type WasmThreadRequest = 'auto' | number | false;

/** The thread plan for one initialisation of the wasm backend. */
export interface WasmThreadPlan {
  /** XNNPACK threads requested (1 = the single-threaded SIMD build). */
  threads: number;
  /** Why fewer threads than cores are used, or null. */
  limitedBy: string | null;
  /** Runs the backend's initialisation with what threads need around it (a reported core count). */
  around<T>(start: () => Promise<T>): Promise<T>;
}

interface LooseGlobals {
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
  Worker?: unknown;
}
const g = globalThis as unknown as LooseGlobals;

/** Logical cores as this runtime reports them (Node: the OS; pages: navigator.hardwareConcurrency). */
async function logicalCoresOf(runtime: Runtime): Promise<number> {
  if (runtime === 'node') return (await import(/* @vite-ignore */ nodeHalf())).logicalCores();
  return Math.max(1, g.navigator?.hardwareConcurrency ?? 1);
}

/** The Node-only module's URL, built so that bundlers neither follow nor emit it (a page never loads it). */
function nodeHalf(): string {
  const path = ['.', 'node', 'wasm-threads-node.ts'].join('/');
  return new URL(path, import.meta.url).href;
}

const single = (limitedBy: string | null): WasmThreadPlan => ({ threads: 1, limitedBy, around: (start) => start() });

/**
 * Decides the thread count and prepares tfjs for it; call before the wasm backend first initialises. Pages need
 * cross-origin isolation (COOP + COEP headers, or the built site's service worker, src/offline/service-worker.js) for shared memory.
 */
export async function planWasmThreads(runtime: Runtime, request: WasmThreadRequest): Promise<WasmThreadPlan> {
  if (request === false || request === 1) return disable(single(null));
  const cores = await logicalCoresOf(runtime);
  const wanted = Math.min(request === 'auto' ? cores : Math.max(1, Math.floor(request)), MAX_WASM_THREADS);
  if (wanted <= 1) return disable(single(cores <= 1 ? 'one logical core' : null));
  if (runtime === 'node') {
    const node = await import(/* @vite-ignore */ nodeHalf());
    node.installPthreadWorkers();
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    setThreadsCount(wanted);
    return { threads: wanted, limitedBy: null, around: (start) => node.withReportedCores(2 * wanted, start) };
  }
  if (g.crossOriginIsolated !== true || typeof SharedArrayBuffer === 'undefined') {
    return disable(single('the page is not cross-origin isolated (no shared memory): see COOP/COEP in the README'));
  }
  // tfjs's own probe decides whether this browser's wasm has threads.
  if (!(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'))) return single('this browser has no wasm threads');
  setThreadsCount(wanted);
  return { threads: wanted, limitedBy: null, around: (start) => withHardwareConcurrency(2 * wanted, start) };
}

/** XNNPACK's thread count of the initialised wasm backend; 1 before it is initialised. */
export function wasmThreadsInUse(): number {
  try {
    return getThreadsCount();
  } catch {
    return 1;
  }
}

function disable(plan: WasmThreadPlan): WasmThreadPlan {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  return plan;
}

/** Runs `start` while `navigator.hardwareConcurrency` reads `cores` (see the cap in the header). */
async function withHardwareConcurrency<T>(cores: number, start: () => Promise<T>): Promise<T> {
  const nav = g.navigator as object | undefined;
  if (nav == null) return start();
  try {
    Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => cores });
  } catch {
    return start();
  }
  try {
    return await start();
  } finally {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

let shimmedFactory: string | null = null;

/**
 * In a page or worker: makes every pthread worker load the threaded module factory from `factoryUrl` (the
 * unminified `tfjs-backend-wasm-threaded-simd.js`, bundled as an asset) instead of evaluating the factory's source
 * text, which a minified build mangles (the workers hang). Replaces the global `Worker` with a subclass that
 * rewrites that one message; idempotent.
 */
export function installPageWorkerShim(factoryUrl: string): void {
  const Base = g.Worker as (new (url: string | URL, options?: WorkerOptions) => Worker) | undefined;
  if (Base == null || shimmedFactory != null) {
    shimmedFactory = factoryUrl;
    return;
  }
  shimmedFactory = factoryUrl;
  class FactoryUrlWorker extends Base {
    override postMessage(message: unknown, options?: unknown): void {
      const m = message as { cmd?: string; urlOrBlob?: unknown } | null;
      if (m?.cmd === 'load' && typeof m.urlOrBlob !== 'string' && shimmedFactory != null) {
        m.urlOrBlob = new URL(shimmedFactory, locationHref()).href;
      }
      super.postMessage(message, options as Transferable[]);
    }
  }
  g.Worker = FactoryUrlWorker;
}

function locationHref(): string {
  return (globalThis as unknown as { location?: { href: string } }).location?.href ?? 'http://localhost/';
}
