/**
 * The lab's kernel pool (src/lab/backend/fast-training/pool): on this process's threaded wasm heap every chunk of a job runs
 * exactly once, and the pooled kernels on tensors large enough to be cut into parts (the filter gradient, the
 * broadcasts, reductions, BatchNorm and the ReLU gradient) still match the cpu reference. That they give the same
 * bits with one thread and with two is test/backend/wasm-threads.test.ts's.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerFastKernels } from '../../src/lab/backend';
import { BATCH_NORM_DX } from '../../src/lab/backend/fast-training/kernels/batch-norm';
import { batchChunks } from '../../src/lab/backend/fast-training/kernels/batch-chunks';
import { PARTS_MAX, partsFor } from '../../src/lab/backend/fast-training/kernels/split-loop';
import { WasmHeap } from '../../src/lab/backend/fast-training/kernels/wasm-heap';
import { kernelPoolFor } from '../../src/lab/backend/fast-training/pool/kernel-pool';
import { CLOSED } from '../../src/lab/backend/fast-training/pool/pool-worker-source';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { assembleModule, FuncBuilder, I32, Op } from '../../src/lab/backend/fast-training/simd/wasm-asm';
import { createRng, randomValues, relativeError, runCpuStock, runRegistered } from './kernel-harness';

const rng = createRng(77);

/** `name(slot, _, value)`: adds `value` to the int32 at `slot` (the chunk's own slot, from base + chunk·stride). */
function addToSlot(name: string): FuncBuilder {
  return new FuncBuilder(name, [I32, I32, I32]).get(0).get(0).i32Load(0).get(2).op(Op.i32Add).op(0x36, 2, 0); // i32.store
}

describe('how work is cut', () => {
  it('depends on the problem only: parts of a loop, chunks of a batch', () => {
    expect(partsFor(10, 64)).toBe(1);
    expect(partsFor(100_000, 64)).toBe(PARTS_MAX);
    expect(partsFor(2048, 64)).toBe(2);
    expect(batchChunks(32)).toBe(8);
    expect(batchChunks(12)).toBe(6);
    expect(batchChunks(7)).toBe(7);
    expect(batchChunks(11)).toBe(1);
    expect(batchChunks(1)).toBe(1);
  });
});

describe('the kernel pool on threaded wasm', () => {
  beforeAll(async () => {
    expect((await selectBackend('wasm')).name).toBe('wasm');
  });

  it('has its workers running as soon as wasm has started, before any kernel used it', () => {
    // In a browser a worker starts only when its maker returns to the event loop, which a training loop may never
    // do; so the pool is made and awaited while wasm starts (wasm-start.ts), not on a kernel's first call.
    const pool = kernelPoolFor(WasmHeap.of(tf.backend())!.memory);
    expect(pool!.readyThreads).toBe(pool!.threads);
  });

  it('runs every chunk of a job exactly once, job after job', () => {
    const heap = WasmHeap.of(tf.backend())!;
    const pool = kernelPoolFor(heap.memory);
    expect(pool?.threads).toBeGreaterThanOrEqual(2);
    const module = new WebAssembly.Module(assembleModule([addToSlot('run')], true));
    const chunks = 1000;
    try {
      const slots = heap.alloc(chunks * 4);
      new Int32Array(heap.memory.buffer, slots, chunks).fill(0);
      for (let job = 1; job <= 20; job++) pool!.run({ module, base: [slots, 0, job], stride: [4, 0, 0], chunks });
      const seen = new Int32Array(heap.memory.buffer, slots, chunks);
      expect(new Set(seen)).toEqual(new Set([(20 * 21) / 2]));
      // The claim word has room for 1,022 chunks (the rest of it tells jobs apart); kernels use 8 at most.
      expect(() => pool!.run({ module, base: [slots, 0, 1], stride: [0, 0, 0], chunks: CLOSED })).toThrow(
        'too many chunks',
      );
    } finally {
      heap.release();
    }
  });

  it("keeps tiny jobs of different modules apart: no worker runs a chunk with the next job's module or arguments", async () => {
    // Jobs of two chunks end before a worker has woken for them, so a late worker meets the next job's parameters
    // half written: each chunk must run with its own job's module, export and arguments, or not at all. A and B put
    // 'run' at different export indexes, so a module from one job with the export index of the other cannot run.
    const heap = WasmHeap.of(tf.backend())!;
    const pool = kernelPoolFor(heap.memory)!;
    const a = new WebAssembly.Module(assembleModule([addToSlot('run')], true));
    const b = new WebAssembly.Module(assembleModule([addToSlot('x'), addToSlot('y'), addToSlot('run')], true));
    const errors: unknown[] = [];
    const onError = (error: unknown) => errors.push(error);
    process.on('uncaughtException', onError);
    const jobs = 100_000;
    try {
      const slots = heap.alloc(8 * 4);
      const seen = () => Array.from(new Int32Array(heap.memory.buffer, slots, 8));
      new Int32Array(heap.memory.buffer, slots, 8).fill(0);
      for (let job = 0; job < jobs; job++) {
        // Job j adds 1 to slots 0–1 (module A) or 1 to slots 4–5 with B's third export: other slots stay 0.
        const onA = job % 2 === 0;
        pool.run({ module: onA ? a : b, base: [slots + (onA ? 0 : 16), 0, 1], stride: [4, 0, 0], chunks: 2 });
      }
      expect(seen()).toEqual([jobs / 2, jobs / 2, 0, 0, jobs / 2, jobs / 2, 0, 0]);
    } finally {
      heap.release();
      await new Promise((resolve) => setTimeout(resolve, 100)); // a worker's error reaches this thread as an event
      process.removeListener('uncaughtException', onError);
    }
    expect(errors).toEqual([]);
  });

  it('throws when a chunk traps, on whichever thread, and runs the next job whole', () => {
    const heap = WasmHeap.of(tf.backend())!;
    const pool = kernelPoolFor(heap.memory)!;
    // run(slots, chunk, _): traps on odd chunks, else adds 1 to its slot (i32 division by zero traps).
    const f = new FuncBuilder('run', [I32, I32, I32]);
    f.get(0)
      .get(0)
      .i32Load(0)
      .i32(1)
      .i32(1)
      .get(1)
      .i32(1)
      .op(Op.i32And)
      .op(Op.i32Sub)
      .op(0x6d)
      .op(Op.i32Add)
      .op(0x36, 2, 0);
    const traps = new WebAssembly.Module(assembleModule([f], true));
    const chunks = 64;
    try {
      const slots = heap.alloc(chunks * 4);
      const seen = () => Array.from(new Int32Array(heap.memory.buffer, slots, chunks));
      new Int32Array(heap.memory.buffer, slots, chunks).fill(0);
      for (let round = 0; round < 20; round++) {
        expect(() => pool.run({ module: traps, base: [slots, 0, 0], stride: [4, 1, 0], chunks })).toThrow();
      }
      // Every even chunk ran once per round, whatever the thread; the odd ones trapped before writing.
      expect(seen()).toEqual(Array.from({ length: chunks }, (_, i) => (i % 2 === 0 ? 20 : 0)));
      new Int32Array(heap.memory.buffer, slots, chunks).fill(0);
      pool.run({ module: traps, base: [slots, 0, 0], stride: [8, 2, 0], chunks: chunks / 2 }); // even chunks only
      expect(seen()).toEqual(Array.from({ length: chunks }, (_, i) => (i % 2 === 0 ? 1 : 0)));
    } finally {
      heap.release();
    }
  });

  it('cuts large tensors into parts and still matches the cpu reference', async () => {
    const shape = [16, 40, 41, 24]; // 629,760 floats: 8 parts, and units left over for the last one
    const x = randomValues(rng, shape);
    const c = randomValues(rng, [24]);
    const close = async (name: string, inputs: Record<string, typeof x>, attrs: tf.NamedAttrMap = {}) => {
      const ours = await runRegistered('wasm', name, inputs, attrs);
      expect(relativeError(ours, await runCpuStock(name as never, inputs, attrs)), name).toBeLessThan(1e-4);
    };
    await close('Add', { a: x, b: c });
    await close('Multiply', { a: c, b: x });
    await close('Sum', { x }, { axis: [0, 1, 2], keepDims: false });
    await close('Mean', { x }, { axis: [0, 1, 2], keepDims: true });
    const variance = { values: c.values.map((v) => 0.5 + Math.abs(v)), shape: [24] };
    await close('FusedBatchNorm', { x, mean: c, variance, offset: c, scale: variance }, { varianceEpsilon: 1e-3 });
    // BatchNormalization's input gradient against its plain loop on cpu (dy·a + x·b + c per channel).
    const dxInputs = { dy: randomValues(rng, shape), x, a: c, b: variance, c: randomValues(rng, [24]) };
    registerFastKernels('cpu');
    const wasmDx = await runRegistered('wasm', BATCH_NORM_DX, dxInputs, {});
    expect(relativeError(wasmDx, await runRegistered('cpu', BATCH_NORM_DX, dxInputs, {}))).toBeLessThan(1e-6);
  });

  it('gives the filter gradient of a batch of 32 in 8 chunks, as the cpu reference does', async () => {
    const x = randomValues(rng, [32, 30, 30, 8]);
    const dy = randomValues(rng, [32, 28, 28, 16]);
    const attrs = {
      strides: [1, 1],
      pad: 'valid',
      dataFormat: 'NHWC',
      dimRoundingMode: undefined,
      filterShape: [3, 3, 8, 16],
    };
    const ours = await runRegistered('wasm', 'Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap);
    const ref = await runCpuStock('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap);
    expect(relativeError(ours, ref)).toBeLessThan(1e-4);
  });

  it("gives ReLU's gradient of a large tensor exactly", async () => {
    const shape = [8, 64, 64, 16];
    const [x, w] = [randomValues(rng, shape), randomValues(rng, shape)];
    const grad = () =>
      tf.tidy(() => {
        const out = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), tf.tensor(w.values, shape))))(
          tf.tensor(x.values, shape),
        );
        return { values: out.dataSync() as Float32Array, shape: out.shape };
      });
    await selectBackend('wasm');
    const ours = grad();
    await tf.setBackend('cpu');
    expect(relativeError(ours, grad())).toBe(0);
    await tf.setBackend('wasm');
  });
});
