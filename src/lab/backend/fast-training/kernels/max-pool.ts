/**
 * Fast `MaxPool` on wasm for 2×2 windows with stride 2 (../simd/max-pool-simd.ts), images in equal chunks on the
 * kernel pool: tfjs's XNNPACK pooling took ~2 ms for each of cnn's first pooling layers, about five times a pass
 * over the same memory. Other cases, and other backends, go to the stock kernel.
 */
import { backend_util } from '@tensorflow/tfjs';
import type { KernelBackend, KernelConfig, KernelFunc, MaxPoolAttrs, NamedTensorInfoMap } from '@tensorflow/tfjs';
import { runChunks } from '../pool/kernel-pool';
import { maxPoolFor } from '../simd/max-pool-simd';
import { isSharedMemory } from '../simd/wasm-asm';
import { batchChunks } from './batch-chunks';
import { requireInput } from './kernel-calls';
import { isSimdCase } from './max-pool-grad';
import { WasmHeap } from './wasm-heap';

export function makeMaxPoolKernel(backendName: string, stock: () => KernelConfig | undefined): KernelFunc {
  return (args) => {
    const x = requireInput(args.inputs as NamedTensorInfoMap, 'x');
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as MaxPoolAttrs;
    const heap = backendName === 'wasm' ? WasmHeap.of(args.backend as KernelBackend) : null;
    const run = heap == null ? null : maxPoolFor(heap.memory);
    const info =
      x.shape.length === 4
        ? backend_util.computePool2DInfo(
            x.shape as [number, number, number, number],
            filterSize,
            strides,
            1,
            pad,
            dimRoundingMode,
          )
        : null;
    if (heap == null || run == null || info == null || x.dtype !== 'float32' || !isSimdCase(info)) {
      const config = stock();
      if (config == null) throw new Error(`No stock MaxPool kernel on '${backendName}'`);
      return config.kernelFunc(args);
    }
    const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth } = info;
    const y = heap.output(info.outShape);
    const chunks = batchChunks(batchSize);
    const per = batchSize / chunks;
    runChunks(
      heap.memory,
      {
        module: maxPoolFor.module(isSharedMemory(heap.memory))!,
        base: [heap.ptr(x), heap.ptr(y), per, outHeight, outWidth, inHeight, inWidth, c],
        stride: [inHeight * inWidth * c * 4 * per, outHeight * outWidth * c * 4 * per, 0, 0, 0, 0, 0, 0],
        chunks,
      },
      run,
    );
    return y;
  };
}
