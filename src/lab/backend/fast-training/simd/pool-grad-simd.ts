/**
 * SIMD `MaxPoolGrad` for the one pooling both study networks use: 2×2 windows, stride 2, no padding, NHWC with a
 * channel count divisible by 4. Each window's four values are scanned in row order exactly as the stock kernels
 * do (a running maximum starting at −∞, the first strictly greater value wins, ties keep the earlier position, a
 * window of −∞/NaN passes nothing back), with comparison masks instead of branches:
 *
 *   g_k = x_k > max(x_0..x_{k−1}, −∞);  winner_k = g_k ∧ ¬(g_{k+1} ∨ … ∨ g_3);  dx_k = dy ∧ winner_k
 *
 * Every position of every window is written (the gradient or 0); the caller zeroes the row and column that an odd
 * input size leaves outside all windows.
 */
import { FuncBuilder, I32, Op, Simd, V128, assembleModule, moduleBinder } from './wasm-asm';

/** run(x, dy, dx, batch, outH, outW, inH, inW, channels): byte pointers, then sizes (channels % 4 = 0). */
export type PoolGradRun = (
  x: number,
  dy: number,
  dx: number,
  batch: number,
  outH: number,
  outW: number,
  inH: number,
  inW: number,
  channels: number,
) => void;

export function poolGradBytes(shared = false): Uint8Array<ArrayBuffer> {
  const f = new FuncBuilder('run', Array<typeof I32>(9).fill(I32));
  const [x, dy, dx, batch, outH, outW, inH, inW, channels] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [b, oh, ow, c, cBytes, pixBytes, rowBytes, xRow, p, dyp] = Array.from({ length: 10 }, () => f.local(I32));
  const [m, d, seen] = [f.local(V128), f.local(V128), f.local(V128)];
  const xs = Array.from({ length: 4 }, () => f.local(V128));
  const gs = Array.from({ length: 4 }, () => f.local(V128));
  const minusInf = [0, 0, 0x80, 0xff, 0, 0, 0x80, 0xff, 0, 0, 0x80, 0xff, 0, 0, 0x80, 0xff];
  /** Pushes base + p + the byte offset of window position k: (0,0), (0,1), (1,0), (1,1). */
  const address = (base: number, k: number) => {
    f.get(base).get(p).op(Op.i32Add);
    if (k & 1) f.get(pixBytes).op(Op.i32Add);
    if (k & 2) f.get(rowBytes).op(Op.i32Add);
  };
  f.get(channels).i32(4).op(Op.i32Mul).tee(cBytes).set(pixBytes);
  f.get(inW).get(pixBytes).op(Op.i32Mul).set(rowBytes);
  f.get(dy).set(dyp);
  f.forLoop(
    b,
    () => f.i32(0),
    batch,
    1,
    () => {
      f.forLoop(
        oh,
        () => f.i32(0),
        outH,
        1,
        () => {
          // xRow = (b·inH + 2·oh)·rowBytes
          f.get(b).get(inH).op(Op.i32Mul).get(oh).i32(2).op(Op.i32Mul, Op.i32Add).get(rowBytes).op(Op.i32Mul).set(xRow);
          f.forLoop(
            ow,
            () => f.i32(0),
            outW,
            1,
            () => {
              f.forLoop(
                c,
                () => f.i32(0),
                cBytes,
                16,
                () => {
                  // p = xRow + 2·ow·pixBytes + c
                  f.get(xRow)
                    .get(ow)
                    .i32(2)
                    .op(Op.i32Mul)
                    .get(pixBytes)
                    .op(Op.i32Mul, Op.i32Add)
                    .get(c)
                    .op(Op.i32Add)
                    .set(p);
                  f.get(dyp).get(c).op(Op.i32Add).v128Load().set(d);
                  f.simd(Simd.const, ...minusInf).set(m);
                  for (let k = 0; k < 4; k++) {
                    address(x, k);
                    f.v128Load().tee(xs[k]).get(m).simd(Simd.f32x4Gt).set(gs[k]);
                    if (k < 3) f.get(xs[k]).get(m).get(gs[k]).simd(Simd.v128Bitselect).set(m);
                  }
                  // Later winners override earlier ones: walk back from the last position.
                  f.get(gs[3]).set(seen);
                  for (let k = 3; k >= 0; k--) {
                    address(dx, k);
                    f.get(d).get(gs[k]);
                    if (k < 3) f.get(seen).simd(Simd.v128AndNot);
                    f.simd(Simd.v128And).v128Store();
                    if (k < 3 && k > 0) f.get(seen).get(gs[k]).simd(Simd.v128Or).set(seen);
                  }
                },
              );
              f.get(dyp).get(cBytes).op(Op.i32Add).set(dyp);
            },
          );
        },
      );
    },
  );
  return assembleModule([f], shared);
}

export const poolGradFor = moduleBinder(poolGradBytes, (e) => e.run as PoolGradRun);
