/**
 * ADAM_STEP: the Adam update of every variable of a model in one kernel call. tfjs's AdamOptimizer runs fourteen
 * element-wise kernels per variable (about 800 calls per light-k5 step, most on tensors of a few hundred floats, so
 * their cost is per-call overhead); this is one call per step, bit-identical to them (simd/adam-simd.ts).
 *
 * Inputs `x<i>`, `g<i>`, `m<i>`, `v<i>` (variable, gradient, first and second moment; float32, same shape) for
 * i < count, and the scalars `accBeta1`, `accBeta2` (β1ᵗ, β2ᵗ). Outputs, in order: x'ᵢ, m'ᵢ, v'ᵢ for every i, then
 * β1ᵗ⁺¹ and β2ᵗ⁺¹. SIMD on wasm; float32 step-by-step JavaScript on cpu and for the tail of each variable.
 */
import { util } from '@tensorflow/tfjs';
import type { KernelBackend, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { adamFor, adamScalar, type AdamConstants } from '../simd/adam-simd';
import { requireInput } from './kernel-calls';
import { WasmHeap } from './wasm-heap';

export const ADAM_STEP = 'XrayLabAdamStep';

/** Hyperparameters as tfjs's AdamOptimizer holds them (plain numbers). */
export interface AdamStepAttrs {
  count: number;
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
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

/** The inputs of variable i, checked. */
function operands(inputs: NamedTensorInfoMap, i: number): TensorInfo[] {
  const ts = ['x', 'g', 'm', 'v'].map((p) => requireInput(inputs, `${p}${i}`));
  const size = util.sizeFromShape(ts[0].shape);
  for (const t of ts) {
    if (t.dtype !== 'float32' || util.sizeFromShape(t.shape) !== size) {
      throw new Error(`${ADAM_STEP}: variable ${i} needs four float32 tensors of one size`);
    }
  }
  return ts;
}

/** The parts of tfjs's cpu backend used here. */
interface CpuLike {
  readSync(dataId: object): unknown;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

function cpuStep(cpu: CpuLike, inputs: NamedTensorInfoMap, a: AdamStepAttrs): TensorInfo[] {
  const read = (t: TensorInfo) => cpu.readSync(t.dataId) as Float32Array;
  const acc = [requireInput(inputs, 'accBeta1'), requireInput(inputs, 'accBeta2')].map((t) => read(t)[0]);
  const k = adamConstants(a, acc[0], acc[1]);
  const outs: TensorInfo[] = [];
  for (let i = 0; i < a.count; i++) {
    const [x, g, m, v] = operands(inputs, i).map(read);
    const [x1, m1, v1] = [new Float32Array(x.length), new Float32Array(x.length), new Float32Array(x.length)];
    for (let j = 0; j < x.length; j++) [x1[j], m1[j], v1[j]] = adamScalar(k, x[j], g[j], m[j], v[j]);
    const shape = requireInput(inputs, `x${i}`).shape;
    outs.push(...[x1, m1, v1].map((values) => cpu.makeTensorInfo(shape, 'float32', values)));
  }
  const f = Math.fround;
  outs.push(cpu.makeTensorInfo([], 'float32', Float32Array.of(f(acc[0] * k.beta1))));
  outs.push(cpu.makeTensorInfo([], 'float32', Float32Array.of(f(acc[1] * k.beta2))));
  return outs;
}

function wasmStep(heap: WasmHeap, inputs: NamedTensorInfoMap, a: AdamStepAttrs): TensorInfo[] {
  const vars = Array.from({ length: a.count }, (_, i) => operands(inputs, i));
  const accIn = [requireInput(inputs, 'accBeta1'), requireInput(inputs, 'accBeta2')];
  // Every output first: an allocation may grow the memory and detach views taken before it.
  const outs = vars.map(([x]) => [heap.output(x.shape), heap.output(x.shape), heap.output(x.shape)]);
  const accOut = [heap.output([]), heap.output([])];
  const acc = accIn.map((t) => heap.f32(heap.ptr(t), 1)[0]);
  const k = adamConstants(a, acc[0], acc[1]);
  const run = adamFor(heap.memory);
  vars.forEach((ts, i) => {
    const n = util.sizeFromShape(ts[0].shape);
    const whole = run == null ? 0 : n - (n % 4);
    const [px, pg, pm, pv] = ts.map((t) => heap.ptr(t));
    const [ox, om, ov] = outs[i].map((t) => heap.ptr(t));
    run?.(px, pg, pm, pv, ox, om, ov, whole * 4, k.beta1, k.oneMinusBeta1, k.beta2, k.oneMinusBeta2,
      k.oneMinusAccBeta1, k.oneMinusAccBeta2, k.epsilon, k.negLearningRate);
    if (whole < n) {
      const [x, g, m, v, x1, m1, v1] = [px, pg, pm, pv, ox, om, ov].map((p) => heap.f32(p, n));
      for (let j = whole; j < n; j++) [x1[j], m1[j], v1[j]] = adamScalar(k, x[j], g[j], m[j], v[j]);
    }
  });
  heap.f32(heap.ptr(accOut[0]), 1)[0] = acc[0] * k.beta1;
  heap.f32(heap.ptr(accOut[1]), 1)[0] = acc[1] * k.beta2;
  return [...outs.flat(), ...accOut];
}

/** Kernel function of ADAM_STEP for the wasm or cpu backend. */
export function makeAdamStepKernel(backendName: string): KernelFunc {
  return (args) => {
    const inputs = args.inputs as NamedTensorInfoMap;
    const attrs = args.attrs as unknown as AdamStepAttrs;
    if (backendName === 'cpu') return cpuStep(args.backend as unknown as CpuLike, inputs, attrs);
    const heap = WasmHeap.of(args.backend as KernelBackend);
    if (heap == null) throw new Error(`${ADAM_STEP} supports the wasm and cpu backends`);
    return wasmStep(heap, inputs, attrs);
  };
}
