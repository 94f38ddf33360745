/**
 * ADAM_STEP: the Adam update of every variable of a model in one kernel call. tfjs's AdamOptimizer runs fourteen
 * element-wise kernels per variable (about 800 calls per light-k5 step, most on tensors of a few hundred floats, so
 * their cost is per-call overhead); this is one call per step, bit-identical to them (simd/adam-simd.ts).
 *
 * Inputs `x<i>` and `g<i>` (variable and gradient, float32, same size) for i < count, except that a variable listed
 * in `skip` has no gradient and is left as it is (as tfjs does); `m` and `v`, both moments of every variable end
 * to end in variable order; the scalars `accBeta1`, `accBeta2` (β1ᵗ, β2ᵗ). Outputs, in order: x'ᵢ for every i,
 * then m', v', β1ᵗ⁺¹ and β2ᵗ⁺¹. SIMD on wasm; float32 step-by-step JavaScript on cpu and for each tail.
 */
import { util } from '@tensorflow/tfjs';
import type { KernelBackend, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { adamFor, adamScalar, type AdamConstants } from '../simd/adam-simd';
import { requireInput } from './kernel-calls';
import { WasmHeap } from './wasm-heap';
import { cpuInternals, type CpuBackendInternals } from '../backend-internals';

export const ADAM_STEP = 'XrayLabAdamStep';

/** Hyperparameters as tfjs's AdamOptimizer holds them (plain numbers), and the variables without a gradient. */
export interface AdamStepAttrs {
  count: number;
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  skip: number[];
}

/** The float32 constants of one step, rounded as tfjs's scalar tensors round them. */
export function adamConstants(a: AdamStepAttrs, accBeta1: number, accBeta2: number): AdamConstants {
  const f = Math.fround;
  return {
    beta1: f(a.beta1),
    oneMinusBeta1: f(1 - a.beta1),
    beta2: f(a.beta2),
    oneMinusBeta2: f(1 - a.beta2),
    oneMinusAccBeta1: f(1 - accBeta1),
    oneMinusAccBeta2: f(1 - accBeta2),
    epsilon: f(a.epsilon),
    negLearningRate: f(-a.learningRate),
  };
}

/** One variable's part of the update: its tensors and where its moments start in m and v. */
interface Part {
  x: TensorInfo;
  g: TensorInfo | null;
  offset: number;
  size: number;
}

/** The variables, checked against the moments' length. */
function parts(inputs: NamedTensorInfoMap, a: AdamStepAttrs): { parts: Part[]; m: TensorInfo; v: TensorInfo } {
  const skip = new Set(a.skip);
  let offset = 0;
  const list = Array.from({ length: a.count }, (_, i): Part => {
    const x = requireInput(inputs, `x${i}`);
    const g = skip.has(i) ? null : requireInput(inputs, `g${i}`);
    const size = util.sizeFromShape(x.shape);
    if (x.dtype !== 'float32' || (g != null && (g.dtype !== 'float32' || util.sizeFromShape(g.shape) !== size))) {
      throw new Error(`${ADAM_STEP}: variable ${i} and its gradient must be float32 of one size`);
    }
    const part = { x, g, offset, size };
    offset += size;
    return part;
  });
  const [m, v] = [requireInput(inputs, 'm'), requireInput(inputs, 'v')];
  if (util.sizeFromShape(m.shape) !== offset || util.sizeFromShape(v.shape) !== offset) {
    throw new Error(`${ADAM_STEP}: the moments hold ${util.sizeFromShape(m.shape)} values for ${offset} weights`);
  }
  return { parts: list, m, v };
}

function cpuStep(cpu: CpuBackendInternals, inputs: NamedTensorInfoMap, a: AdamStepAttrs): TensorInfo[] {
  const read = (t: TensorInfo) => cpu.readSync(t.dataId) as Float32Array;
  const { parts: list, m, v } = parts(inputs, a);
  const acc = [requireInput(inputs, 'accBeta1'), requireInput(inputs, 'accBeta2')].map((t) => read(t)[0]);
  const k = adamConstants(a, acc[0], acc[1]);
  const [m0, v0] = [read(m), read(v)];
  const [m1, v1] = [m0.slice(), v0.slice()];
  const xs = list.map(({ x, g, offset, size }) => {
    const x0 = read(x);
    const x1 = x0.slice();
    if (g != null) {
      const g0 = read(g);
      for (let j = 0; j < size; j++) {
        [x1[j], m1[offset + j], v1[offset + j]] = adamScalar(k, x0[j], g0[j], m0[offset + j], v0[offset + j]);
      }
    }
    return cpu.makeTensorInfo(x.shape, 'float32', x1);
  });
  const f = Math.fround;
  return [
    ...xs,
    cpu.makeTensorInfo(m.shape, 'float32', m1),
    cpu.makeTensorInfo(v.shape, 'float32', v1),
    cpu.makeTensorInfo([], 'float32', Float32Array.of(f(acc[0] * k.beta1))),
    cpu.makeTensorInfo([], 'float32', Float32Array.of(f(acc[1] * k.beta2))),
  ];
}

function wasmStep(heap: WasmHeap, inputs: NamedTensorInfoMap, a: AdamStepAttrs): TensorInfo[] {
  const { parts: list, m, v } = parts(inputs, a);
  const accIn = [requireInput(inputs, 'accBeta1'), requireInput(inputs, 'accBeta2')];
  // Every output first: an allocation may grow the memory and detach views taken before it.
  const xOut = list.map(({ x }) => heap.output(x.shape));
  const [mOut, vOut] = [heap.output(m.shape), heap.output(v.shape)];
  const accOut = [heap.output([]), heap.output([])];
  const acc = accIn.map((t) => heap.f32(heap.ptr(t), 1)[0]);
  const k = adamConstants(a, acc[0], acc[1]);
  const run = adamFor(heap.memory);
  const total = util.sizeFromShape(m.shape);
  // A variable without a gradient keeps its values and moments: copy everything, then update the rest.
  heap.f32(heap.ptr(mOut), total).set(heap.f32(heap.ptr(m), total));
  heap.f32(heap.ptr(vOut), total).set(heap.f32(heap.ptr(v), total));
  list.forEach(({ x, g, offset, size }, i) => {
    const [px, po] = [heap.ptr(x), heap.ptr(xOut[i])];
    if (g == null) {
      heap.f32(po, size).set(heap.f32(px, size));
      return;
    }
    const [pg, pm, pv, om, ov] = [
      heap.ptr(g),
      heap.ptr(m) + 4 * offset,
      heap.ptr(v) + 4 * offset,
      heap.ptr(mOut) + 4 * offset,
      heap.ptr(vOut) + 4 * offset,
    ];
    const whole = run == null ? 0 : size - (size % 4);
    run?.(
      px,
      pg,
      pm,
      pv,
      po,
      om,
      ov,
      whole * 4,
      k.beta1,
      k.oneMinusBeta1,
      k.beta2,
      k.oneMinusBeta2,
      k.oneMinusAccBeta1,
      k.oneMinusAccBeta2,
      k.epsilon,
      k.negLearningRate,
    );
    if (whole < size) {
      const [x0, g0, m0, v0, x1, m1, v1] = [px, pg, pm, pv, po, om, ov].map((p) => heap.f32(p, size));
      for (let j = whole; j < size; j++) [x1[j], m1[j], v1[j]] = adamScalar(k, x0[j], g0[j], m0[j], v0[j]);
    }
  });
  heap.f32(heap.ptr(accOut[0]), 1)[0] = acc[0] * k.beta1;
  heap.f32(heap.ptr(accOut[1]), 1)[0] = acc[1] * k.beta2;
  return [...xOut, mOut, vOut, ...accOut];
}

/** Kernel function of ADAM_STEP for the wasm or cpu backend. */
export function makeAdamStepKernel(backendName: string): KernelFunc {
  return (args) => {
    const inputs = args.inputs as NamedTensorInfoMap;
    const attrs = args.attrs as unknown as AdamStepAttrs;
    if (backendName === 'cpu') return cpuStep(cpuInternals(args.backend), inputs, attrs);
    const heap = WasmHeap.of(args.backend as KernelBackend);
    if (heap == null) throw new Error(`${ADAM_STEP} supports the wasm and cpu backends`);
    return wasmStep(heap, inputs, attrs);
  };
}
