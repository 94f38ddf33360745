/**
 * Autosave and GPU-fault recovery in the real lab worker module (in Node, behind a stand-in for the worker global,
 * with fake-indexeddb as its IndexedDB, and the core's backend selection): when the backend fails mid-training — surfacing, as a lost WebGL context
 * does, as an uncaught error in the worker — the run continues from its last checkpoint on the next backend in
 * the order, the page is told what happened and where, and the run finishes with every epoch; the finished run is
 * saved and its checkpoint gone. A reload's restore gives it back.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultExperiment, type Experiment } from '../../src/lab/experiment/schema';
import type { CallMessage, LabArgs, LabEvent, LabMethod, LabResult, WorkerMessage } from '../../src/worker/protocol';

// The worker's backend module finds the wasm binaries through Vite's asset URLs, which Node cannot load: here the
// core's selectBackend (which finds them in node_modules) stands in for its ensureBackend; the rest is real.
vi.mock('../../src/worker/backend', async (importActual) => {
  const actual = await importActual<typeof import('../../src/worker/backend')>();
  const { selectBackend } = await import('../../src/lab/backend/select-backend');
  return {
    ...actual,
    calibrationTargetFor: () => null,
    ensureBackend: async (preference: string) => {
      const s = await selectBackend(preference === 'auto' ? 'wasm' : (preference as 'wasm'));
      return { name: s.name, preference, adapter: '', fallbacks: s.fallbacks, fastKernels: s.fastKernels };
    },
  };
});

const posted: WorkerMessage[] = [];
const listeners: Record<string, (e: unknown) => void> = {};
/** Set by a test: called with every event as the worker posts it. */
let onEvent: ((e: LabEvent) => void) | null = null;
const scope = {
  postMessage: (message: WorkerMessage) => {
    posted.push(message);
    if (message.kind === 'event') onEvent?.(message.event);
  },
  addEventListener: (type: string, listener: (e: unknown) => void) => void (listeners[type] = listener),
  onmessage: null as null | ((e: { data: CallMessage }) => Promise<void>),
};
let nextId = 1;
const saved = (globalThis as { self?: unknown }).self;

async function call<M extends LabMethod>(method: M, args: LabArgs<M>): Promise<LabResult<M>> {
  const id = nextId++;
  await scope.onmessage!({ data: { kind: 'call', id, method, args } as CallMessage });
  const reply = posted.find((m) => m.kind === 'reply' && m.id === id);
  if (!reply || reply.kind !== 'reply') throw new Error(`no reply to ${method}`);
  if (!reply.ok) throw Object.assign(new Error(reply.error.message), { name: reply.error.name });
  return reply.value as LabResult<M>;
}
const events = (): LabEvent[] => posted.flatMap((m) => (m.kind === 'event' ? [m.event] : []));

beforeAll(async () => {
  (globalThis as { self?: unknown }).self = scope;
  await import('../../src/worker/lab.worker');
});
afterAll(() => {
  (globalThis as { self?: unknown }).self = saved;
});

const experiment: Experiment = {
  ...defaultExperiment(),
  models: ['light-k1'],
  seeds: [1],
  size: 16,
  channels: 1,
  epochs: 4,
  batchSize: 8,
  bootstrap: 0,
  backend: 'wasm',
};

describe('backend failure mid-training', () => {
  it('continues from the last checkpoint on the next backend and finishes every epoch', async () => {
    expect((await call('init', { backend: 'wasm' })).backend?.name).toBe('wasm');
    await call('loadDemo', {
      size: 16,
      channels: 1,
      valFraction: 0.1,
      testFraction: 0.2,
      seed: 1,
      keepOfficialVal: false,
      perClass: 16,
    });
    posted.length = 0;
    let broke = false;
    onEvent = (e) => {
      // In epoch 3 (epoch 2's checkpoint taken), the backend "loses its context": an uncaught error in the worker.
      if (!broke && e.type === 'train-progress' && e.progress.epoch === 3) {
        broke = true;
        listeners.error({ message: 'WebGL context lost (simulated)', error: null, preventDefault: () => undefined });
      }
    };
    const outcome = await call('train', { experiment });
    onEvent = null;
    expect(broke).toBe(true);
    expect(outcome).toEqual({ status: 'done', message: null, failed: [] });
    const seen = events();
    expect(
      seen.filter((e) => e.type === 'backend').map((e) => (e as { backend: { name: string } }).backend.name),
    ).toEqual(['wasm', 'cpu']);
    expect(seen.find((e) => e.type === 'resumed')).toMatchObject({
      kind: 'fallback',
      modelId: 'light-k1',
      epoch: 2,
      backend: 'cpu',
      message: expect.stringMatching(
        /^The wasm backend failed while training light-k1 \(WebGL context lost \(simulated\)\); it continues from its checkpoint after epoch 2 of 4 on cpu\.$/,
      ),
    });
    const results = seen.flatMap((e) => (e.type === 'model-result' ? [e.result.record] : []));
    expect(results.map((r) => r.status)).toEqual(['failed', 'ok']);
    expect(results[1].history!.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
    expect(results[1].backend).toBe('cpu');

    // Saved: the finished run (its checkpoint replaced), as a reload's restore shows it.
    const restored = await call('restoreSaved', null);
    expect(restored!.runs.map((r) => [r.modelId, r.record.status, r.record.history!.length])).toEqual([
      ['light-k1', 'ok', 4],
    ]);
    expect(restored!.runs[0].files!.weights.byteLength).toBeGreaterThan(0);
    expect(restored!.interrupted).toEqual([]);
    expect(restored!.context!.experiment.models).toEqual(['light-k1']);
    const usage = await call('storageUsage', null);
    expect(usage.projectBytes).toBeGreaterThan(restored!.runs[0].files!.weights.byteLength);
    expect((await call('clearStorage', null)).projectBytes).toBe(0);
    expect(await call('restoreSaved', null)).toBeNull();
  }, 180_000);
});
