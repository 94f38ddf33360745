/**
 * The bench page: the same measurement as in Node (../measure.ts), driven from bench/train/chromium.ts through
 * `window.xrayBench.run`. The wasm binaries are emitted by Vite and found through setWasmPaths; the page is served
 * cross-origin isolated, so wasm runs XNNPACK on every core as in the lab.
 */
import * as tf from '@tensorflow/tfjs';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import wasmThreadedFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?url';
import { probeWebGl, probeWebGpu, type GpuProbe } from '../../../src/lab/backend/gpu-probe';
import { selectBackend } from '../../../src/lab/backend/select-backend';
import { measureTraining, type MeasureRequest, type Measurement } from '../measure';

const WASM_PATHS = {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
};

export interface PageBench {
  /** Selects the request's backend (with our kernels) and measures; an error string when the backend is missing. */
  run(request: MeasureRequest): Promise<Measurement | { error: string }>;
  info(): Promise<{ userAgent: string; hardwareConcurrency: number; crossOriginIsolated: boolean; gpus: { webgpu: GpuProbe; webgl: GpuProbe } }>;
}

declare global {
  interface Window {
    xrayBench: PageBench;
  }
}

/** Appends a line to the page's log, so a screenshot or a headed run shows what was measured. */
function show(line: string): void {
  const log = document.getElementById('log') ?? document.body.appendChild(Object.assign(document.createElement('pre'), { id: 'log' }));
  log.textContent += `${line}\n`;
}

const fmt = (v: number | null | undefined): string => (v == null ? '—' : v.toFixed(1));

window.xrayBench = {
  async run(request) {
    const label = `${request.backend} ${request.model} ${request.size}×${request.size} batch ${request.batch} (${request.kernels})`;
    const selected = await selectBackend(request.backend, {
      wasmPaths: WASM_PATHS, wasmThreads: request.wasmThreads ?? 'auto', wasmThreadedFactoryUrl: wasmThreadedFactory,
    });
    if (selected.name !== request.backend) {
      const error = `${request.backend} unavailable: ${selected.fallbacks.map((f) => f.reason).join('; ')}`;
      show(`${label}: ${error}`);
      return { error };
    }
    const result = await measureTraining(request);
    const train = result.train ? `${fmt(result.train.median)} img/s` : result.trainError;
    show(`${label}: train ${train}, predict ${fmt(result.infer?.median)} img/s, ${result.threads ?? '-'} thread(s)`);
    return result;
  },
  info: async () => ({
    userAgent: navigator.userAgent, hardwareConcurrency: navigator.hardwareConcurrency, crossOriginIsolated,
    gpus: { webgpu: await probeWebGpu(), webgl: probeWebGl() },
  }),
};
// Keep the bundle's tfjs import alive (the measurement imports it too; this makes the dependency explicit).
void tf.version_core;
document.title = 'ready';
