/**
 * Backend handling in the worker: choose one (webgpu → webgl → wasm → cpu, or the user's pick first), describe the
 * GPU behind it for the indicator, and check whether it still works after a failure.
 */
import * as tf from '@tensorflow/tfjs';
// Vite turns these into URLs of emitted files, so the wasm backend finds its binaries from any sub-path.
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
// The threaded module factory as a plain file: pthread workers load it instead of the minified bundle's copy.
import wasmThreadedFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?url';
import { selectBackend, type BackendSelection } from '../lab/backend/select-backend';
import type { BackendInfo, BackendPreference } from './protocol';

const WASM_PATHS = {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
};

let current: BackendInfo | null = null;

/** Makes `preference` the active choice (no work when it already is) and describes the result. */
export async function ensureBackend(preference: BackendPreference): Promise<BackendInfo> {
  if (current && current.preference === preference && tf.getBackend() === current.name) return current;
  // Threads wherever the page is cross-origin isolated; the factory URL keeps the minified build from hanging.
  const selection = await selectBackend(preference, {
    wasmPaths: WASM_PATHS, wasmThreads: 'auto', wasmThreadedFactoryUrl: wasmThreadedFactory, initTimeoutMs: 20_000,
  });
  current = {
    name: selection.name,
    preference,
    adapter: selection.name === 'wasm' ? describeWasm(selection.wasmThreads) : await describeAdapter(selection.name),
    fallbacks: selection.fallbacks,
    fastKernels: selection.fastKernels,
  };
  return current;
}

export function currentBackend(): BackendInfo | null {
  return current;
}

/** Forgets the selection so the next `ensureBackend` initialises again (after the backend broke). */
export function forgetBackend(): void {
  current = null;
}

interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

/** A one-line description of the GPU behind a backend; '' for CPU backends. */
async function describeAdapter(name: string): Promise<string> {
  try {
    if (name === 'webgpu') {
      const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
      const adapter = await gpu?.requestAdapter();
      const info = adapter?.info;
      if (!info) return 'WebGPU adapter';
      const parts = [info.vendor, info.architecture, info.device, info.description].filter((p) => p != null && p !== '');
      const fallback = info.isFallbackAdapter ?? adapter?.isFallbackAdapter ? ' (software fallback adapter)' : '';
      return `${parts.join(' ') || 'WebGPU adapter'}${fallback}`;
    }
    if (name === 'webgl') {
      const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl;
      if (!gl) return 'WebGL';
      const debug = gl.getExtension('WEBGL_debug_renderer_info');
      const renderer = debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
      return `${String(renderer)} (WebGL ${tf.env().getNumber('WEBGL_VERSION')})`;
    }
  } catch {
    // Describing is a courtesy; never let it break backend selection.
  }
  return '';
}

/** "SIMD, 2 threads", and why not more when something limits them. */
function describeWasm(threads: BackendSelection['wasmThreads']): string {
  const n = threads?.threads ?? 1;
  const count = n === 1 ? 'single thread' : `${n} threads`;
  return threads?.limitedBy ? `SIMD, ${count} (${threads.limitedBy})` : `SIMD, ${count}`;
}

/** True when the active backend still computes (it may have lost its GPU context or run out of memory). */
export async function backendAlive(timeoutMs = 10_000): Promise<boolean> {
  try {
    const check = (async () => {
      const t = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])));
      const v = await t.data();
      t.dispose();
      return v[0] === 4 && v[1] === 6;
    })();
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs));
    return await Promise.race([check, timeout]);
  } catch {
    return false;
  }
}
