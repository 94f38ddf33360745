/**
 * The transfer bench page's worker: the lab extracts features in a Web Worker (src/worker), where wasm's threads can
 * block instead of spinning, so the page measures there too. Requests come from main.ts; replies carry their id.
 */
import { selectBackend } from '../../../src/lab/backend/select-backend';
import type { BackboneWeights } from '../../../src/lab/transfer/backbone-weights';
import { loadWeightsFromUrl } from '../../../src/lab/transfer/load-weights';
import { WASM_ASSETS } from '../../../src/worker/wasm-assets';
import {
  measureBackbone,
  measureHeadEpochs,
  type BackboneMeasurement,
  type BackboneRequest,
  type HeadRequest,
} from '../measure';

export type TransferBenchRequest =
  { kind: 'backbone'; request: BackboneRequest; weightsUrl: string | null } | { kind: 'head'; request: HeadRequest };

export type TransferBenchReply = { id: number } & (
  { backbone: BackboneMeasurement } | { headMs: number } | { error: string }
);

let wasm: Promise<string | null> | null = null;

/** Starts wasm once (threads on every core, as the lab's worker); null when it started, else why not. */
function startWasm(): Promise<string | null> {
  wasm ??= selectBackend('wasm', WASM_ASSETS).then((s) =>
    s.name === 'wasm' ? null : `wasm unavailable: ${s.fallbacks.map((f) => f.reason).join('; ')}`,
  );
  return wasm;
}

async function handle(message: TransferBenchRequest): Promise<Omit<TransferBenchReply, 'id'>> {
  const missing = await startWasm();
  if (missing != null) return { error: missing };
  if (message.kind === 'head') return { headMs: await measureHeadEpochs(message.request) };
  let weights: BackboneWeights | null = null;
  if (message.weightsUrl != null) weights = await loadWeightsFromUrl(message.request.backbone, message.weightsUrl);
  return { backbone: await measureBackbone(message.request, weights) };
}

self.onmessage = async (event: MessageEvent<{ id: number; message: TransferBenchRequest }>) => {
  const { id, message } = event.data;
  const reply = await handle(message).then(
    (r) => ({ id, ...r }) as TransferBenchReply,
    (err: unknown) => ({ id, error: err instanceof Error ? err.message : String(err) }),
  );
  self.postMessage(reply);
};
