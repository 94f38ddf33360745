/**
 * Picks and initialises the tfjs backend the lab trains on, falling back along a fixed order and saying why each
 * skipped backend was skipped.
 *
 * Order for 'auto': in a page or worker webgpu → webgl → wasm → cpu; in Node wasm → cpu (Node has no WebGL, and
 * WebGPU there needs the optional `webgpu` package, so it is tried only when asked for by name). A named preference
 * is tried first, then the rest of the auto order. wasm and cpu get the fast convolution-gradient kernels
 * (without them wasm cannot train a convolution at all); wasm runs XNNPACK on every core where it can
 * (wasm-threads.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { registerFastKernels, type FastKernelName } from './kernels/register';
import { canCreateCanvas, detectRuntime, hasNavigatorGpu, type Runtime } from './runtime';
import { installPageWorkerShim, planWasmThreads, wasmThreadsInUse, type WasmThreadRequest } from './wasm-threads';
import { configureWasm, wasmInitialised, type WasmPaths } from './wasm-setup';

/** Backends the lab knows how to use. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | BackendName;

export interface SelectBackendOptions {
  /** Locations of the wasm binaries (needed under a bundler; Node finds them in node_modules). */
  wasmPaths?: WasmPaths;
  /**
   * XNNPACK threads for wasm: 'auto' (default) = every logical core (at most 8), a number, or false for one.
   * Pages need cross-origin isolation; see wasm-threads.ts. Applies when wasm first initialises.
   */
  wasmThreads?: WasmThreadRequest;
  /**
   * Pages: URL of tfjs's unminified `wasm-out/tfjs-backend-wasm-threaded-simd.js` (bundled as an asset), which the
   * pthread workers load instead of the factory's minified source text. Without it a minified page stays
   * single-threaded.
   */
  wasmThreadedFactoryUrl?: string;
  /** Register the fast gradient kernels on wasm/cpu. Default true. */
  fastKernels?: boolean;
  /** Give up on a backend whose initialisation takes longer than this. Default 30 000 ms. */
  initTimeoutMs?: number;
}

/** A backend that was not chosen, and why. */
export interface BackendFallback {
  name: BackendName;
  reason: string;
}

export interface BackendSelection {
  /** The active backend (`tf.getBackend()`). */
  name: BackendName;
  /** Backends tried (or ruled out) before `name`, in order, with reasons. */
  fallbacks: BackendFallback[];
  /** Gradient kernels of `name` served by src/lab/backend/kernels. */
  fastKernels: FastKernelName[];
  runtime: Runtime;
  /** wasm only: XNNPACK's threads, and why not more (null when every core is used); absent for other backends. */
  wasmThreads?: { threads: number; limitedBy: string | null };
}

const BROWSER_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
const NODE_ORDER: readonly BackendName[] = ['wasm', 'cpu'];

/** The order in which backends are tried for a preference in a runtime. */
export function candidateOrder(preference: BackendPreference, runtime: Runtime): BackendName[] {
  const auto = runtime === 'node' ? NODE_ORDER : BROWSER_ORDER;
  if (preference === 'auto') return [...auto];
  return [preference, ...auto.filter((name) => name !== preference)];
}

/** Returns why `name` cannot be tried here, or null when it can; loads the webgpu backend on demand. */
async function unavailableReason(name: BackendName, runtime: Runtime): Promise<string | null> {
  if (name === 'webgl' && !canCreateCanvas()) return 'no canvas (document/OffscreenCanvas) to create a WebGL context';
  if (name === 'webgpu') {
    if (!hasNavigatorGpu()) return 'navigator.gpu is not available';
    // Loaded lazily: it is large, and only registers itself where WebGPU exists.
    if (tf.findBackendFactory('webgpu') == null) {
      try {
        await import('@tensorflow/tfjs-backend-webgpu');
      } catch (err) {
        return `loading @tensorflow/tfjs-backend-webgpu failed: ${(err as Error).message}`;
      }
    }
  }
  if (tf.findBackendFactory(name) == null) return `backend '${name}' is not registered in this ${runtime} build`;
  return null;
}

/**
 * tf.setBackend with a time limit, so a hanging initialisation (seen with threaded wasm in a minified build) falls
 * through to the next backend. tfjs cannot cancel it: should it finish later after all, tfjs switches to that
 * backend then, so keep the limit well above any plausible start-up time.
 */
async function setBackendWithin(name: BackendName, timeoutMs: number): Promise<string | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`initialisation did not finish within ${timeoutMs} ms`), timeoutMs);
  });
  const hint = name === 'wasm' ? '; check wasmPaths' : '';
  const attempt = tf.setBackend(name).then(
    (ok) => (ok ? null : `initialisation failed (tfjs logged the cause${hint})`),
    (err: unknown) => `initialisation threw: ${(err as Error).message}`,
  );
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs one tiny op and reads it back, to catch backends that initialise but compute nonsense or fail. */
async function smokeTest(): Promise<string | null> {
  try {
    const t = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])));
    const values = await t.data();
    t.dispose();
    return values[0] === 4 && values[1] === 6 ? null : `smoke test computed [${values[0]}, ${values[1]}]`;
  } catch (err) {
    return `smoke test threw: ${(err as Error).message}`;
  }
}

/** What starting wasm found out: why it failed (or null), and its threads. */
interface WasmStart {
  reason: string | null;
  threads: { threads: number; limitedBy: string | null };
}

let wasmThreadNote: string | null = null;

/**
 * Initialises wasm (paths, threads) unless it already is. When the threaded build fails to start, says why and
 * starts the single-threaded one instead.
 */
async function startWasm(runtime: Runtime, options: SelectBackendOptions, timeoutMs: number): Promise<WasmStart> {
  if (wasmInitialised()) {
    const reason = await setBackendWithin('wasm', timeoutMs);
    return { reason, threads: { threads: wasmThreadsInUse(), limitedBy: wasmThreadNote } };
  }
  configureWasm({ wasmPaths: options.wasmPaths });
  if (runtime !== 'node' && options.wasmThreadedFactoryUrl != null) installPageWorkerShim(options.wasmThreadedFactoryUrl);
  const minifiedPage = runtime !== 'node' && options.wasmThreadedFactoryUrl == null && !sourceTextIntact();
  const request = minifiedPage ? false : options.wasmThreads ?? 'auto';
  const plan = await planWasmThreads(runtime, request);
  wasmThreadNote = minifiedPage ? 'minified page without the threaded factory URL (wasmThreadedFactoryUrl)' : plan.limitedBy;
  let reason = await plan.around(() => setBackendWithin('wasm', timeoutMs));
  if (reason != null && plan.threads > 1) {
    wasmThreadNote = `threaded wasm did not start (${reason}); single-threaded instead`;
    await planWasmThreads(runtime, false);
    reason = await setBackendWithin('wasm', timeoutMs);
  }
  return { reason, threads: { threads: reason == null ? wasmThreadsInUse() : 1, limitedBy: wasmThreadNote } };
}

/**
 * True when functions still carry their source text under their own names (unminified code): what tfjs's pthread
 * workers need when they are not given the factory's URL.
 */
function sourceTextIntact(): boolean {
  function probeSourceText(): number {
    return 1;
  }
  return probeSourceText.toString().includes('probeSourceText');
}

/**
 * Initialises the best available backend for `preference` and makes it current. Throws only when no backend at
 * all works (the message lists every reason).
 */
export async function selectBackend(
  preference: BackendPreference = 'auto',
  options: SelectBackendOptions = {},
): Promise<BackendSelection> {
  const runtime = detectRuntime();
  const fallbacks: BackendFallback[] = [];
  const timeoutMs = options.initTimeoutMs ?? 30_000;
  for (const name of candidateOrder(preference, runtime)) {
    let reason = await unavailableReason(name, runtime);
    let wasm: WasmStart | null = null;
    if (reason == null && name === 'wasm') {
      wasm = await startWasm(runtime, options, timeoutMs);
      reason = wasm.reason;
    } else if (reason == null) {
      reason = await setBackendWithin(name, timeoutMs);
    }
    if (reason == null) reason = await smokeTest();
    if (reason != null) {
      fallbacks.push({ name, reason });
      continue;
    }
    const patch = options.fastKernels !== false && (name === 'wasm' || name === 'cpu');
    const fastKernels = patch ? registerFastKernels(name) : [];
    return { name, fallbacks, fastKernels, runtime, ...(wasm ? { wasmThreads: wasm.threads } : {}) };
  }
  const detail = fallbacks.map((f) => `${f.name}: ${f.reason}`).join('; ');
  throw new Error(`No tfjs backend could be initialised (${detail})`);
}
