/**
 * Configuration of tfjs's wasm backend that must happen before it initialises: where its .wasm binaries are.
 * (Threads are planned in wasm-threads.ts.)
 *
 * Importing '@tensorflow/tfjs-backend-wasm' registers the backend. In Node its CommonJS build finds the binaries
 * next to itself in node_modules, so no paths are needed; under a bundler (Vite) pass the URLs the bundler emits.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/** File names of the three wasm binaries tfjs 4.22 may load. */
export type WasmBinaryName =
  'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm';

/** A directory prefix (ending in '/') or a URL per binary, as `setWasmPaths` takes them. */
export type WasmPaths = string | Partial<Record<WasmBinaryName, string>>;

/** Options for the wasm backend. */
export interface WasmSetupOptions {
  /** Where the .wasm files are; omit in Node. */
  wasmPaths?: WasmPaths;
}

/** What `configureWasm` did, for reporting. */
export interface WasmSetup {
  /** False when the wasm backend was already initialised, so the paths could no longer change. */
  applied: boolean;
}

/** True once tfjs has created the wasm backend instance (after that, paths and flags are fixed). */
export function wasmInitialised(): boolean {
  // A private member of tfjs 4.22's engine; read defensively, as wasm may start on another tfjs too.
  const engine = tf.engine() as unknown as { registry?: Record<string, unknown> };
  return engine.registry?.wasm != null;
}

/** Applies the paths; call before `tf.setBackend('wasm')`. */
export function configureWasm(options: WasmSetupOptions = {}): WasmSetup {
  if (wasmInitialised()) return { applied: false };
  if (options.wasmPaths != null) {
    try {
      setWasmPaths(options.wasmPaths);
    } catch {
      // tfjs refuses new paths once it has attempted an initialisation, even a failed one; keep the old ones.
      return { applied: false };
    }
  }
  return { applied: true };
}
