/**
 * The bench page's worker: the lab trains in a Web Worker (src/worker), so the page measures there too. On a page's
 * main thread wasm's threads cannot block (Atomics.wait is refused there) and spin instead, which is not how the lab
 * runs. Requests come from main.ts; each reply carries the request's id.
 */
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import wasmThreadedFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?url';
import { selectBackend } from '../../../src/lab/backend/select-backend';
import { measureTraining, type MeasureRequest, type Measurement } from '../measure';

const WASM_PATHS = {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
};

/** A measurement, or why there is none (the backend is missing here, or the measurement threw). */
export type BenchReply = { id: number } & ({ result: Measurement } | { error: string });

async function measure(request: MeasureRequest): Promise<{ result: Measurement } | { error: string }> {
  const selected = await selectBackend(request.backend, {
    wasmPaths: WASM_PATHS, wasmThreads: request.wasmThreads ?? 'auto', wasmThreadedFactoryUrl: wasmThreadedFactory,
  });
  if (selected.name !== request.backend) {
    return { error: `${request.backend} unavailable: ${selected.fallbacks.map((f) => f.reason).join('; ')}` };
  }
  return { result: await measureTraining(request) };
}

self.onmessage = async (event: MessageEvent<{ id: number; request: MeasureRequest }>) => {
  const { id, request } = event.data;
  const reply: BenchReply = await measure(request).then(
    (r) => ({ id, ...r }),
    (err: unknown) => ({ id, error: err instanceof Error ? err.message : String(err) }),
  );
  self.postMessage(reply);
};
