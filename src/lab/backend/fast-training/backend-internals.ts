/**
 * The private members of tfjs 4.22's wasm and cpu backends that the lab's kernels use, described once. None of
 * them is in tfjs's public typings, so a tfjs release may rename or reshape any of them without notice; that is why
 * installFastTraining installs nothing on another tfjs version (tfjs-version.ts), and why every kernel reaches
 * a backend through these two accessors rather than a cast of its own.
 */
import type { DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs';

/** The numeric typed arrays tfjs stores tensors in (float32, int32, and bool as bytes). */
export type NumericArray = Float32Array | Int32Array | Uint8Array;

/** tfjs-backend-wasm's BackendWasm: its Emscripten module, its tensor table and its output allocation. */
export interface WasmBackendInternals {
  wasm: {
    asm?: { memory?: WebAssembly.Memory };
    wasmExports?: { memory?: WebAssembly.Memory };
    /** The threaded build imports its (shared) memory rather than exporting it. */
    wasmMemory?: WebAssembly.Memory;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
  };
  /** Where each tensor's bytes start in the module's heap. */
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  /** A view of a tensor's bytes in the heap (detached when the heap grows). */
  typedArrayFromHeap(info: TensorInfo): NumericArray;
  incRef(dataId: object): void;
  disposeData(dataId: object): boolean;
}

/** tfjs-backend-cpu's MathBackendCPU: its tensor table and how it wraps a computed array as a tensor. */
export interface CpuBackendInternals {
  data: { get(dataId: object): { values?: unknown } };
  readSync(dataId: object): unknown;
  makeTensorInfo(shape: number[], dtype: DataType, values: NumericArray): TensorInfo;
}

/** The wasm backend's private members (the caller knows `backend` is wasm). */
export function wasmInternals(backend: unknown): WasmBackendInternals {
  return backend as WasmBackendInternals;
}

/** The same, where the backend may be another build whose members are missing. */
export function wasmInternalsMaybe(backend: KernelBackend): Partial<WasmBackendInternals> {
  return backend as unknown as Partial<WasmBackendInternals>;
}

/** The cpu backend's private members (the caller knows `backend` is cpu). */
export function cpuInternals(backend: unknown): CpuBackendInternals {
  return backend as CpuBackendInternals;
}
