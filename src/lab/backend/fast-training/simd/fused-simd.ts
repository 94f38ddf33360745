/**
 * SIMD reductions that also do the work of the element-wise pass before them (the fused layer kernels in
 * ../kernels/relu-bias-grad.ts and batch-moments.ts), in a module of their own: the channel module and this one each
 * stay below the 4 KB a browser's main thread compiles synchronously. Same conventions as channel-simd.ts (whole
 * chunks of L floats, float32 partials folded into float64 totals every `fold` chunks).
 */
import { addTo, reduceFunc, UNROLL } from './channel-simd';
import { FuncBuilder, I32, Op, Simd, V128, assembleModule, moduleBinder } from './wasm-asm';

/** The exports of the assembled module. */
export interface FusedSimd {
  /** out = x > 0 ? dy : 0 and tot += Σ out per pattern position (a ReLU layer's gradient and its bias gradient). */
  reluGradSum(
    dy: number,
    x: number,
    out: number,
    part: number,
    tot: number,
    chunks: number,
    lb: number,
    fold: number,
  ): void;
  /** tot += Σ (a − p)² per pattern position (BatchNormalization's batch variance, times the count). */
  sqDevSum(a: number, p: number, part: number, tot: number, chunks: number, lb: number, fold: number): void;
  /**
   * out = x > 0 ? dy·p1 + x·p2 + p3 : 0 and tot += Σ out per pattern position: BatchNormalization's input gradient
   * already masked by the ReLU that made x, and that ReLU layer's bias gradient.
   */
  affineReluGradSum(
    dy: number,
    x: number,
    p1: number,
    p2: number,
    p3: number,
    out: number,
    part: number,
    tot: number,
    chunks: number,
    lb: number,
    fold: number,
  ): void;
  /** out = max(x, 0) over `bytes` bytes (a multiple of 16); NaN stays NaN, as in tfjs's Relu. */
  relu(x: number, out: number, bytes: number): void;
  /** Every export by name (the kernel pool calls them by name). */
  raw: Record<string, (...args: number[]) => void>;
}

function reluGradSumFunc(): FuncBuilder {
  const [dy, x, out, part, tot, chunks, lb, fold] = [0, 1, 2, 3, 4, 5, 6, 7];
  let masked = -1;
  return reduceFunc('reluGradSum', 8, [[part, tot]], chunks, lb, fold, (f, at, j) => {
    if (masked < 0) masked = f.local(V128);
    for (let k = 0; k < UNROLL; k++) {
      f.get(dy)
        .get(at)
        .op(Op.i32Add)
        .v128Load(16 * k);
      f.get(x)
        .get(at)
        .op(Op.i32Add)
        .v128Load(16 * k)
        .simd(Simd.const, ...Array<number>(16).fill(0))
        .simd(Simd.f32x4Gt);
      f.simd(Simd.v128And).set(masked);
      f.get(out)
        .get(at)
        .op(Op.i32Add)
        .get(masked)
        .v128Store(16 * k);
      addTo(f, part, j, k, () => f.get(masked));
    }
  });
}

function affineReluGradSumFunc(): FuncBuilder {
  const [dy, x, p1, p2, p3, out, part, tot, chunks, lb, fold] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  let [xv, masked] = [-1, -1];
  return reduceFunc('affineReluGradSum', 11, [[part, tot]], chunks, lb, fold, (f, at, j) => {
    if (masked < 0) [xv, masked] = [f.local(V128), f.local(V128)];
    for (let k = 0; k < UNROLL; k++) {
      const pattern = (p: number) =>
        f
          .get(p)
          .get(j)
          .op(Op.i32Add)
          .v128Load(16 * k);
      f.get(x)
        .get(at)
        .op(Op.i32Add)
        .v128Load(16 * k)
        .set(xv);
      // The same products and sums, in the same order, as BATCH_NORM_DX's affine2 (channel-simd.ts).
      f.get(dy)
        .get(at)
        .op(Op.i32Add)
        .v128Load(16 * k);
      pattern(p1);
      f.simd(Simd.f32x4Mul);
      f.get(xv);
      pattern(p2);
      f.simd(Simd.f32x4Mul).simd(Simd.f32x4Add);
      pattern(p3);
      f.simd(Simd.f32x4Add);
      f.get(xv)
        .simd(Simd.const, ...Array<number>(16).fill(0))
        .simd(Simd.f32x4Gt);
      f.simd(Simd.v128And).set(masked);
      f.get(out)
        .get(at)
        .op(Op.i32Add)
        .get(masked)
        .v128Store(16 * k);
      addTo(f, part, j, k, () => f.get(masked));
    }
  });
}

function sqDevSumFunc(): FuncBuilder {
  const [a, p, part, tot, chunks, lb, fold] = [0, 1, 2, 3, 4, 5, 6];
  let dev = -1;
  return reduceFunc('sqDevSum', 7, [[part, tot]], chunks, lb, fold, (f, x, j) => {
    if (dev < 0) dev = f.local(V128);
    for (let k = 0; k < UNROLL; k++) {
      f.get(a)
        .get(x)
        .op(Op.i32Add)
        .v128Load(16 * k);
      f.get(p)
        .get(j)
        .op(Op.i32Add)
        .v128Load(16 * k)
        .simd(Simd.f32x4Sub)
        .set(dev);
      addTo(f, part, j, k, () => f.get(dev).get(dev).simd(Simd.f32x4Mul));
    }
  });
}

function reluFunc(): FuncBuilder {
  const f = new FuncBuilder('relu', [I32, I32, I32]);
  const [x, out, bytes] = [0, 1, 2];
  const i = f.local(I32);
  f.forLoop(
    i,
    () => f.i32(0),
    bytes,
    16,
    () => {
      f.get(out).get(i).op(Op.i32Add);
      f.get(x)
        .get(i)
        .op(Op.i32Add)
        .v128Load()
        .simd(Simd.const, ...Array<number>(16).fill(0))
        .simd(Simd.f32x4Max);
      f.v128Store();
    },
  );
  return f;
}

/** The module's bytes (exported for tests and size checks). */
export function fusedSimdBytes(shared = false): Uint8Array<ArrayBuffer> {
  return assembleModule([reluGradSumFunc(), affineReluGradSumFunc(), sqDevSumFunc(), reluFunc()], shared);
}

/** The kernels bound to `memory`, or null where they cannot run (see moduleBinder). */
export const fusedSimdFor = moduleBinder(fusedSimdBytes, (exports): FusedSimd => {
  const e = exports as unknown as Record<string, (...args: number[]) => void>;
  return {
    reluGradSum: e.reluGradSum,
    affineReluGradSum: e.affineReluGradSum,
    sqDevSum: e.sqDevSum,
    relu: e.relu,
    raw: e,
  };
});
