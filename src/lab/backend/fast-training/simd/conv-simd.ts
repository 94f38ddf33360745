/**
 * A direct SIMD 2-D convolution for NHWC float32 (stride 1, dilation 1, implicit zero padding), generated per layer
 * shape and run on the tfjs wasm heap:
 *
 *   out[b,oh,ow,co] = act(bias[co] + Σ_{kh,kw,ci} x[b, oh+kh−pt, ow+kw−pl, ci] · w[kh,kw,ci,co])
 *
 * Output channels lie across the SIMD lanes (their count must be a multiple of 4), input values are broadcast. A
 * tile of PIXELS neighbouring output pixels × up to GROUP channel vectors accumulates in 8 registers: few enough
 * that V8 keeps every accumulator in a register (x64 has 16; with more, it spilled them). Taps outside the image
 * are skipped rather than read from a padded copy: whole filter rows per output row, and columns one pixel at a
 * time for the few pixels near the left and right edges. No sum is split, so threads cannot change a result.
 */
import type { ConvDims } from './conv-dims';
import { FuncBuilder, I32, Op, Simd, V128, assembleModule } from './wasm-asm';

/** The shape of one convolution (stride 1, dilation 1; `outC` a multiple of 4) and what it adds after the sum. */
export interface ConvShape extends ConvDims {
  /** Adds a bias per output channel (the `bias` argument), else starts from zero. */
  bias: boolean;
  /** Applies max(·, 0) to the result. */
  relu: boolean;
  /**
   * Also sums each output channel and its square (the batch statistics BatchNormalization needs next) into the
   * `stats` argument: float32 partials [2·outC] (sums, then squares; zero on entry), folded after every output row
   * into float64 totals [2·outC] that follow them.
   */
  stats: boolean;
}

/** Bytes of the `stats` block for `outC` channels: float32 partials, then float64 totals. */
export function convStatsBytes(outC: number): number {
  return 2 * outC * 4 + 2 * outC * 8;
}

/** Output pixels per tile and channel vectors per tile: 4 × 2 = 8 accumulators. */
const PIXELS = 4;
const GROUP = 2;

/** True when the generated kernel handles this shape. */
export function convShapeSupported(s: ConvShape): boolean {
  return s.outC % 4 === 0 && s.outC > 0 && s.inC > 0 && s.outH > 0 && s.outW > 0 && s.fh > 0 && s.fw > 0;
}

/** The output columns whose every filter column falls inside the image: [first, past-the-last). */
export function interiorColumns(s: ConvShape): [number, number] {
  const first = Math.min(s.outW, Math.max(0, s.padLeft));
  const past = Math.min(s.outW, s.inW - s.fw + s.padLeft + 1);
  return [first, Math.max(first, past)];
}

/** Generates `run(x, w, bias, out, stats)` over `batch` images; `bias` and `stats` are ignored unless the shape says so. */
export function convBytes(s: ConvShape, shared = false): Uint8Array<ArrayBuffer> {
  if (!convShapeSupported(s)) throw new Error(`convBytes: unsupported shape ${JSON.stringify(s)}`);
  const f = new FuncBuilder('run', [I32, I32, I32, I32, I32]);
  const [x, w, bias, out, stats] = [0, 1, 2, 3, 4];
  const [b, oh, kh, khEnd, kw, ow, xRow, wRow, xp, wp, ci, grp, gOff, owEnd] = Array.from({ length: 14 }, () =>
    f.local(I32),
  );
  const acc = Array.from({ length: PIXELS * GROUP }, () => f.local(V128));
  const wv = Array.from({ length: GROUP }, () => f.local(V128));
  const sv = f.local(V128);
  const vectors = s.outC / 4;
  const fullGroups = Math.floor(vectors / GROUP);
  const tailVectors = vectors % GROUP;
  const [owA, owB] = interiorColumns(s);
  const rowBytes = s.inW * s.inC * 4;
  const tapBytes = s.inC * s.outC * 4;

  /** One tile: `pixels` output pixels from column ow, `count` vectors from byte offset gOff; `checked` tests columns. */
  const emitTile = (pixels: number, count: number, checked: boolean) => {
    const a = (p: number, k: number) => acc[p * count + k];
    for (let p = 0; p < pixels; p++) {
      for (let k = 0; k < count; k++) {
        if (s.bias)
          f.get(bias)
            .get(gOff)
            .op(Op.i32Add)
            .v128Load(16 * k)
            .set(a(p, k));
        else f.simd(Simd.const, ...Array<number>(16).fill(0)).set(a(p, k));
      }
    }
    // kh over the filter rows inside the image: [max(0, pt − oh), min(fh, inH + pt − oh)).
    const clampLow = () => f.tee(kh).i32(0).get(kh).i32(0).op(Op.i32GtS, Op.select);
    f.i32(s.padTop).get(oh).op(Op.i32Sub);
    clampLow();
    f.set(kh);
    f.i32(s.inH + s.padTop)
      .get(oh)
      .op(Op.i32Sub)
      .tee(khEnd)
      .i32(s.fh)
      .get(khEnd)
      .i32(s.fh)
      .op(Op.i32LtS, Op.select)
      .set(khEnd);
    f.forLoop(
      kh,
      () => f.get(kh),
      khEnd,
      1,
      () => {
        // xRow = x + ((b·inH + oh + kh − pt)·inW)·inC·4, wRow = w + kh·fw·inC·outC·4 + gOff
        f.get(b)
          .i32(s.inH)
          .op(Op.i32Mul)
          .get(oh)
          .op(Op.i32Add)
          .get(kh)
          .op(Op.i32Add)
          .i32(s.padTop)
          .op(Op.i32Sub)
          .i32(rowBytes)
          .op(Op.i32Mul)
          .get(x)
          .op(Op.i32Add)
          .set(xRow);
        f.get(kh)
          .i32(s.fw * tapBytes)
          .op(Op.i32Mul)
          .get(w)
          .op(Op.i32Add)
          .get(gOff)
          .op(Op.i32Add)
          .set(wRow);
        /** Multiply-adds `taps` consecutive (kw, ci) pairs from xp / wp (x and w both store them contiguously). */
        const multiplyAdd = (taps: number) => {
          // One pair per iteration: unrolled further, V8 hoisted the loads and spilled accumulators.
          f.forCount(ci, taps, () => {
            for (let k = 0; k < count; k++)
              f.get(wp)
                .v128Load(16 * k)
                .set(wv[k]);
            for (let p = 0; p < pixels; p++) {
              f.get(xp)
                .v128Splat32(p * s.inC * 4)
                .set(sv);
              for (let k = 0; k < count; k++) {
                f.get(a(p, k)).get(sv).get(wv[k]).simd(Simd.f32x4Mul).simd(Simd.f32x4Add).set(a(p, k));
              }
            }
            f.get(xp).i32(4).op(Op.i32Add).set(xp);
            f.get(wp)
              .i32(s.outC * 4)
              .op(Op.i32Add)
              .set(wp);
          });
        };
        if (!checked) {
          // Every filter column is inside: the whole filter row is one run of fw·inC pairs.
          f.get(ow)
            .i32(s.padLeft)
            .op(Op.i32Sub)
            .i32(s.inC * 4)
            .op(Op.i32Mul)
            .get(xRow)
            .op(Op.i32Add)
            .set(xp);
          f.get(wRow).set(wp);
          multiplyAdd(s.fw * s.inC);
        } else {
          f.forCount(kw, s.fw, () => {
            // The input column ow + kw − pl must lie in [0, inW).
            const inside = () =>
              f
                .get(ow)
                .get(kw)
                .op(Op.i32Add)
                .i32(s.padLeft)
                .op(Op.i32Sub)
                .tee(xp)
                .i32(0)
                .op(Op.i32GeS)
                .get(xp)
                .i32(s.inW)
                .op(Op.i32LtS, Op.i32And);
            f.when(inside, () => {
              // xp = xRow + (ow + kw − pl)·inC·4 (the column is in xp), wp = wRow + kw·inC·outC·4
              f.get(xp)
                .i32(s.inC * 4)
                .op(Op.i32Mul)
                .get(xRow)
                .op(Op.i32Add)
                .set(xp);
              f.get(kw).i32(tapBytes).op(Op.i32Mul).get(wRow).op(Op.i32Add).set(wp);
              multiplyAdd(s.inC);
            });
          });
        }
      },
    );
    // out + (((b·outH + oh)·outW + ow)·outC)·4 + gOff
    f.get(b)
      .i32(s.outH)
      .op(Op.i32Mul)
      .get(oh)
      .op(Op.i32Add)
      .i32(s.outW)
      .op(Op.i32Mul)
      .get(ow)
      .op(Op.i32Add)
      .i32(s.outC * 4)
      .op(Op.i32Mul)
      .get(out)
      .op(Op.i32Add)
      .get(gOff)
      .op(Op.i32Add)
      .set(xp);
    for (let p = 0; p < pixels; p++) {
      for (let k = 0; k < count; k++) {
        if (s.relu)
          f.get(a(p, k))
            .simd(Simd.const, ...Array<number>(16).fill(0))
            .simd(Simd.f32x4Max)
            .set(a(p, k));
        f.get(xp)
          .get(a(p, k))
          .v128Store((p * s.outC + 4 * k) * 4);
      }
    }
    if (s.stats) {
      // The tile's pixels, then their squares, added to the float32 partials of its channels (at stats + gOff).
      f.get(stats).get(gOff).op(Op.i32Add).set(xp);
      for (const square of [false, true]) {
        for (let k = 0; k < count; k++) {
          const offset = (square ? s.outC * 4 : 0) + 16 * k;
          f.get(xp).get(xp).v128Load(offset);
          for (let p = 0; p < pixels; p++) {
            f.get(a(p, k));
            if (square) f.get(a(p, k)).simd(Simd.f32x4Mul);
            f.simd(Simd.f32x4Add);
          }
          f.v128Store(offset);
        }
      }
    }
  };

  /** tot (float64, after the partials) += the float32 partials, which start again from zero: once per output row. */
  const foldStats = () => {
    const highToLow = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
    f.forCount(ci, (2 * s.outC) / 4, () => {
      // xp = the partial vector, wp = its two float64 halves
      f.get(ci).i32(16).op(Op.i32Mul).get(stats).op(Op.i32Add).set(xp);
      f.get(ci)
        .i32(32)
        .op(Op.i32Mul)
        .get(stats)
        .op(Op.i32Add)
        .i32(2 * s.outC * 4)
        .op(Op.i32Add)
        .set(wp);
      f.get(xp).v128Load().set(sv);
      for (const half of [0, 16]) {
        f.get(wp).get(wp).v128Load(half).get(sv);
        if (half) f.get(sv).simd(Simd.shuffle, ...highToLow);
        f.simd(Simd.f64x2PromoteLow).simd(Simd.f64x2Add).v128Store(half);
      }
      f.get(xp)
        .simd(Simd.const, ...Array<number>(16).fill(0))
        .v128Store();
    });
  };

  /** Every output column of the row for `count` vectors from gOff: edges pixel by pixel, the interior in tiles. */
  const emitRow = (count: number) => {
    const columns = (from: number, to: number, body: () => void) => {
      f.i32(to).set(owEnd);
      f.forLoop(ow, () => f.i32(from), owEnd, 1, body);
    };
    if (owA > 0) columns(0, owA, () => emitTile(1, count, true));
    // Whole tiles while ow + PIXELS ≤ owB, then single interior pixels, then the right edge.
    f.i32(owB - PIXELS + 1).set(owEnd);
    f.forLoop(
      ow,
      () => f.i32(owA),
      owEnd,
      PIXELS,
      () => emitTile(PIXELS, count, false),
    );
    f.i32(owB).set(owEnd);
    f.forLoop(
      ow,
      () => f.get(ow),
      owEnd,
      1,
      () => emitTile(1, count, false),
    );
    if (owB < s.outW) columns(owB, s.outW, () => emitTile(1, count, true));
  };

  f.forCount(b, s.batch, () => {
    f.forCount(oh, s.outH, () => {
      if (fullGroups > 0) {
        f.forCount(grp, fullGroups, () => {
          f.get(grp)
            .i32(GROUP * 16)
            .op(Op.i32Mul)
            .set(gOff);
          emitRow(GROUP);
        });
      }
      if (tailVectors > 0) {
        f.i32(fullGroups * GROUP * 16).set(gOff);
        emitRow(tailVectors);
      }
      if (s.stats) foldStats();
    });
  });
  return assembleModule([f], shared);
}
