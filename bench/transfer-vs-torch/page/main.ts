/**
 * The transfer bench page: the same timings as in Node (../measure.ts), run in a worker (bench.worker.ts), driven
 * from ../chromium.ts through `window.xrayTransferBench`. Served cross-origin isolated, so wasm runs on every core.
 */
import type { BackboneMeasurement, BackboneRequest, HeadRequest } from '../measure';
import type { TransferBenchReply, TransferBenchRequest } from './bench.worker';

export interface TransferPageBench {
  backbone(request: BackboneRequest, weightsUrl: string | null): Promise<BackboneMeasurement | { error: string }>;
  head(request: HeadRequest): Promise<number | { error: string }>;
  info(): { userAgent: string; hardwareConcurrency: number; crossOriginIsolated: boolean };
}

declare global {
  interface Window {
    xrayTransferBench: TransferPageBench;
  }
}

const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module' });
let nextId = 1;

function inWorker(message: TransferBenchRequest): Promise<TransferBenchReply> {
  const id = nextId++;
  return new Promise((resolve) => {
    const onReply = (event: MessageEvent<TransferBenchReply>) => {
      if (event.data.id !== id) return;
      worker.removeEventListener('message', onReply);
      resolve(event.data);
    };
    worker.addEventListener('message', onReply);
    worker.postMessage({ id, message });
  });
}

window.xrayTransferBench = {
  async backbone(request, weightsUrl) {
    const reply = await inWorker({ kind: 'backbone', request, weightsUrl });
    return 'backbone' in reply ? reply.backbone : { error: 'error' in reply ? reply.error : 'no measurement' };
  },
  async head(request) {
    const reply = await inWorker({ kind: 'head', request });
    return 'headMs' in reply ? reply.headMs : { error: 'error' in reply ? reply.error : 'no measurement' };
  },
  info: () => ({
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated,
  }),
};
document.title = 'ready';
