/**
 * One Adam update of one variable as a single SIMD pass over the tfjs wasm heap. The arithmetic is exactly that of
 * tfjs's AdamOptimizer, operation for operation in float32 (each step rounded, no fused multiply-add), so the fused
 * update is bit-identical to tfjs's fourteen separate element-wise kernels:
 *
 *   m' = m·β1 + g·(1−β1)         v' = v·β2 + g²·(1−β2)
 *   x' = (m' / (1−β1ᵗ)) / (√(v' / (1−β2ᵗ)) + ε) · (−lr) + x
 */
import { F32, FuncBuilder, I32, Op, Simd, V128, assembleModule, moduleBinder } from './wasm-asm';

/** The per-step constants, already rounded to float32 as tfjs's scalar tensors hold them. */
export interface AdamConstants {
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  /** 1 − β1ᵗ and 1 − β2ᵗ (tfjs's `sub(1, accBeta)`). */
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
  epsilon: number;
  negLearningRate: number;
}

/** run(x, g, m, v, outX, outM, outV, bytes, …constants): pointers in bytes; `bytes` a multiple of 16. */
export type AdamRun = (
  x: number,
  g: number,
  m: number,
  v: number,
  outX: number,
  outM: number,
  outV: number,
  bytes: number,
  b1: number,
  c1: number,
  b2: number,
  c2: number,
  oma1: number,
  oma2: number,
  eps: number,
  nlr: number,
) => void;

export function adamBytes(shared = false): Uint8Array<ArrayBuffer> {
  const f = new FuncBuilder('run', [...Array<typeof I32>(8).fill(I32), ...Array<typeof F32>(8).fill(F32)]);
  const [x, g, m, v, outX, outM, outV, bytes] = [0, 1, 2, 3, 4, 5, 6, 7];
  // The eight constants, each splatted across a vector once.
  const k = Array.from({ length: 8 }, (_, i) => {
    const local = f.local(V128);
    f.get(8 + i)
      .simd(Simd.f32x4Splat)
      .set(local);
    return local;
  });
  const [B1, C1, B2, C2, OMA1, OMA2, EPS, NLR] = k;
  const [i, gv, mv, vv] = [f.local(I32), f.local(V128), f.local(V128), f.local(V128)];
  const at = (ptr: number) => f.get(ptr).get(i).op(Op.i32Add);
  f.forLoop(
    i,
    () => f.i32(0),
    bytes,
    16,
    () => {
      at(g).v128Load().set(gv);
      // m' = m·β1 + g·(1−β1)
      at(m).v128Load().get(B1).simd(Simd.f32x4Mul).get(gv).get(C1).simd(Simd.f32x4Mul).simd(Simd.f32x4Add).set(mv);
      at(outM).get(mv).v128Store();
      // v' = v·β2 + (g·g)·(1−β2)
      at(v)
        .v128Load()
        .get(B2)
        .simd(Simd.f32x4Mul)
        .get(gv)
        .get(gv)
        .simd(Simd.f32x4Mul)
        .get(C2)
        .simd(Simd.f32x4Mul)
        .simd(Simd.f32x4Add)
        .set(vv);
      at(outV).get(vv).v128Store();
      // x' = (m'/(1−β1ᵗ)) / (√(v'/(1−β2ᵗ)) + ε) · (−lr) + x
      at(outX);
      f.get(mv).get(OMA1).simd(Simd.f32x4Div);
      f.get(vv).get(OMA2).simd(Simd.f32x4Div).simd(Simd.f32x4Sqrt).get(EPS).simd(Simd.f32x4Add);
      f.simd(Simd.f32x4Div).get(NLR).simd(Simd.f32x4Mul);
      at(x).v128Load().simd(Simd.f32x4Add);
      f.v128Store();
    },
  );
  return assembleModule([f], shared);
}

/** The SIMD update bound to a wasm memory, or null where wasm SIMD is unavailable. */
export const adamFor = moduleBinder(adamBytes, (e) => e.run as AdamRun);

/** The same update on plain numbers, float32 step by step: the tail past the last whole vector, and the cpu backend. */
export function adamScalar(k: AdamConstants, x: number, g: number, m: number, v: number): [number, number, number] {
  const f = Math.fround;
  const m1 = f(f(m * k.beta1) + f(g * k.oneMinusBeta1));
  const v1 = f(f(v * k.beta2) + f(f(g * g) * k.oneMinusBeta2));
  const mHat = f(m1 / k.oneMinusAccBeta1);
  const vHat = f(v1 / k.oneMinusAccBeta2);
  const x1 = f(f(f(mHat / f(f(Math.sqrt(vHat)) + k.epsilon)) * k.negLearningRate) + x);
  return [x1, m1, v1];
}
