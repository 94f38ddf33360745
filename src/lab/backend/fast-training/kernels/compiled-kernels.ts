/**
 * A cache of generated kernels: one compiled module per shape and wasm memory, with an instance bound to that
 * memory on this thread (the kernel pool instantiates the same module on its own threads).
 */
import { isSharedMemory } from '../simd/wasm-asm';
import type { WasmHeap } from './wasm-heap';

/** A compiled kernel: its module (for the pool) and its `run` export on this thread. */
export interface CompiledKernel<Run> {
  module: WebAssembly.Module;
  run: Run;
}

/**
 * Returns `kernelFor(heap, shape)`: the kernel `bytes(shape, shared)` compiled once per memory and shape (keyed by
 * the shape's JSON), or null where it cannot be compiled here (a browser's main thread refuses synchronous
 * compilation of large modules); callers then fall back to another kernel. A failure is remembered too.
 */
export function compiledKernels<Shape, Run>(bytes: (shape: Shape, shared: boolean) => Uint8Array<ArrayBuffer>) {
  const compiled = new WeakMap<WebAssembly.Memory, Map<string, CompiledKernel<Run> | null>>();
  return (heap: WasmHeap, shape: Shape): CompiledKernel<Run> | null => {
    let cache = compiled.get(heap.memory);
    if (cache == null) {
      cache = new Map();
      compiled.set(heap.memory, cache);
    }
    const key = JSON.stringify(shape);
    if (!cache.has(key)) {
      let kernel: CompiledKernel<Run> | null = null;
      try {
        const module = new WebAssembly.Module(bytes(shape, isSharedMemory(heap.memory)));
        kernel = { module, run: new WebAssembly.Instance(module, { env: { memory: heap.memory } }).exports.run as Run };
      } catch {
        kernel = null;
      }
      cache.set(key, kernel);
    }
    return cache.get(key) ?? null;
  };
}
