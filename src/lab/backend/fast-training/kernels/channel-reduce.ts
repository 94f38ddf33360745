/**
 * Per-channel reductions of NHWC activations: `Sum` and `Mean` over every axis but the last (bias gradients,
 * BatchNormalization's moments and gradient), and the two sums the fused BatchNormalization gradient needs.
 *
 * Stock wasm transposes the reduced axes to the end before summing, a full copy with slow index arithmetic; here one
 * SIMD pass accumulates each channel (float32 partials folded into float64 totals every FOLD chunks).
 */
import { util } from '@tensorflow/tfjs';
import type {
  KernelBackend,
  KernelConfig,
  KernelFunc,
  NamedTensorInfoMap,
  SumAttrs,
  TensorInfo,
} from '@tensorflow/tfjs';
import { requireInput } from './kernel-calls';
import { partsFor, splitLoop } from './split-loop';
import { chunkLength, fillPattern, WasmHeap } from './wasm-heap';
import { cpuInternals } from '../backend-internals';

/** Chunks summed in float32 before folding into float64 (64 values per lane: error far below 1e-6). */
export const FOLD = 64;
const MIN_ELEMENTS = 1 << 14;
/** Below this many elements Sum/Mean (and the broadcast kernels) defer to the stock kernels. */
export const CHANNEL_KERNEL_MIN_ELEMENTS = MIN_ELEMENTS;

/** Channels C when `axis` names exactly every axis but the last of `shape`; otherwise null. */
export function leadingAxesChannels(shape: readonly number[], axis: number | number[]): number | null {
  const rank = shape.length;
  if (rank < 2) return null;
  const axes = [...new Set(util.parseAxisParam(axis, shape as number[]))].sort((p, q) => p - q);
  const leading = axes.length === rank - 1 && axes.every((a, i) => a === i);
  return leading ? shape[rank - 1] : null;
}

/** Folds per-position totals (length L) and the tail past the last whole chunk into per-channel sums. */
export function channelSums(
  totals: Float64Array,
  tail: Float32Array,
  channels: number,
  weight?: (i: number) => number,
): Float64Array {
  const sums = new Float64Array(channels);
  for (let j = 0; j < totals.length; j++) sums[j % channels] += totals[j];
  for (let i = 0; i < tail.length; i++) sums[i % channels] += weight ? weight(i) : tail[i];
  return sums;
}

/** Scratch of a split reduction: per part, `k` float32 partials and `k` float64 totals of L positions, zeroed. */
export function reductionScratch(
  heap: WasmHeap,
  k: number,
  length: number,
  units: number,
): { parts: number[]; tots: number[] } {
  const n = partsFor(units, length);
  const parts = Array.from({ length: k }, () => heap.alloc(n * length * 4));
  const tots = Array.from({ length: k }, () => heap.alloc(n * length * 8));
  for (const p of parts) heap.f32(p, n * length).fill(0);
  for (const t of tots) heap.f64(t, n * length).fill(0);
  return { parts, tots };
}

/** The parts' float64 totals added in part order: one L-long vector. */
export function combineParts(heap: WasmHeap, tot: number, parts: number, length: number): Float64Array {
  const all = heap.f64(tot, parts * length);
  const sum = all.slice(0, length);
  for (let p = 1; p < parts; p++) for (let j = 0; j < length; j++) sum[j] += all[p * length + j];
  return sum;
}

/** Σ over leading axes of float32 `x` (SIMD, in parts on the kernel pool; the caller checked it applies). */
function sumLeading(heap: WasmHeap, x: TensorInfo, channels: number): Float64Array {
  const n = util.sizeFromShape(x.shape);
  const length = chunkLength(channels);
  const chunks = Math.floor(n / length);
  try {
    const {
      parts: [part],
      tots: [tot],
    } = reductionScratch(heap, 1, length, chunks);
    const parts = splitLoop(heap, {
      name: 'sum',
      args: [heap.ptr(x), part, tot, chunks, length * 4, FOLD],
      countAt: 3,
      countPerUnit: 1,
      units: chunks,
      floatsPerUnit: length,
      advance: [length * 4, 0, 0, 0, 0, 0],
      perPart: [0, length * 4, length * 8, 0, 0, 0],
    });
    const tail = heap.f32(heap.ptr(x) + chunks * length * 4, n - chunks * length);
    return channelSums(combineParts(heap, tot, parts, length), tail, channels);
  } finally {
    heap.release();
  }
}

/** Kernel function for `Sum` (mean = false) or `Mean` (mean = true) over the leading axes; else stock. */
export function makeLeadingReduceKernel(mean: boolean) {
  return (backendName: string, stock: () => KernelConfig | undefined): KernelFunc =>
    (args) => {
      const x = requireInput(args.inputs as NamedTensorInfoMap, 'x');
      const { axis, keepDims } = args.attrs as unknown as SumAttrs;
      const channels = leadingAxesChannels(x.shape, axis);
      const heap = WasmHeap.of(args.backend as KernelBackend);
      const n = util.sizeFromShape(x.shape);
      if (channels == null || x.dtype !== 'float32' || n < MIN_ELEMENTS || heap?.simd() == null) {
        const config = stock();
        if (config == null) throw new Error(`No stock ${mean ? 'Mean' : 'Sum'} kernel on '${backendName}'`);
        return config.kernelFunc(args);
      }
      const outShape = keepDims ? [...x.shape.slice(0, -1).map(() => 1), channels] : [channels];
      const out = heap.output(outShape);
      const sums = sumLeading(heap, x, channels);
      const scale = mean ? channels / n : 1;
      const view = heap.f32(heap.ptr(out), channels);
      for (let c = 0; c < channels; c++) view[c] = sums[c] * scale;
      return out;
    };
}

/** Name of the kernel that computes Σdy and Σdy·(x − mean) per channel, in one pass over x and dy. */
export const BATCH_NORM_GRAD_SUMS = 'XrayLabBatchNormGradSums';

/** Plain loops (cpu backend, or wasm without SIMD): the same two sums in float64. */
function gradSumsScalar(x: ArrayLike<number>, dy: ArrayLike<number>, mean: ArrayLike<number>, channels: number) {
  const sumDy = new Float64Array(channels);
  const sumDyXmu = new Float64Array(channels);
  for (let i = 0; i < x.length; i++) {
    const c = i % channels;
    sumDy[c] += dy[i];
    sumDyXmu[c] += dy[i] * (x[i] - mean[c]);
  }
  return [sumDy, sumDyXmu];
}

/** Kernel function of BATCH_NORM_GRAD_SUMS (inputs x, dy, mean [C]; outputs two [C] tensors). */
export function makeBatchNormGradSumsKernel(backendName: string): KernelFunc {
  return (args) => {
    const inputs = args.inputs as NamedTensorInfoMap;
    const [x, dy, mean] = ['x', 'dy', 'mean'].map((name) => requireInput(inputs, name));
    const channels = x.shape[x.shape.length - 1];
    if (backendName === 'cpu') {
      const cpu = cpuInternals(args.backend);
      const read = (t: TensorInfo) => cpu.readSync(t.dataId) as Float32Array;
      return gradSumsScalar(read(x), read(dy), read(mean), channels).map((s) =>
        cpu.makeTensorInfo([channels], 'float32', Float32Array.from(s)),
      );
    }
    const heap = WasmHeap.of(args.backend as KernelBackend);
    if (heap == null) throw new Error(`${BATCH_NORM_GRAD_SUMS} supports the wasm and cpu backends`);
    const outs = [heap.output([channels]), heap.output([channels])];
    const n = util.sizeFromShape(x.shape);
    const simd = heap.simd();
    let sums: Float64Array[];
    if (simd == null) {
      sums = gradSumsScalar(
        heap.f32(heap.ptr(x), n),
        heap.f32(heap.ptr(dy), n),
        heap.f32(heap.ptr(mean), channels),
        channels,
      );
    } else {
      const length = chunkLength(channels);
      const chunks = Math.floor(n / length);
      try {
        const p = heap.alloc(length * 4);
        const {
          parts: [part1, part2],
          tots: [tot1, tot2],
        } = reductionScratch(heap, 2, length, chunks);
        const meanView = heap.f32(heap.ptr(mean), channels);
        fillPattern(heap.f32(p, length), meanView);
        const L4 = length * 4;
        const L8 = length * 8;
        const parts = splitLoop(heap, {
          name: 'dualSum',
          args: [heap.ptr(x), heap.ptr(dy), p, part1, part2, tot1, tot2, chunks, L4, FOLD],
          countAt: 7,
          countPerUnit: 1,
          units: chunks,
          floatsPerUnit: length,
          advance: [L4, L4, 0, 0, 0, 0, 0, 0, 0, 0],
          perPart: [0, 0, 0, L4, L4, L8, L8, 0, 0, 0],
        });
        const start = chunks * length;
        const tailX = heap.f32(heap.ptr(x) + start * 4, n - start);
        const tailDy = heap.f32(heap.ptr(dy) + start * 4, n - start);
        sums = [
          channelSums(combineParts(heap, tot1, parts, length), tailDy, channels),
          channelSums(
            combineParts(heap, tot2, parts, length),
            tailDy,
            channels,
            (i) => tailDy[i] * (tailX[i] - meanView[i % channels]),
          ),
        ];
      } finally {
        heap.release();
      }
    }
    outs.forEach((out, k) => heap.f32(heap.ptr(out), channels).set(sums[k]));
    return outs;
  };
}
