/**
 * Runs one of the channel SIMD loops (../simd/channel-simd.ts) in parts on the kernel pool. A loop walks `units`
 * units (chunks of L floats, or 16-byte vectors); it is cut into at most PARTS_MAX equal parts of at least
 * MIN_FLOATS_PER_PART floats (from the size alone, never the thread count), the parts run on the pool's threads,
 * and the few units left over run after them on this thread, as part of the last part. A reduction gives every
 * part its own scratch (its partials and float64 totals) and adds the parts in order afterwards: the same numbers
 * with any number of threads.
 */
import { runChunks } from '../pool/kernel-pool';
import { channelSimdFor } from '../simd/channel-simd';
import { isSharedMemory } from '../simd/wasm-asm';
import type { WasmHeap } from './wasm-heap';

export const PARTS_MAX = 8;
/** Below this many floats per part, a thread's wake-up costs more than the part. */
export const MIN_FLOATS_PER_PART = 1 << 16;

/** Parts for a loop of `units` units of `floatsPerUnit` floats. */
export function partsFor(units: number, floatsPerUnit: number): number {
  const byWork = Math.floor((units * floatsPerUnit) / MIN_FLOATS_PER_PART);
  return Math.max(1, Math.min(PARTS_MAX, byWork, units));
}

export interface SplitLoop {
  /** Export of the channel module. */
  name: string;
  /** The call's arguments for the whole loop (pointers in bytes). */
  args: number[];
  /** Index of the unit-count argument, and what it counts per unit (1 for chunks, 16 for a byte count of vectors). */
  countAt: number;
  countPerUnit: number;
  units: number;
  floatsPerUnit: number;
  /** Bytes each argument moves per unit (0: the same for every part, such as a pattern). */
  advance: number[];
  /** Bytes each argument moves per part (scratch buffers of reductions), default none. */
  perPart?: number[];
  /** The module holding `name`: the channel module (default) or the fused one (../simd/fused-simd.ts). */
  binder?: LoopModule;
}

/** What splitLoop needs of a module binder (channelSimdFor, fusedSimdFor). */
export interface LoopModule {
  (memory: WebAssembly.Memory): { raw: Record<string, (...args: number[]) => void> } | null;
  module(shared: boolean): WebAssembly.Module | null;
}

/** Runs the loop in parts; returns the part count (reductions read that many scratch areas). */
export function splitLoop(heap: WasmHeap, loop: SplitLoop): number {
  const binder: LoopModule = loop.binder ?? channelSimdFor;
  const simd = binder(heap.memory);
  const module = binder.module(isSharedMemory(heap.memory));
  if (simd == null || module == null) throw new Error('channel SIMD is not available on this heap');
  const run = simd.raw[loop.name];
  const parts = partsFor(loop.units, loop.floatsPerUnit);
  const each = Math.floor(loop.units / parts);
  const perPart = loop.perPart ?? loop.args.map(() => 0);
  const base = loop.args.map((a, i) => (i === loop.countAt ? each * loop.countPerUnit : a));
  const stride = loop.args.map((_, i) => (i === loop.countAt ? 0 : each * loop.advance[i] + perPart[i]));
  runChunks(heap.memory, { module, exportName: loop.name, base, stride, chunks: parts }, run);
  const left = loop.units - parts * each;
  if (left > 0) {
    // The units past the last whole part belong to the last part (its scratch, after its own units).
    const last = parts - 1;
    const args = loop.args.map((a, i) =>
      i === loop.countAt ? left * loop.countPerUnit : a + parts * each * loop.advance[i] + last * perPart[i],
    );
    run(...args);
  }
  return parts;
}
