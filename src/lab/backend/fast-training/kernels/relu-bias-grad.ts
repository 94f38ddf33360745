/**
 * RELU_GRAD_BIAS_SUM: the backward pass of a ReLU conv layer's tail in one pass — dz = dy where y > 0 (else 0) and
 * db = Σdz per channel (NHWC, every axis but the last) — instead of a mask pass and a reduction re-reading dz.
 * On wasm: SIMD over tfjs's heap, in parts on the kernel pool (float32 partials folded into float64 totals, the parts
 * added in order, so the same numbers with any thread count). On cpu: a plain loop with float64 sums.
 */
import { util } from '@tensorflow/tfjs';
import type { KernelBackend, KernelConfig, KernelFunc, NamedTensorInfoMap } from '@tensorflow/tfjs';
import { channelSums, combineParts, FOLD, reductionScratch } from './channel-reduce';
import { requireInput } from './kernel-calls';
import { fusedSimdFor } from '../simd/fused-simd';
import { splitLoop } from './split-loop';
import { chunkLength, WasmHeap } from './wasm-heap';
import { cpuInternals } from '../backend-internals';

export const RELU_GRAD_BIAS_SUM = 'XrayLabReluGradBiasSum';

/** dz and Σdz (float64) by plain loops. */
function scalar(
  dy: ArrayLike<number>,
  y: ArrayLike<number>,
  dz: Float32Array,
  channels: number,
  from = 0,
): Float64Array {
  const sums = new Float64Array(channels);
  for (let i = from; i < dz.length; i++) {
    const v = y[i] > 0 ? dy[i] : 0;
    dz[i] = v;
    sums[i % channels] += v;
  }
  return sums;
}

/** Kernel function of RELU_GRAD_BIAS_SUM (inputs dy, x = the ReLU's output; outputs dz and db [C]). */
export function makeReluGradBiasSumKernel(backendName: string): KernelFunc {
  return (args) => {
    const inputs = args.inputs as NamedTensorInfoMap;
    const dy = requireInput(inputs, 'dy');
    const y = requireInput(inputs, 'x');
    const channels = y.shape[y.shape.length - 1];
    const n = util.sizeFromShape(y.shape);
    if (backendName === 'cpu') {
      const cpu = cpuInternals(args.backend);
      const dz = new Float32Array(n);
      const sums = scalar(
        cpu.readSync(dy.dataId) as Float32Array,
        cpu.readSync(y.dataId) as Float32Array,
        dz,
        channels,
      );
      return [
        cpu.makeTensorInfo(y.shape, 'float32', dz),
        cpu.makeTensorInfo([channels], 'float32', Float32Array.from(sums)),
      ];
    }
    const heap = WasmHeap.of(args.backend as KernelBackend);
    if (heap == null) throw new Error(`${RELU_GRAD_BIAS_SUM} supports the wasm and cpu backends`);
    const dz = heap.output(y.shape);
    const db = heap.output([channels]);
    const length = chunkLength(channels);
    const chunks = heap.simd() == null || fusedSimdFor(heap.memory) == null ? 0 : Math.floor(n / length);
    let sums: Float64Array;
    if (chunks === 0) {
      sums = scalar(heap.f32(heap.ptr(dy), n), heap.f32(heap.ptr(y), n), heap.f32(heap.ptr(dz), n), channels);
    } else {
      try {
        const {
          parts: [part],
          tots: [tot],
        } = reductionScratch(heap, 1, length, chunks);
        const L4 = length * 4;
        const parts = splitLoop(heap, {
          name: 'reluGradSum',
          args: [heap.ptr(dy), heap.ptr(y), heap.ptr(dz), part, tot, chunks, L4, FOLD],
          countAt: 5,
          countPerUnit: 1,
          units: chunks,
          floatsPerUnit: length,
          advance: [L4, L4, L4, 0, 0, 0, 0, 0],
          perPart: [0, 0, 0, L4, length * 8, 0, 0, 0],
          binder: fusedSimdFor,
        });
        const start = chunks * length;
        const [d, v, o] = [dy, y, dz].map((t) => heap.f32(heap.ptr(t), n));
        for (let i = start; i < n; i++) o[i] = v[i] > 0 ? d[i] : 0;
        sums = channelSums(combineParts(heap, tot, parts, length), o.subarray(start), channels);
      } finally {
        heap.release();
      }
    }
    heap.f32(heap.ptr(db), channels).set(sums);
    return [dz, db];
  };
}

/** Below this many elements the stock Relu is fast enough. */
const RELU_MIN_ELEMENTS = 1 << 14;

/**
 * Fast `Relu` on wasm: max(x, 0) in SIMD, in parts on the kernel pool. tfjs 4.22's threaded wasm Relu took about
 * ten times as long as the one-pass ReLU gradient on the same activations (bench/train-step-kernels.ts, light-k5).
 * Other dtypes and small tensors go to the stock kernel.
 */
export function makeReluKernel(backendName: string, stock: () => KernelConfig | undefined): KernelFunc {
  return (args) => {
    const x = requireInput(args.inputs as NamedTensorInfoMap, 'x');
    const heap = WasmHeap.of(args.backend as KernelBackend);
    const n = util.sizeFromShape(x.shape);
    if (x.dtype !== 'float32' || n < RELU_MIN_ELEMENTS || heap?.simd() == null || fusedSimdFor(heap.memory) == null) {
      const config = stock();
      if (config == null) throw new Error(`No stock Relu kernel on '${backendName}'`);
      return config.kernelFunc(args);
    }
    const out = heap.output(x.shape);
    const whole = n - (n % 4);
    splitLoop(heap, {
      name: 'relu',
      args: [heap.ptr(x), heap.ptr(out), whole * 4],
      countAt: 2,
      countPerUnit: 16,
      units: whole / 4,
      floatsPerUnit: 4,
      advance: [16, 16, 0],
      binder: fusedSimdFor,
    });
    const [src, dst] = [x, out].map((t) => heap.f32(heap.ptr(t), n));
    for (let i = whole; i < n; i++) dst[i] = src[i] > 0 || Number.isNaN(src[i]) ? src[i] : 0;
    return out;
  };
}
