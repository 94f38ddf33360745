/**
 * Configuration of tfjs's wasm backend that must happen before it initialises: where its .wasm binaries are, and
 * whether it may use threads.
 *
 * Importing '@tensorflow/tfjs-backend-wasm' registers the backend. In Node its CommonJS build finds the binaries
 * next to itself in node_modules, so no paths are needed; under a bundler (Vite) pass the URLs the bundler emits.
 * Threads stay off unless asked for: in Node the threaded build cannot start its workers, and in a minified,
 * cross-origin-isolated page `setBackend('wasm')` hangs (see the project's TFJS notes). Single-threaded SIMD is
 * what XNNPACK uses on a 2-vCPU machine anyway.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { Runtime } from './runtime';

/** File names of the three wasm binaries tfjs 4.22 may load. */
export type WasmBinaryName =
  | 'tfjs-backend-wasm.wasm'
  | 'tfjs-backend-wasm-simd.wasm'
  | 'tfjs-backend-wasm-threaded-simd.wasm';

/** A directory prefix (ending in '/') or a URL per binary, as `setWasmPaths` takes them. */
export type WasmPaths = string | Partial<Record<WasmBinaryName, string>>;

/** Options for the wasm backend. */
export interface WasmSetupOptions {
  /** Where the .wasm files are; omit in Node. */
  wasmPaths?: WasmPaths;
  /** Allow the multi-threaded build (browser only, needs cross-origin isolation). Default false. */
  threads?: boolean;
}

/** What `configureWasm` did, for reporting. */
export interface WasmSetup {
  /** False when the wasm backend was already initialised, so paths and threads could no longer change. */
  applied: boolean;
  threads: boolean;
}

/** True once tfjs has created the wasm backend instance (after that, paths and flags are fixed). */
export function wasmInitialised(): boolean {
  const engine = tf.engine() as unknown as { registry: Record<string, unknown> };
  return engine.registry.wasm != null;
}

/** Applies paths and the thread policy; call before `tf.setBackend('wasm')`. */
export function configureWasm(runtime: Runtime, options: WasmSetupOptions = {}): WasmSetup {
  const threads = runtime !== 'node' && options.threads === true;
  if (wasmInitialised()) return { applied: false, threads };
  if (options.wasmPaths != null) {
    try {
      setWasmPaths(options.wasmPaths);
    } catch {
      // tfjs refuses new paths once it has attempted an initialisation, even a failed one; keep the old ones.
      return { applied: false, threads };
    }
  }
  // Only ever switch threads off: when allowed, tfjs's own detection (SharedArrayBuffer present) decides.
  if (!threads) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  return { applied: true, threads };
}
