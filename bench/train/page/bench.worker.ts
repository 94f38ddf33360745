/**
 * The bench page's worker: the lab trains in a Web Worker (src/worker), so the page measures there too. On a page's
 * main thread wasm's threads cannot block (Atomics.wait is refused there) and spin instead, which is not how the lab
 * runs. Requests come from main.ts; each reply carries the request's id.
 */
import { selectBackend } from '../../../src/lab/backend/select-backend';
import { WASM_ASSETS } from '../../../src/worker/wasm-assets';
import { measureTraining, type MeasureRequest, type Measurement } from '../measure';

/** A measurement, or why there is none (the backend is missing here, or the measurement threw). */
export type BenchReply = { id: number } & ({ result: Measurement } | { error: string });

async function measure(request: MeasureRequest): Promise<{ result: Measurement } | { error: string }> {
  const selected = await selectBackend(request.backend, { ...WASM_ASSETS, wasmThreads: request.wasmThreads ?? 'auto' });
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
