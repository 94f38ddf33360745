/**
 * BATCH_MOMENTS: BatchNormalization's batch mean and variance per channel (NHWC, every axis but the last) in two
 * read-only passes — Σx, then Σ(x − mean)² — where tfjs's moments run Mean, Sub, Square and Mean: four passes, two of
 * them writing a full-size intermediate. The arithmetic is the same as those kernels' on wasm (the mean as Σx·(C/n)
 * in float32; each (x − mean)² in float32, summed in float32 partials folded into float64 totals, split into the
 * same parts), so the statistics come out the same. cpu: plain loops in float64. On wasm, the output of the direct
 * ReLU convolution comes with its moments already summed (known-moments.ts): no pass at all (E[y²] − E[y]², kept
 * only where a channel's mean² is at most 16× its variance, so within ~3e-7 of the two passes, not equal to them).
 */
import { getKernel, util } from '@tensorflow/tfjs';
import type { KernelBackend, KernelFunc, NamedTensorInfoMap } from '@tensorflow/tfjs';
import { CHANNEL_KERNEL_MIN_ELEMENTS, channelSums, combineParts, FOLD, reductionScratch } from './channel-reduce';
import { requireInput } from './kernel-calls';
import { recalledMoments } from './known-moments';
import { fusedSimdFor } from '../simd/fused-simd';
import { splitLoop } from './split-loop';
import { chunkLength, fillPattern, WasmHeap } from './wasm-heap';
import { cpuInternals } from '../backend-internals';

export const BATCH_MOMENTS = 'XrayLabBatchMoments';

/**
 * True where BATCH_MOMENTS gives exactly tfjs's moments on the current backend: wasm with the kernel registered and
 * at least as many elements as the per-channel kernels (Mean, Sub) take over from the stock ones.
 */
export function batchMomentsApplies(x: { shape: number[]; dtype: string }, backendName: string): boolean {
  return (
    backendName === 'wasm' &&
    x.dtype === 'float32' &&
    util.sizeFromShape(x.shape) >= CHANNEL_KERNEL_MIN_ELEMENTS &&
    getKernel(BATCH_MOMENTS, backendName) != null
  );
}

/** Mean and variance by plain loops (float64 sums). */
function scalarMoments(x: ArrayLike<number>, channels: number): [Float32Array, Float32Array] {
  const sums = new Float64Array(channels);
  for (let i = 0; i < x.length; i++) sums[i % channels] += x[i];
  const mean = Float32Array.from(sums, (s) => (s * channels) / x.length);
  const sq = new Float64Array(channels);
  for (let i = 0; i < x.length; i++) {
    const d = Math.fround(x[i] - mean[i % channels]);
    sq[i % channels] += Math.fround(d * d);
  }
  return [mean, Float32Array.from(sq, (s) => (s * channels) / x.length)];
}

/** One SIMD reduction (`sum` or `sqDevSum`) over whole chunks; per-position float64 totals. */
function reduce(
  heap: WasmHeap,
  name: 'sum' | 'sqDevSum',
  x: number,
  pattern: number,
  chunks: number,
  length: number,
): Float64Array {
  const {
    parts: [part],
    tots: [tot],
  } = reductionScratch(heap, 1, length, chunks);
  const L4 = length * 4;
  const args = name === 'sum' ? [x, part, tot, chunks, L4, FOLD] : [x, pattern, part, tot, chunks, L4, FOLD];
  const countAt = name === 'sum' ? 3 : 4;
  const advance = args.map((_, i) => (i === 0 ? L4 : 0));
  // Every part has its own partials (L float32) and totals (L float64).
  const perPart = args.map((_, i) => (i === countAt - 2 ? L4 : i === countAt - 1 ? length * 8 : 0));
  const binder = name === 'sum' ? undefined : fusedSimdFor;
  const parts = splitLoop(heap, {
    name,
    args,
    countAt,
    countPerUnit: 1,
    units: chunks,
    floatsPerUnit: length,
    advance,
    perPart,
    binder,
  });
  return combineParts(heap, tot, parts, length);
}

/** Kernel function of BATCH_MOMENTS (input x, float32, rank ≥ 2; outputs mean and variance, [C] each). */
export function makeBatchMomentsKernel(backendName: string): KernelFunc {
  return (args) => {
    const x = requireInput(args.inputs as NamedTensorInfoMap, 'x');
    const channels = x.shape[x.shape.length - 1];
    const n = util.sizeFromShape(x.shape);
    if (backendName === 'cpu') {
      const cpu = cpuInternals(args.backend);
      return scalarMoments(cpu.readSync(x.dataId) as Float32Array, channels).map((v) =>
        cpu.makeTensorInfo([channels], 'float32', v),
      );
    }
    const heap = WasmHeap.of(args.backend as KernelBackend);
    if (heap == null) throw new Error(`${BATCH_MOMENTS} supports the wasm and cpu backends`);
    const outs = [heap.output([channels]), heap.output([channels])];
    // The direct ReLU convolution that made x summed it already (known-moments.ts).
    const recalled = recalledMoments(x.dataId, channels);
    if (recalled != null) {
      heap.f32(heap.ptr(outs[0]), channels).set(recalled.mean);
      heap.f32(heap.ptr(outs[1]), channels).set(recalled.variance);
      return outs;
    }
    const length = chunkLength(channels);
    const chunks = heap.simd() == null || fusedSimdFor(heap.memory) == null ? 0 : Math.floor(n / length);
    let moments: [Float32Array, Float32Array];
    if (chunks === 0) {
      moments = scalarMoments(heap.f32(heap.ptr(x), n), channels);
    } else {
      try {
        const start = chunks * length;
        const scale = channels / n;
        const pattern = heap.alloc(length * 4);
        const sums = reduce(heap, 'sum', heap.ptr(x), pattern, chunks, length);
        const mean = Float32Array.from(
          channelSums(sums, heap.f32(heap.ptr(x) + start * 4, n - start), channels),
          (s) => s * scale,
        );
        fillPattern(heap.f32(pattern, length), mean);
        const sq = reduce(heap, 'sqDevSum', heap.ptr(x), pattern, chunks, length);
        const tail = heap.f32(heap.ptr(x) + start * 4, n - start);
        const devs = Float32Array.from(tail, (v, i) => {
          const d = Math.fround(v - mean[i % channels]);
          return d * d;
        });
        moments = [mean, Float32Array.from(channelSums(sq, devs, channels), (s) => s * scale)];
      } finally {
        heap.release();
      }
    }
    outs.forEach((out, k) => heap.f32(heap.ptr(out), channels).set(moments[k]));
    return outs;
  };
}
