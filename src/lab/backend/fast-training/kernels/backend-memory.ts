/**
 * Raw typed-array access to tensor data on the `cpu` and `wasm` backends, for kernels written as plain loops over
 * memory (Tile, MaxPoolGrad), where the stock kernels are far slower than a straightforward JavaScript loop.
 *
 * On wasm the arrays are views into the module's heap. Allocating the output can grow (and so detach) the heap,
 * which is why the output is allocated first and the input views are taken only afterwards.
 */
import { util } from '@tensorflow/tfjs';
import type { DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs';
import { cpuInternals, wasmInternals, type NumericArray } from '../backend-internals';

export type { NumericArray };

/** True for dtypes held in a numeric typed array (not string, not complex64). */
export function isNumericDType(dtype: DataType): boolean {
  return dtype === 'float32' || dtype === 'int32' || dtype === 'bool';
}

/**
 * Allocates an output of `shape`/`dtype` on `backend`, gives `fill` views of the inputs and of the (zeroed) output,
 * and returns the output. `backendName` must be 'wasm' or 'cpu'; inputs must be numeric.
 */
export function computeIntoOutput(
  backend: KernelBackend,
  backendName: string,
  inputs: TensorInfo[],
  shape: number[],
  dtype: DataType,
  fill: (sources: NumericArray[], dest: NumericArray) => void,
): TensorInfo {
  if (backendName === 'wasm') {
    const wasm = wasmInternals(backend);
    const out = wasm.makeOutput(shape, dtype);
    const dest = wasm.typedArrayFromHeap(out);
    // makeOutput does not promise zeroed memory; the loops accumulate into dest.
    dest.fill(0);
    fill(
      inputs.map((info) => wasm.typedArrayFromHeap(info)),
      dest,
    );
    return out;
  }
  if (backendName === 'cpu') {
    const cpu = cpuInternals(backend);
    const dest = util.getTypedArrayFromDType(dtype as 'float32', util.sizeFromShape(shape)) as NumericArray;
    const sources = inputs.map((info) => {
      const values = cpu.data.get(info.dataId).values;
      if (!(values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint8Array)) {
        throw new Error(`cpu tensor of dtype ${info.dtype} is not held in a numeric typed array`);
      }
      return values;
    });
    fill(sources, dest);
    return cpu.makeTensorInfo(shape, dtype, dest);
  }
  throw new Error(`computeIntoOutput supports the wasm and cpu backends, not '${backendName}'`);
}
