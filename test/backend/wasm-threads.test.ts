/**
 * Threaded wasm in Node (src/lab/backend/fast-training/wasm-threads.ts): XNNPACK on every core through the pthread-worker
 * workaround, the lab's SIMD kernels bound to the shared memory, and training that is bit for bit the same with
 * one thread and with several (each run in its own process, as the thread count is fixed per process).
 */
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { WasmHeap } from '../../src/lab/backend/fast-training/kernels/wasm-heap';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { channelSimdFor } from '../../src/lab/backend/fast-training/simd/channel-simd';
import { isSharedMemory } from '../../src/lab/backend/fast-training/simd/wasm-asm';

const run = promisify(execFile);
const SCRIPT = join(import.meta.dirname, '..', 'helpers', 'train-fingerprint.ts');

interface Fingerprint {
  backend: string;
  threads: number;
  losses: number[];
  weights: string;
}

async function fingerprint(threads: number, extra: string[] = []): Promise<Fingerprint> {
  // Node with tsx's loader, as bin/xray-lab.mjs runs the CLI: `npx tsx` would add about 1.5 s of CPU per process.
  const { stdout } = await run(process.execPath, ['--import', 'tsx', SCRIPT, '--threads', String(threads), ...extra], {
    timeout: 240_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Fingerprint;
}

describe('threaded wasm in Node', () => {
  it('starts XNNPACK on every core and binds the SIMD kernels to the shared memory', async () => {
    const selected = await selectBackend('wasm');
    const wanted = Math.min(availableParallelism(), 8);
    expect(selected.wasmThreads?.threads).toBe(wanted);
    expect(getThreadsCount()).toBe(wanted);
    const heap = WasmHeap.of(tf.backend())!;
    expect(heap).not.toBeNull();
    expect(isSharedMemory(heap.memory)).toBe(wanted > 1);
    expect(channelSimdFor(heap.memory)).not.toBeNull();
  });

  it('trains bit for bit the same with one thread and with two', async () => {
    const [one, two] = await Promise.all([fingerprint(1), fingerprint(2)]);
    expect(one.backend).toBe('wasm');
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(two.losses).toEqual(one.losses);
    expect(two.weights).toBe(one.weights);
  }, 300_000);

  it('trains cnn bit for bit the same with one thread and with two', async () => {
    const args = ['--model', 'cnn', '--size', '56', '--epochs', '1'];
    const [one, two] = await Promise.all([fingerprint(1, args), fingerprint(2, args)]);
    expect(two.threads).toBe(2);
    expect(two.weights).toBe(one.weights);
  }, 300_000);
});
