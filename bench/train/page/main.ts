/**
 * The bench page: the same measurement as in Node (../measure.ts), run in a worker (bench.worker.ts) as the lab
 * trains, driven from bench/train/chromium.ts through `window.xrayBench.run`. The wasm binaries are emitted by Vite
 * and found through setWasmPaths; the page is served cross-origin isolated, so wasm runs XNNPACK on every core as in
 * the lab.
 */
import { probeWebGl, probeWebGpu, type GpuProbe } from '../../../src/lab/backend/gpu-probe';
import type { MeasureRequest, Measurement } from '../measure';
import type { BenchReply } from './bench.worker';

export interface PageBench {
  /** Selects the request's backend (with our kernels) and measures; an error string when the backend is missing. */
  run(request: MeasureRequest): Promise<Measurement | { error: string }>;
  info(): Promise<{
    userAgent: string;
    hardwareConcurrency: number;
    crossOriginIsolated: boolean;
    gpus: { webgpu: GpuProbe; webgl: GpuProbe };
  }>;
}

declare global {
  interface Window {
    xrayBench: PageBench;
  }
}

/** Appends a line to the page's log, so a screenshot or a headed run shows what was measured. */
function show(line: string): void {
  const log =
    document.getElementById('log') ??
    document.body.appendChild(Object.assign(document.createElement('pre'), { id: 'log' }));
  log.textContent += `${line}\n`;
}

const fmt = (v: number | null | undefined): string => (v == null ? '—' : v.toFixed(1));

// Measurements run in a worker, as the lab trains (src/worker); one at a time, in order.
const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module' });
let nextId = 1;

function inWorker(request: MeasureRequest): Promise<Measurement | { error: string }> {
  const id = nextId++;
  return new Promise((resolve) => {
    const onReply = (event: MessageEvent<BenchReply>) => {
      if (event.data.id !== id) return;
      worker.removeEventListener('message', onReply);
      resolve('result' in event.data ? event.data.result : { error: event.data.error });
    };
    worker.addEventListener('message', onReply);
    worker.postMessage({ id, request });
  });
}

window.xrayBench = {
  async run(request) {
    const label = `${request.backend} ${request.model} ${request.size}×${request.size} batch ${request.batch} (${request.kernels})`;
    const result = await inWorker(request);
    if ('error' in result) {
      show(`${label}: ${result.error}`);
      return result;
    }
    const train = result.train ? `${fmt(result.train.median)} img/s` : result.trainError;
    show(`${label}: train ${train}, predict ${fmt(result.infer?.median)} img/s, ${result.threads ?? '-'} thread(s)`);
    return result;
  },
  info: async () => ({
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated,
    gpus: { webgpu: await probeWebGpu(), webgl: probeWebGl() },
  }),
};
document.title = 'ready';
