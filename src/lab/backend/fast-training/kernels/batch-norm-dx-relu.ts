/**
 * BATCH_NORM_DX_RELU: BatchNormalization's input gradient dx = dy·a + x·b + c (as BATCH_NORM_DX), masked by x > 0,
 * with its per-channel sums — for a BatchNormalization whose input is a ReLU convolution's output, whose gradient
 * then needs neither its mask pass nor its bias sum (relu-grad-handoff.ts). One pass where BATCH_NORM_DX and
 * RELU_GRAD_BIAS_SUM made two: the same products as the first and the same partial sums as the second, so the
 * numbers do not change. wasm only (SIMD, in parts on the kernel pool).
 */
import { backend, getKernel, util } from '@tensorflow/tfjs';
import type { KernelBackend, KernelFunc, NamedTensorInfoMap } from '@tensorflow/tfjs';
import { fusedSimdFor } from '../simd/fused-simd';
import { channelSums, CHANNEL_KERNEL_MIN_ELEMENTS, combineParts, FOLD, reductionScratch } from './channel-reduce';
import { requireInput } from './kernel-calls';
import { RELU_GRAD_BIAS_SUM } from './relu-bias-grad';
import { splitLoop } from './split-loop';
import { chunkLength, fillPattern, WasmHeap } from './wasm-heap';

export const BATCH_NORM_DX_RELU = 'XrayLabBatchNormDxRelu';

/**
 * True when BATCH_NORM_DX_RELU runs here and gives the very numbers of BATCH_NORM_DX then RELU_GRAD_BIAS_SUM: wasm
 * with SIMD, both kernels registered, and at least as many elements as RELU_GRAD_BIAS_SUM is used for (below, the
 * conv takes tfjs's Sum).
 */
export function batchNormDxReluApplies(x: { size: number }, backendName: string): boolean {
  if (backendName !== 'wasm' || x.size < CHANNEL_KERNEL_MIN_ELEMENTS) return false;
  if (getKernel(BATCH_NORM_DX_RELU, backendName) == null || getKernel(RELU_GRAD_BIAS_SUM, backendName) == null)
    return false;
  const heap = WasmHeap.of(backend());
  return heap != null && heap.simd() != null && fusedSimdFor(heap.memory) != null;
}

/** Kernel function of BATCH_NORM_DX_RELU (inputs dy, x [.., C]; a, b, c [C]; outputs dx and Σdx [C]). */
export function makeBatchNormDxReluKernel(): KernelFunc {
  return (args) => {
    const inputs = args.inputs as NamedTensorInfoMap;
    const [dy, x, a, b, c] = ['dy', 'x', 'a', 'b', 'c'].map((k) => requireInput(inputs, k));
    const n = util.sizeFromShape(x.shape);
    const channels = x.shape[x.shape.length - 1];
    const heap = WasmHeap.of(args.backend as KernelBackend);
    if (heap == null || heap.simd() == null || fusedSimdFor(heap.memory) == null) {
      throw new Error(`${BATCH_NORM_DX_RELU} needs the wasm backend with SIMD`);
    }
    const dx = heap.output(x.shape);
    const sumsOut = heap.output([channels]);
    const length = chunkLength(channels);
    const chunks = Math.floor(n / length);
    let sums: Float64Array;
    try {
      const [p1, p2, p3] = [0, 0, 0].map(() => heap.alloc(length * 4));
      const {
        parts: [part],
        tots: [tot],
      } = reductionScratch(heap, 1, length, chunks);
      [a, b, c].forEach((t, k) => fillPattern(heap.f32([p1, p2, p3][k], length), heap.f32(heap.ptr(t), channels)));
      const L4 = length * 4;
      const parts = splitLoop(heap, {
        name: 'affineReluGradSum',
        args: [heap.ptr(dy), heap.ptr(x), p1, p2, p3, heap.ptr(dx), part, tot, chunks, L4, FOLD],
        countAt: 8,
        countPerUnit: 1,
        units: chunks,
        floatsPerUnit: length,
        advance: [L4, L4, 0, 0, 0, L4, 0, 0, 0, 0, 0],
        perPart: [0, 0, 0, 0, 0, 0, L4, length * 8, 0, 0, 0],
        binder: fusedSimdFor,
      });
      // The tail past the last whole chunk, as BATCH_NORM_DX and RELU_GRAD_BIAS_SUM compute it.
      const start = chunks * length;
      const [d, v, o] = [dy, x, dx].map((t) => heap.f32(heap.ptr(t), n));
      const [ka, kb, kc] = [a, b, c].map((t) => heap.f32(heap.ptr(t), channels));
      for (let i = start; i < n; i++) {
        const ch = i % channels;
        o[i] = d[i] * ka[ch] + v[i] * kb[ch] + kc[ch];
        if (!(v[i] > 0)) o[i] = 0;
      }
      sums = channelSums(combineParts(heap, tot, parts, length), o.subarray(start), channels);
    } catch (err) {
      heap.discard(dx);
      heap.discard(sumsOut);
      throw err;
    } finally {
      heap.release();
    }
    heap.f32(heap.ptr(sumsOut), channels).set(sums);
    return [dx, sumsOut];
  };
}
