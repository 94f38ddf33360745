/**
 * Fast `Add`, `Sub`, `Multiply` and `RealDiv` on wasm for the one broadcast a conv net's training step is full of:
 * a whole activation [..., C] against a per-channel vector ([C] or [1,1,1,C]) or a scalar — bias adds, every
 * BatchNormalization term and its gradient. Stock wasm walks such broadcasts element by element with index
 * arithmetic (~5–10 ms per 4 M elements; same-shape operands take ~1 ms); the SIMD loop here runs at the
 * same-shape speed. Every other case (same shapes, other broadcasts, int32, small tensors) goes to the stock kernel.
 * Also here: RELU_GRAD, ReLU's gradient as one element-wise pass.
 */
import { util } from '@tensorflow/tfjs';
import type { KernelBackend, KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import type { BinaryOpName } from '../simd/channel-simd';
import { requireInput } from './kernel-calls';
import { splitLoop } from './split-loop';
import { chunkLength, fillPattern, WasmHeap } from './wasm-heap';
import { cpuInternals } from '../backend-internals';

export type ChannelBinaryKernel = 'Add' | 'Sub' | 'Multiply' | 'RealDiv';

/** SIMD op when the first input is the full tensor, and when the second one is. */
const OPS: Record<ChannelBinaryKernel, [BinaryOpName, BinaryOpName]> = {
  Add: ['add', 'add'],
  Multiply: ['mul', 'mul'],
  Sub: ['sub', 'rsub'],
  RealDiv: ['div', 'rdiv'],
};

/** The same operations on numbers, for the tail of elements past the last whole chunk. */
const SCALAR: Record<BinaryOpName, (a: number, p: number) => number> = {
  add: (a, p) => a + p,
  mul: (a, p) => a * p,
  sub: (a, p) => a - p,
  rsub: (a, p) => p - a,
  div: (a, p) => a / p,
  rdiv: (a, p) => p / a,
};

/** Below this many elements the stock kernel is fast enough and the pattern set-up is not worth it. */
const MIN_ELEMENTS = 1 << 14;

/** Which input is the full tensor and how many channels the other one holds (1 = a scalar). */
export interface ChannelBroadcast {
  full: 0 | 1;
  channels: number;
}

/**
 * Recognises "full ∘ per-channel" broadcasts: one shape is the output shape, the other has only ones except, at
 * most, a last axis equal to the full tensor's last axis. Null for anything else, same shapes included.
 */
export function planChannelBroadcast(a: readonly number[], b: readonly number[]): ChannelBroadcast | null {
  for (const full of [0, 1] as const) {
    const [big, small] = full === 0 ? [a, b] : [b, a];
    if (small.length > big.length || big.length === 0) continue;
    const channels = big[big.length - 1];
    const smallSize = util.sizeFromShape(small as number[]);
    const leadingOnes = small.slice(0, -1).every((d) => d === 1);
    if (smallSize === 1 && util.sizeFromShape(big as number[]) > 1) return { full, channels: 1 };
    const perChannel = small.length >= 1 && leadingOnes && small[small.length - 1] === channels;
    if (perChannel && big.length > 1 && util.sizeFromShape(big as number[]) > channels) return { full, channels };
  }
  return null;
}

/** Runs `op` with the SIMD loop; the caller checked dtypes and the plan. */
function runChannelBinary(
  heap: WasmHeap,
  full: TensorInfo,
  small: TensorInfo,
  channels: number,
  op: BinaryOpName,
): TensorInfo {
  const n = util.sizeFromShape(full.shape);
  const length = chunkLength(channels);
  const chunks = Math.floor(n / length);
  const out = heap.output(full.shape);
  try {
    const pattern = heap.alloc(length * 4);
    // Views only after the last allocation (an allocation may grow and detach the memory).
    const patternView = heap.f32(pattern, length);
    fillPattern(patternView, heap.f32(heap.ptr(small), channels === 1 ? 1 : channels));
    splitLoop(heap, {
      name: op,
      args: [heap.ptr(full), pattern, heap.ptr(out), chunks, length * 4],
      countAt: 3,
      countPerUnit: 1,
      units: chunks,
      floatsPerUnit: length,
      advance: [length * 4, 0, length * 4, 0, 0],
    });
    const start = chunks * length;
    if (start < n) {
      const src = heap.f32(heap.ptr(full), n);
      const dst = heap.f32(heap.ptr(out), n);
      const f = SCALAR[op];
      for (let i = start; i < n; i++) dst[i] = f(src[i], patternView[i - start]);
    }
    return out;
  } finally {
    heap.release();
  }
}

/** Kernel function for `tf.registerKernel`: the SIMD path where it applies, else the stock kernel. */
export function makeChannelBinaryKernel(kernel: ChannelBinaryKernel) {
  return (backendName: string, stock: () => KernelConfig | undefined): KernelFunc => {
    const fallback: KernelFunc = (args) => {
      const config = stock();
      if (config == null) throw new Error(`No stock ${kernel} kernel on '${backendName}'`);
      return config.kernelFunc(args);
    };
    return (args) => {
      const inputs = args.inputs as NamedTensorInfoMap;
      const a = requireInput(inputs, 'a');
      const b = requireInput(inputs, 'b');
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(args);
      const plan = planChannelBroadcast(a.shape, b.shape);
      const heap = WasmHeap.of(args.backend as KernelBackend);
      if (plan == null || heap == null || heap.simd() == null) return fallback(args);
      const [full, small] = plan.full === 0 ? [a, b] : [b, a];
      if (util.sizeFromShape(full.shape) < MIN_ELEMENTS) return fallback(args);
      return runChannelBinary(heap, full, small, plan.channels, OPS[kernel][plan.full]);
    };
  };
}

/** Name of the kernel that computes ReLU's gradient, dy where x > 0 and 0 elsewhere, in one pass. */
export const RELU_GRAD = 'XrayLabReluGrad';

/**
 * Kernel function of RELU_GRAD (inputs dy, x; float32): SIMD on wasm, a loop on cpu. tfjs's own gradient runs
 * Step, Cast and Multiply (three full-size passes). Unlike it, a NaN input passes 0 back rather than NaN.
 */
export function makeReluGradKernel(backendName: string): KernelFunc {
  return (args) => {
    const inputs = args.inputs as NamedTensorInfoMap;
    const dy = requireInput(inputs, 'dy');
    const x = requireInput(inputs, 'x');
    const n = util.sizeFromShape(x.shape);
    const rule = (d: number, v: number) => (v > 0 ? d : 0);
    if (backendName === 'cpu') {
      const cpu = cpuInternals(args.backend);
      const [d, v] = [dy, x].map((t) => cpu.readSync(t.dataId) as Float32Array);
      return cpu.makeTensorInfo(
        x.shape,
        'float32',
        Float32Array.from(d, (di, i) => rule(di, v[i])),
      );
    }
    const heap = WasmHeap.of(args.backend as KernelBackend);
    if (heap == null) throw new Error(`${RELU_GRAD} supports the wasm and cpu backends`);
    const out = heap.output(x.shape);
    const whole = heap.simd() == null ? 0 : n - (n % 4);
    if (whole > 0) {
      splitLoop(heap, {
        name: 'reluGrad',
        args: [heap.ptr(dy), heap.ptr(x), heap.ptr(out), whole * 4],
        countAt: 3,
        countPerUnit: 16,
        units: whole / 4,
        floatsPerUnit: 4,
        advance: [16, 16, 16, 0],
      });
    }
    const [d, v, o] = [dy, x, out].map((t) => heap.f32(heap.ptr(t), n));
    for (let i = whole; i < n; i++) o[i] = rule(d[i], v[i]);
    return out;
  };
}
