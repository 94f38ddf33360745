/**
 * A `FusedBatchNorm` forward kernel for wasm: y = (x − mean)·scale/√(var + ε) + offset per channel in one SIMD pass
 * over the activation (stock wasm takes ~20 ms for a 32×128×128×8 activation). Its gradient is in
 * training-gradients.ts; BATCH_NORM_DX below is the training layer's input gradient (layers/training-batch-norm.ts).
 */
import { util } from '@tensorflow/tfjs';
import type {
  FusedBatchNormAttrs,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs';
import { requireInput } from './kernel-calls';
import { splitLoop } from './split-loop';
import { chunkLength, fillPattern, WasmHeap } from './wasm-heap';
import { cpuInternals } from '../backend-internals';

const MIN_ELEMENTS = 1 << 14;

/** Kernel function for `FusedBatchNorm` on wasm: SIMD where every per-channel input has C (or 1) values. */
export function makeBatchNormKernel(backendName: string, stock: () => KernelConfig | undefined): KernelFunc {
  return (args) => {
    const inputs = args.inputs as NamedTensorInfoMap;
    const { x, mean, variance, offset, scale } = inputs;
    const { varianceEpsilon } = args.attrs as unknown as FusedBatchNormAttrs;
    const heap = WasmHeap.of(args.backend as KernelBackend);
    const channels = x == null || x.shape.length === 0 ? 0 : x.shape[x.shape.length - 1];
    const perChannel = [mean, variance, offset, scale].every((t) => {
      if (t == null) return true;
      const size = util.sizeFromShape(t.shape);
      return t.dtype === 'float32' && (size === channels || size === 1);
    });
    const n = x == null ? 0 : util.sizeFromShape(x.shape);
    if (
      x == null ||
      mean == null ||
      variance == null ||
      x.dtype !== 'float32' ||
      !perChannel ||
      n < MIN_ELEMENTS ||
      heap?.simd() == null
    ) {
      const config = stock();
      if (config == null) throw new Error(`No stock FusedBatchNorm kernel on '${backendName}'`);
      return config.kernelFunc(args);
    }
    const length = chunkLength(channels);
    const chunks = Math.floor(n / length);
    const out = heap.output(x.shape);
    try {
      const [p1, p2, p3] = [0, 0, 0].map(() => heap.alloc(length * 4));
      const read = (t: TensorInfo | undefined, fallback: number): ArrayLike<number> =>
        t == null ? [fallback] : heap.f32(heap.ptr(t), util.sizeFromShape(t.shape));
      const at = (v: ArrayLike<number>, c: number) => v[v.length === 1 ? 0 : c];
      const [m, v, o, s] = [read(mean, 0), read(variance, 1), read(offset, 0), read(scale, 1)];
      const gain = Float32Array.from({ length: channels }, (_, c) => at(s, c) / Math.sqrt(at(v, c) + varianceEpsilon));
      const views = [p1, p2, p3].map((p) => heap.f32(p, length));
      fillPattern(
        views[0],
        Float32Array.from({ length: channels }, (_, c) => at(m, c)),
      );
      fillPattern(views[1], gain);
      fillPattern(
        views[2],
        Float32Array.from({ length: channels }, (_, c) => at(o, c)),
      );
      splitLoop(heap, {
        name: 'affine',
        args: [heap.ptr(x), p1, p2, p3, heap.ptr(out), chunks, length * 4],
        countAt: 5,
        countPerUnit: 1,
        units: chunks,
        floatsPerUnit: length,
        advance: [length * 4, 0, 0, 0, length * 4, 0, 0],
      });
      const start = chunks * length;
      const src = heap.f32(heap.ptr(x), n);
      const dst = heap.f32(heap.ptr(out), n);
      for (let i = start; i < n; i++) {
        const j = i - start;
        dst[i] = (src[i] - views[0][j]) * views[1][j] + views[2][j];
      }
      return out;
    } finally {
      heap.release();
    }
  };
}

/**
 * Name of the kernel that computes BatchNormalization's input gradient in one pass: out = dy·a + x·b + c, with a,
 * b, c per channel (layers/training-batch-norm.ts works them out from the two gradient sums).
 */
export const BATCH_NORM_DX = 'XrayLabBatchNormDx';

/** Kernel function of BATCH_NORM_DX (inputs dy, x [.., C]; a, b, c [C]; float32): SIMD on wasm, a loop on cpu. */
export function makeBatchNormDxKernel(backendName: string): KernelFunc {
  return (args) => {
    const inputs = args.inputs as NamedTensorInfoMap;
    const [dy, x, a, b, c] = ['dy', 'x', 'a', 'b', 'c'].map((k) => requireInput(inputs, k));
    const n = util.sizeFromShape(x.shape);
    const channels = x.shape[x.shape.length - 1];
    const rule = (
      d: ArrayLike<number>,
      v: ArrayLike<number>,
      ka: ArrayLike<number>,
      kb: ArrayLike<number>,
      kc: ArrayLike<number>,
      out: Float32Array,
      from: number,
      patternStart: number,
    ) => {
      for (let i = from; i < n; i++) {
        const ch = (i - patternStart) % channels;
        out[i] = d[i] * ka[ch] + v[i] * kb[ch] + kc[ch];
      }
    };
    if (backendName === 'cpu') {
      const cpu = cpuInternals(args.backend);
      const [d, v, ka, kb, kc] = [dy, x, a, b, c].map((t) => cpu.readSync(t.dataId) as Float32Array);
      const out = new Float32Array(n);
      rule(d, v, ka, kb, kc, out, 0, 0);
      return cpu.makeTensorInfo(x.shape, 'float32', out);
    }
    const heap = WasmHeap.of(args.backend as KernelBackend);
    if (heap == null) throw new Error(`${BATCH_NORM_DX} supports the wasm and cpu backends`);
    const out = heap.output(x.shape);
    const simd = heap.simd();
    const length = chunkLength(channels);
    const chunks = simd == null ? 0 : Math.floor(n / length);
    try {
      const [p1, p2, p3] = [0, 0, 0].map(() => heap.alloc(length * 4));
      [a, b, c].forEach((t, k) => fillPattern(heap.f32([p1, p2, p3][k], length), heap.f32(heap.ptr(t), channels)));
      if (chunks > 0) {
        const L4 = length * 4;
        splitLoop(heap, {
          name: 'affine2',
          args: [heap.ptr(dy), heap.ptr(x), p1, p2, p3, heap.ptr(out), chunks, L4],
          countAt: 6,
          countPerUnit: 1,
          units: chunks,
          floatsPerUnit: length,
          advance: [L4, L4, 0, 0, 0, L4, 0, 0],
        });
      }
      const [d, v, o] = [dy, x, out].map((t) => heap.f32(heap.ptr(t), n));
      const [ka, kb, kc] = [a, b, c].map((t) => heap.f32(heap.ptr(t), channels));
      // The tail past the last whole chunk, with the per-channel values (a chunk length is a multiple of C).
      rule(d, v, ka, kb, kc, o, chunks * length, 0);
      return out;
    } finally {
      heap.release();
    }
  };
}
