/**
 * SIMD `MaxPool` for the one pooling both study networks use (2×2 windows, stride 2, no padding, NHWC with a
 * channel count divisible by 4): each window's four values scanned in row order as the stock cpu kernel does — a
 * running maximum from −∞ that only a strictly greater value replaces, so NaN never wins and a window of −∞/NaN
 * gives −∞ — with comparison masks instead of branches.
 */
import { FuncBuilder, I32, Op, Simd, V128, assembleModule, moduleBinder } from './wasm-asm';

/** run(x, y, batch, outH, outW, inH, inW, channels): byte pointers, then sizes (channels % 4 = 0). */
export type MaxPoolRun = (
  x: number,
  y: number,
  batch: number,
  outH: number,
  outW: number,
  inH: number,
  inW: number,
  channels: number,
) => void;

export function maxPoolBytes(shared = false): Uint8Array<ArrayBuffer> {
  const f = new FuncBuilder('run', Array<typeof I32>(8).fill(I32));
  const [x, y, batch, outH, outW, inH, inW, channels] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [b, oh, ow, c, cBytes, rowBytes, p, yp] = Array.from({ length: 8 }, () => f.local(I32));
  const [m, v] = [f.local(V128), f.local(V128)];
  const minusInf = [0, 0, 0x80, 0xff, 0, 0, 0x80, 0xff, 0, 0, 0x80, 0xff, 0, 0, 0x80, 0xff];
  f.get(channels).i32(4).op(Op.i32Mul).set(cBytes);
  f.get(inW).get(cBytes).op(Op.i32Mul).set(rowBytes);
  f.get(y).set(yp);
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
                  // p = x + (b·inH + 2·oh)·rowBytes + 2·ow·cBytes + c
                  f.get(b)
                    .get(inH)
                    .op(Op.i32Mul)
                    .get(oh)
                    .i32(2)
                    .op(Op.i32Mul, Op.i32Add)
                    .get(rowBytes)
                    .op(Op.i32Mul)
                    .get(ow)
                    .i32(2)
                    .op(Op.i32Mul)
                    .get(cBytes)
                    .op(Op.i32Mul, Op.i32Add)
                    .get(c)
                    .op(Op.i32Add)
                    .get(x)
                    .op(Op.i32Add)
                    .set(p);
                  f.simd(Simd.const, ...minusInf).set(m);
                  for (let k = 0; k < 4; k++) {
                    f.get(p);
                    if (k & 1) f.get(cBytes).op(Op.i32Add);
                    if (k & 2) f.get(rowBytes).op(Op.i32Add);
                    f.v128Load().set(v);
                    // m = v > m ? v : m
                    f.get(v).get(m).get(v).get(m).simd(Simd.f32x4Gt).simd(Simd.v128Bitselect).set(m);
                  }
                  f.get(yp).get(c).op(Op.i32Add).get(m).v128Store();
                },
              );
              f.get(yp).get(cBytes).op(Op.i32Add).set(yp);
            },
          );
        },
      );
    },
  );
  return assembleModule([f], shared);
}

export const maxPoolFor = moduleBinder(maxPoolBytes, (e) => e.run as MaxPoolRun);
