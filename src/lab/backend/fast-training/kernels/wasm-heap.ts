/**
 * Pointer-level access to tfjs's wasm backend for the SIMD kernels in ../simd: the module's memory, a tensor's
 * byte address, outputs, scratch buffers and zero-copy aliases (and the Identity/Cast kernels built on those).
 *
 * Allocating (an output or scratch) can grow the memory and detach every typed-array view taken before, so a
 * kernel allocates everything first and only then takes views (`f32`, `f64`).
 */
import type {
  CastAttrs,
  DataType,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs';
import { wasmInternals, wasmInternalsMaybe, type WasmBackendInternals } from '../backend-internals';
import { channelSimdFor, type ChannelSimd } from '../simd/channel-simd';
import { requireInput } from './kernel-calls';

/** A view of the wasm backend with the few operations the SIMD kernels need. */
export class WasmHeap {
  private readonly be: WasmBackendInternals;
  readonly memory: WebAssembly.Memory;
  private readonly scratch: number[] = [];

  private constructor(backend: KernelBackend, memory: WebAssembly.Memory) {
    this.be = wasmInternals(backend);
    this.memory = memory;
  }

  /** The heap of a wasm backend, or null when its memory cannot be reached (another tfjs build). */
  static of(backend: KernelBackend): WasmHeap | null {
    const be = wasmInternalsMaybe(backend);
    const memory = be.wasm?.asm?.memory ?? be.wasm?.wasmExports?.memory ?? be.wasm?.wasmMemory;
    if (!(memory instanceof WebAssembly.Memory) || be.dataIdMap == null) return null;
    return new WasmHeap(backend, memory);
  }

  /** The SIMD kernels bound to this heap, or null where wasm SIMD is unavailable. */
  simd(): ChannelSimd | null {
    return channelSimdFor(this.memory);
  }

  /** Byte address of a tensor's data. */
  ptr(info: TensorInfo): number {
    const data = this.be.dataIdMap.get(info.dataId);
    if (data == null) throw new Error('tensor data is not on this wasm backend');
    return data.memoryOffset;
  }

  output(shape: number[], dtype: DataType = 'float32'): TensorInfo {
    return this.be.makeOutput(shape, dtype);
  }

  /** Frees an output made by `output` that will not be returned (its kernel failed half-way). */
  discard(info: TensorInfo): void {
    this.be.disposeData(info.dataId);
  }

  /** A new reference to `x`'s data under another shape (what Reshape does): no copy. */
  alias(x: TensorInfo, shape: number[] = x.shape): TensorInfo {
    this.be.incRef(x.dataId);
    return { dataId: x.dataId, shape, dtype: x.dtype };
  }

  /** Allocates `bytes` of scratch memory (16-byte aligned by malloc), freed by `release`. */
  alloc(bytes: number): number {
    const ptr = this.be.wasm._malloc(bytes) >>> 0;
    if (ptr === 0) throw new Error(`wasm heap: could not allocate ${bytes} bytes`);
    this.scratch.push(ptr);
    return ptr;
  }

  /** Frees every scratch buffer from `alloc`. */
  release(): void {
    for (const ptr of this.scratch) this.be.wasm._free(ptr);
    this.scratch.length = 0;
  }

  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }

  f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, length);
  }
}

/** Greatest common divisor. */
function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Chunk length L for C channels: a multiple of C and of 16 floats (the SIMD loops' unrolled step), at least 64 so
 * the inner loop runs long enough to amortise its overhead.
 */
export function chunkLength(channels: number): number {
  let length = (channels * 16) / gcd(channels, 16);
  while (length < 64) length *= 2;
  return length;
}

/** Writes `values` (length C, or 1 for a scalar) tiled to `pattern.length`. */
export function fillPattern(pattern: Float32Array, values: ArrayLike<number>): void {
  const c = values.length;
  for (let i = 0; i < pattern.length; i++) pattern[i] = values[i % c];
}

/**
 * Zero-copy `Identity` and same-dtype `Cast` for wasm. tfjs clones every tensor it saves for the backward pass
 * (engine.saveTensorsForBackwardMode → Identity), and ReLU's gradient casts a float32 step to float32; stock wasm
 * copies the data each time (a light-k5 step at 128×128 made ~500 such copies). tfjs's cpu backend already shares
 * the data and bumps a reference count instead; this does the same on wasm, which is safe because no tfjs kernel
 * writes into its inputs (Variable.assign swaps data ids). Kernel function for `Identity` (cast = false) or
 * `Cast` (cast = true); strings and real casts go to the stock kernel.
 */
export function makeAliasKernel(cast: boolean) {
  return (backendName: string, stock: () => KernelConfig | undefined): KernelFunc =>
    (args) => {
      const x = requireInput(args.inputs as NamedTensorInfoMap, 'x');
      const sameDtype = !cast || (args.attrs as unknown as CastAttrs).dtype === x.dtype;
      const heap = x.dtype === 'string' || !sameDtype ? null : WasmHeap.of(args.backend as KernelBackend);
      if (heap == null) {
        const config = stock();
        if (config == null) throw new Error(`No stock ${cast ? 'Cast' : 'Identity'} kernel on '${backendName}'`);
        return config.kernelFunc(args);
      }
      return heap.alias(x);
    };
}
