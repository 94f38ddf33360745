/**
 * SIMD loops for per-channel work on NHWC tensors, assembled at run time and run directly on the tfjs wasm heap.
 *
 * Every function walks whole "chunks": a chunk is L consecutive floats, L a multiple of 16 and of the channel
 * count C, so a per-channel vector tiled to length L (the "pattern") lines up with every chunk. Callers handle the
 * remaining n mod L elements in JavaScript. Pointers are byte addresses in the shared memory; `lb` is L·4 bytes.
 * Sums accumulate in float32 for `fold` chunks at a time, then in float64, which keeps 4-million-element reductions
 * as accurate as tfjs's cpu reference.
 */
import { FuncBuilder, I32, Op, Simd, V128, assembleModule, moduleBinder } from './wasm-asm';

/** Element-wise operations between a tensor `a` and a pattern `p`, by export name. */
export const BINARY_OPS = {
  add: { simd: Simd.f32x4Add, patternFirst: false },
  mul: { simd: Simd.f32x4Mul, patternFirst: false },
  sub: { simd: Simd.f32x4Sub, patternFirst: false },
  rsub: { simd: Simd.f32x4Sub, patternFirst: true },
  div: { simd: Simd.f32x4Div, patternFirst: false },
  rdiv: { simd: Simd.f32x4Div, patternFirst: true },
} as const;
export type BinaryOpName = keyof typeof BINARY_OPS;

/** The exports of the assembled module. */
export interface ChannelSimd {
  /** out = a ∘ p (or p ∘ a) for `chunks` chunks. */
  binary: Record<BinaryOpName, (a: number, p: number, out: number, chunks: number, lb: number) => void>;
  /** out = (a − p1)·p2 + p3. */
  affine(a: number, p1: number, p2: number, p3: number, out: number, chunks: number, lb: number): void;
  /** out = a·p1 + b·p2 + p3 (BatchNormalization's input gradient in one pass). */
  affine2(a: number, b: number, p1: number, p2: number, p3: number, out: number, chunks: number, lb: number): void;
  /** tot += Σ a per pattern position (tot: L float64, part: L float32 of zeros). */
  sum(a: number, part: number, tot: number, chunks: number, lb: number, fold: number): void;
  /** tot1 += Σ b, tot2 += Σ b·(a − p) per pattern position. */
  dualSum(
    a: number,
    b: number,
    p: number,
    part1: number,
    part2: number,
    tot1: number,
    tot2: number,
    chunks: number,
    lb: number,
    fold: number,
  ): void;
  /** out = x > 0 ? dy : 0 over `bytes` bytes (a multiple of 16): ReLU's gradient in one pass. */
  reluGrad(dy: number, x: number, out: number, bytes: number): void;
  /** Every export by name (the kernel pool calls them by name). */
  raw: Record<string, (...args: number[]) => void>;
}

/** Unrolled four vectors per step, so L must be a multiple of 16 floats (64 bytes). */
export const UNROLL = 4;

/** for (base = 0; base < chunks·lb; base += lb) for (j = 0; j < lb; j += 64) body(x = base + j, j). */
function chunkLoops(f: FuncBuilder, chunks: number, lb: number, body: (x: number, j: number) => void): void {
  const end = f.local(I32);
  const base = f.local(I32);
  const j = f.local(I32);
  const x = f.local(I32);
  f.get(chunks).get(lb).op(Op.i32Mul).set(end);
  f.forLoop(
    base,
    () => f.i32(0),
    end,
    { local: lb },
    () => {
      f.forLoop(
        j,
        () => f.i32(0),
        lb,
        16 * UNROLL,
        () => {
          f.get(base).get(j).op(Op.i32Add).set(x);
          body(x, j);
        },
      );
    },
  );
}

function binaryFunc(name: BinaryOpName): FuncBuilder {
  const f = new FuncBuilder(name, [I32, I32, I32, I32, I32]);
  const [a, p, out, chunks, lb] = [0, 1, 2, 3, 4];
  const { simd, patternFirst } = BINARY_OPS[name];
  chunkLoops(f, chunks, lb, (x, j) => {
    for (let k = 0; k < UNROLL; k++) {
      f.get(out).get(x).op(Op.i32Add);
      const loadA = () =>
        f
          .get(a)
          .get(x)
          .op(Op.i32Add)
          .v128Load(16 * k);
      const loadP = () =>
        f
          .get(p)
          .get(j)
          .op(Op.i32Add)
          .v128Load(16 * k);
      if (patternFirst) {
        loadP();
        loadA();
      } else {
        loadA();
        loadP();
      }
      f.simd(simd).v128Store(16 * k);
    }
  });
  return f;
}

function affineFunc(): FuncBuilder {
  const f = new FuncBuilder('affine', [I32, I32, I32, I32, I32, I32, I32]);
  const [a, p1, p2, p3, out, chunks, lb] = [0, 1, 2, 3, 4, 5, 6];
  chunkLoops(f, chunks, lb, (x, j) => {
    for (let k = 0; k < UNROLL; k++) {
      const at = (ptr: number, idx: number) =>
        f
          .get(ptr)
          .get(idx)
          .op(Op.i32Add)
          .v128Load(16 * k);
      f.get(out).get(x).op(Op.i32Add);
      at(a, x);
      at(p1, j);
      f.simd(Simd.f32x4Sub);
      at(p2, j);
      f.simd(Simd.f32x4Mul);
      at(p3, j);
      f.simd(Simd.f32x4Add);
      f.v128Store(16 * k);
    }
  });
  return f;
}

function affine2Func(): FuncBuilder {
  const f = new FuncBuilder('affine2', [I32, I32, I32, I32, I32, I32, I32, I32]);
  const [a, b, p1, p2, p3, out, chunks, lb] = [0, 1, 2, 3, 4, 5, 6, 7];
  chunkLoops(f, chunks, lb, (x, j) => {
    for (let k = 0; k < UNROLL; k++) {
      const at = (ptr: number, idx: number) =>
        f
          .get(ptr)
          .get(idx)
          .op(Op.i32Add)
          .v128Load(16 * k);
      f.get(out).get(x).op(Op.i32Add);
      at(a, x);
      at(p1, j);
      f.simd(Simd.f32x4Mul);
      at(b, x);
      at(p2, j);
      f.simd(Simd.f32x4Mul);
      f.simd(Simd.f32x4Add);
      at(p3, j);
      f.simd(Simd.f32x4Add);
      f.v128Store(16 * k);
    }
  });
  return f;
}

/** tot[0..L) (float64) += part[0..L) (float32); part = 0. */
function foldInto(f: FuncBuilder, part: number, tot: number, lb: number): void {
  const j = f.local(I32);
  const v = f.local(V128);
  const zero = Array<number>(16).fill(0);
  const highToLow = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
  f.forLoop(
    j,
    () => f.i32(0),
    lb,
    16,
    () => {
      f.get(part).get(j).op(Op.i32Add).v128Load().set(v);
      for (const [half, lanes] of [
        [0, null],
        [16, highToLow],
      ] as const) {
        const address = () => f.get(tot).get(j).get(j).op(Op.i32Add, Op.i32Add);
        address();
        address();
        f.v128Load(half);
        f.get(v);
        if (lanes) f.get(v).simd(Simd.shuffle, ...lanes);
        f.simd(Simd.f64x2PromoteLow).simd(Simd.f64x2Add).v128Store(half);
      }
      f.get(part)
        .get(j)
        .op(Op.i32Add)
        .simd(Simd.const, ...zero)
        .v128Store();
    },
  );
}

/**
 * Accumulating reductions: `accumulate(x, j)` updates the float32 partials for one unrolled step; every `fold`
 * chunks (and at the end) the partials are folded into the float64 totals.
 */
export function reduceFunc(
  name: string,
  params: number,
  folds: Array<[part: number, tot: number]>,
  chunks: number,
  lb: number,
  fold: number,
  accumulate: (f: FuncBuilder, x: number, j: number) => void,
): FuncBuilder {
  const f = new FuncBuilder(name, Array<typeof I32>(params).fill(I32));
  const done = f.local(I32);
  const step = f.local(I32);
  f.get(fold).get(chunks).get(fold).get(chunks).op(Op.i32LtS, Op.select).set(step);
  f.forLoop(
    done,
    () => f.i32(0),
    chunks,
    { local: step },
    () => {
      // One block of `step` chunks, clipped at the end.
      const blockChunks = f.local(I32);
      f.get(step)
        .get(chunks)
        .get(done)
        .op(Op.i32Sub)
        .tee(blockChunks)
        .get(step)
        .get(blockChunks)
        .op(Op.i32LtS, Op.select)
        .set(blockChunks);
      const offset = f.local(I32);
      f.get(done).get(lb).op(Op.i32Mul).set(offset);
      chunkLoops(f, blockChunks, lb, (x, j) => {
        f.get(x).get(offset).op(Op.i32Add).set(x);
        accumulate(f, x, j);
      });
      for (const [part, tot] of folds) foldInto(f, part, tot, lb);
    },
  );
  return f;
}

/** part[j+16k] += value pushed by `load` (one unrolled step). */
export function addTo(f: FuncBuilder, part: number, j: number, k: number, load: () => void): void {
  f.get(part).get(j).op(Op.i32Add);
  f.get(part)
    .get(j)
    .op(Op.i32Add)
    .v128Load(16 * k);
  load();
  f.simd(Simd.f32x4Add).v128Store(16 * k);
}

function sumFunc(): FuncBuilder {
  const [a, part, tot, chunks, lb, fold] = [0, 1, 2, 3, 4, 5];
  return reduceFunc('sum', 6, [[part, tot]], chunks, lb, fold, (f, x, j) => {
    for (let k = 0; k < UNROLL; k++)
      addTo(f, part, j, k, () =>
        f
          .get(a)
          .get(x)
          .op(Op.i32Add)
          .v128Load(16 * k),
      );
  });
}

function dualSumFunc(): FuncBuilder {
  const [a, b, p, part1, part2, tot1, tot2, chunks, lb, fold] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  return reduceFunc(
    'dualSum',
    10,
    [
      [part1, tot1],
      [part2, tot2],
    ],
    chunks,
    lb,
    fold,
    (f, x, j) => {
      for (let k = 0; k < UNROLL; k++) {
        const loadB = () =>
          f
            .get(b)
            .get(x)
            .op(Op.i32Add)
            .v128Load(16 * k);
        addTo(f, part1, j, k, loadB);
        addTo(f, part2, j, k, () => {
          loadB();
          f.get(a)
            .get(x)
            .op(Op.i32Add)
            .v128Load(16 * k);
          f.get(p)
            .get(j)
            .op(Op.i32Add)
            .v128Load(16 * k)
            .simd(Simd.f32x4Sub)
            .simd(Simd.f32x4Mul);
        });
      }
    },
  );
}

function reluGradFunc(): FuncBuilder {
  const f = new FuncBuilder('reluGrad', [I32, I32, I32, I32]);
  const [dy, x, out, bytes] = [0, 1, 2, 3];
  const i = f.local(I32);
  f.forLoop(
    i,
    () => f.i32(0),
    bytes,
    16,
    () => {
      f.get(out).get(i).op(Op.i32Add);
      f.get(dy).get(i).op(Op.i32Add).v128Load();
      // x > 0 is all-ones or all-zeros per lane (false for NaN): a mask for dy.
      f.get(x)
        .get(i)
        .op(Op.i32Add)
        .v128Load()
        .simd(Simd.const, ...Array<number>(16).fill(0))
        .simd(Simd.f32x4Gt);
      f.simd(Simd.v128And).v128Store();
    },
  );
  return f;
}

/** The module's bytes (exported for tests and size checks). */
export function channelSimdBytes(shared = false): Uint8Array<ArrayBuffer> {
  const names = Object.keys(BINARY_OPS) as BinaryOpName[];
  return assembleModule(
    [...names.map(binaryFunc), affineFunc(), affine2Func(), sumFunc(), dualSumFunc(), reluGradFunc()],
    shared,
  );
}

/**
 * The kernels bound to `memory`, or null where they cannot run (see moduleBinder). The module is about 3 KB.
 */
export const channelSimdFor = moduleBinder(channelSimdBytes, (exports): ChannelSimd => {
  const e = exports as unknown as Record<string, (...args: number[]) => void>;
  const binary = Object.fromEntries((Object.keys(BINARY_OPS) as BinaryOpName[]).map((n) => [n, e[n]]));
  return {
    binary: binary as ChannelSimd['binary'],
    affine: e.affine,
    affine2: e.affine2,
    sum: e.sum,
    dualSum: e.dualSum,
    reluGrad: e.reluGrad,
    raw: e,
  };
});
