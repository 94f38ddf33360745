/**
 * Fast `MaxPoolGrad` for wasm and cpu: routes each output gradient to the position of its window's maximum.
 *
 * Semantics match the stock kernels exactly, ties included (ReLU before pooling makes all-zero windows common):
 * windows are scanned row by row, the first strictly greater value wins, and a window with no finite maximum
 * (entirely padding) passes nothing back. The scan keeps one running max per channel, so the inner loop walks
 * contiguous NHWC memory; the stock wasm kernel is ~20× slower than MaxPool itself. On wasm the 2×2/stride-2 case
 * (the study's pooling) runs as SIMD with the same tie rules (../simd/pool-grad-simd.ts).
 */
import { backend_util } from '@tensorflow/tfjs';
import type { KernelBackend, MaxPoolGradAttrs, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { runChunks } from '../pool/kernel-pool';
import { poolGradFor } from '../simd/pool-grad-simd';
import { isSharedMemory } from '../simd/wasm-asm';
import { batchChunks } from './batch-chunks';
import { computeIntoOutput, type NumericArray } from './backend-memory';
import { requireInput } from './kernel-calls';
import { WasmHeap } from './wasm-heap';

/** Adds dy into dx at each window's first maximum of x (NHWC, dilation 1). */
export function maxPoolGradInto(
  x: NumericArray,
  dy: NumericArray,
  dx: NumericArray,
  info: backend_util.Conv2DInfo,
): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, effectiveFilterHeight, effectiveFilterWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const maxValue = new Float64Array(channels);
  const maxIndex = new Int32Array(channels);
  let dyIndex = 0;
  for (let b = 0; b < batchSize; b++) {
    const xBatch = b * inHeight * inWidth * channels;
    for (let yR = 0; yR < outHeight; yR++) {
      const rowCorner = yR * strideHeight - padTop;
      const rMin = Math.max(0, rowCorner);
      const rMax = Math.min(inHeight, rowCorner + effectiveFilterHeight);
      for (let yC = 0; yC < outWidth; yC++) {
        const colCorner = yC * strideWidth - padLeft;
        const cMin = Math.max(0, colCorner);
        const cMax = Math.min(inWidth, colCorner + effectiveFilterWidth);
        maxValue.fill(Number.NEGATIVE_INFINITY);
        maxIndex.fill(-1);
        for (let r = rMin; r < rMax; r++) {
          for (let c = cMin; c < cMax; c++) {
            const base = xBatch + (r * inWidth + c) * channels;
            for (let d = 0; d < channels; d++) {
              const v = x[base + d];
              if (v > maxValue[d]) {
                maxValue[d] = v;
                maxIndex[d] = base + d;
              }
            }
          }
        }
        for (let d = 0; d < channels; d++, dyIndex++) {
          if (maxIndex[d] >= 0) dx[maxIndex[d]] += dy[dyIndex];
        }
      }
    }
  }
}

/** True for 2×2 windows with stride 2, no padding and a channel count divisible by 4 (the SIMD kernels' case). */
export function isSimdCase(info: backend_util.Conv2DInfo): boolean {
  const { padInfo: p } = info;
  // Every window must lie inside the input ('same' padding of an odd size adds a row/column of padding after).
  const inside = 2 * info.outHeight <= info.inHeight && 2 * info.outWidth <= info.inWidth;
  return (
    info.filterHeight === 2 &&
    info.filterWidth === 2 &&
    info.strideHeight === 2 &&
    info.strideWidth === 2 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    p.top === 0 &&
    p.left === 0 &&
    inside &&
    info.inChannels % 4 === 0
  );
}

/** The SIMD kernel on wasm (see ../simd/pool-grad-simd.ts), or null where it does not apply. */
function trySimd(
  heap: WasmHeap | null,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo | null {
  const run = heap == null ? null : poolGradFor(heap.memory);
  if (heap == null || run == null || x.dtype !== 'float32' || dy.dtype !== 'float32' || !isSimdCase(info)) return null;
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth } = info;
  const dx = heap.output(x.shape);
  // Images in equal chunks on the kernel pool (windows never overlap, so threads change nothing).
  const chunks = batchChunks(batchSize);
  const per = batchSize / chunks;
  const module = poolGradFor.module(isSharedMemory(heap.memory));
  const [xBytes, yBytes] = [inHeight * inWidth * c * 4 * per, outHeight * outWidth * c * 4 * per];
  runChunks(
    heap.memory,
    {
      module: module!,
      base: [heap.ptr(x), heap.ptr(dy), heap.ptr(dx), per, outHeight, outWidth, inHeight, inWidth, c],
      stride: [xBytes, yBytes, xBytes, 0, 0, 0, 0, 0, 0],
      chunks,
    },
    run,
  );
  // Rows and columns outside every window (odd sizes) get no gradient; the SIMD loop never wrote them.
  const view = heap.f32(heap.ptr(dx), batchSize * inHeight * inWidth * c);
  for (let b = 0; b < batchSize; b++) {
    const image = b * inHeight * inWidth * c;
    for (let r = 0; r < 2 * outHeight; r++) {
      const rowEnd = image + (r + 1) * inWidth * c;
      view.fill(0, image + (r * inWidth + 2 * outWidth) * c, rowEnd);
    }
    view.fill(0, image + 2 * outHeight * inWidth * c, image + inHeight * inWidth * c);
  }
  return dx;
}

/** Kernel function for `tf.registerKernel` (inputs dy, input, output; attrs as tfjs's MaxPoolGrad). */
export function makeMaxPoolGradKernel(backendName: string) {
  return (args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: unknown }): TensorInfo => {
    const dy = requireInput(args.inputs, 'dy');
    const x = requireInput(args.inputs, 'input');
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as MaxPoolGradAttrs;
    const info = backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const simd = backendName === 'wasm' ? trySimd(WasmHeap.of(args.backend as KernelBackend), x, dy, info) : null;
    if (simd != null) return simd;
    return computeIntoOutput(args.backend as KernelBackend, backendName, [x, dy], x.shape, x.dtype, ([xs, dys], dx) =>
      maxPoolGradInto(xs, dys, dx, info),
    );
  };
}
