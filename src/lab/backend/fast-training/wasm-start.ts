/**
 * Starting tfjs's wasm backend: its binaries' paths, then its threads (wasm-threads.ts). When the threaded build
 * does not start, the single-threaded one is started instead and the reason is kept for the indicator.
 */
import * as tf from '@tensorflow/tfjs';
import { withoutAddedProcessHandlers } from './emscripten-handlers';
import { fastTrainingUnsupported } from './install-fast-training';
import { WasmHeap } from './kernels/wasm-heap';
import type { Runtime } from '../runtime';
import { setKernelPoolThreads, startKernelPool } from './pool/kernel-pool';
import { setBackendWithin } from '../set-backend-within';
import { installPageWorkerShim, planWasmThreads, wasmThreadsInUse, type WasmThreadRequest } from './wasm-threads';
import { type TfjsVersions } from './tfjs-version';
import { configureWasm, wasmInitialised, type WasmPaths } from './wasm-setup';

/** What the wasm start needs to know. */
export interface WasmStartOptions {
  wasmPaths?: WasmPaths;
  wasmThreads?: WasmThreadRequest;
  wasmThreadedFactoryUrl?: string;
  /** The tfjs versions to check before patching its start-up (tests inject others); default the installed ones. */
  tfjsVersions?: TfjsVersions;
}

/** What starting wasm found out: why it failed (or null), and its threads. */
export interface WasmStart {
  reason: string | null;
  threads: { threads: number; limitedBy: string | null };
}

let wasmThreadNote: string | null = null;

/**
 * Initialises wasm (paths, threads) unless it already is. When the threaded build fails to start, says why and
 * starts the single-threaded one instead. In Node, the process handlers tfjs's start adds are removed after it
 * (emscripten-handlers.ts).
 */
export function startWasm(runtime: Runtime, options: WasmStartOptions, timeoutMs: number): Promise<WasmStart> {
  return withoutAddedProcessHandlers(() => startWasmHere(runtime, options, timeoutMs));
}

async function startWasmHere(runtime: Runtime, options: WasmStartOptions, timeoutMs: number): Promise<WasmStart> {
  if (wasmInitialised()) {
    const reason = await setBackendWithin('wasm', timeoutMs);
    return { reason, threads: { threads: wasmThreadsInUse(), limitedBy: wasmThreadNote } };
  }
  configureWasm({ wasmPaths: options.wasmPaths });
  const unsupported = fastTrainingUnsupported(options.tfjsVersions);
  if (unsupported != null) return startStockWasm(runtime, timeoutMs);
  if (runtime !== 'node' && options.wasmThreadedFactoryUrl != null)
    installPageWorkerShim(options.wasmThreadedFactoryUrl);
  const minifiedPage = runtime !== 'node' && options.wasmThreadedFactoryUrl == null && !sourceTextIntact();
  const request = minifiedPage ? false : (options.wasmThreads ?? 'auto');
  const plan = await planWasmThreads(runtime, request);
  wasmThreadNote = minifiedPage
    ? 'minified page without the threaded factory URL (wasmThreadedFactoryUrl)'
    : plan.limitedBy;
  let reason = await plan.around(() => setBackendWithin('wasm', timeoutMs));
  if (reason != null && plan.threads > 1) {
    wasmThreadNote = `threaded wasm did not start (${reason}); single-threaded instead`;
    await planWasmThreads(runtime, false);
    reason = await setBackendWithin('wasm', timeoutMs);
  }
  const threads = reason == null ? wasmThreadsInUse() : 1;
  // The lab's own kernels get as many threads as XNNPACK (kernel-pool.ts), started now rather than mid-step.
  setKernelPoolThreads(threads);
  const memory = reason == null ? WasmHeap.of(tf.backend())?.memory : undefined;
  if (memory != null) await startKernelPool(memory);
  return { reason, threads: { threads, limitedBy: wasmThreadNote } };
}

/**
 * tfjs's own single-threaded start, for a tfjs whose threaded start-up the lab does not know: no thread patches, no
 * kernel pool. (tfjs's own threads would hang a minified page, so they are off through its public flag.)
 */
async function startStockWasm(runtime: Runtime, timeoutMs: number): Promise<WasmStart> {
  const plan = await planWasmThreads(runtime, false);
  const reason = await setBackendWithin('wasm', timeoutMs);
  wasmThreadNote = "the lab's threads are off on this tfjs version";
  return { reason, threads: { threads: plan.threads, limitedBy: wasmThreadNote } };
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
