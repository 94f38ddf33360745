/**
 * A direct SIMD `Conv2DBackpropFilter` for NHWC, generated per layer shape and run on the tfjs wasm heap:
 *
 *   dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·sh+kh−pt, ow·sw+kw−pl, ci] · dy[b,oh,ow,co]
 *
 * One operand's channels lie across the SIMD lanes ("vector" side, V vectors per pixel, the last one partial
 * when the count is not a multiple of 4, walked in groups of at most 4 vectors); the other's are broadcast one at
 * a time ("splat" side, in blocks of SB channels so the SB·group accumulators stay in registers). For each image row, kernel tap and block, one pass along
 * the row accumulates in float32 registers, then adds into float64 totals. Unlike the rewrite as a forward
 * convolution (kernels/conv2d-backprop-filter.ts) nothing is transposed and no 16 MB "filter" is packed per call.
 */
import type { ConvDims } from './conv-dims';
import { FuncBuilder, I32, Op, Simd, V128, assembleModule } from './wasm-asm';

/** The shape of one filter-gradient problem (dilation 1, NHWC, explicit padding): the sizes and the strides. */
export interface FilterGradShape extends ConvDims {
  sh: number;
  sw: number;
}

/** How the generated loop lays the work out. */
export interface FilterGradLayout {
  /** True: x's channels across the lanes; false: dy's. */
  vecOnX: boolean;
  /** Channels on the vector side and on the splat side. */
  vecC: number;
  splatC: number;
  /** Vectors per pixel on the vector side. */
  v: number;
  /** Vectors per pass (the vector side is walked in groups of at most this many). */
  group: number;
  /** Splat channels per pass. */
  block: number;
}

/**
 * Accumulator registers to aim for. x64 has 16 SIMD registers, and V8 loads a pixel's vectors before it multiplies
 * any of them, so those need registers too: with 12 accumulators (and two pixels per iteration) it spilled
 * accumulators to the stack, and the kernel ran ~1.5× slower than with 8.
 */
const ACCUMULATORS = 8;
/** At most 4 vectors (16 channels) per pass, so wide layers still get several splat channels per pass. */
const MAX_GROUP = 4;

/** Picks the side with fewer multiply-add vectors per pixel (fewer wasted lanes), then the register tiling. */
export function filterGradLayout(s: FilterGradShape): FilterGradLayout {
  const cost = (vecC: number, splatC: number) => Math.ceil(vecC / 4) * splatC;
  const vecOnX = cost(s.inC, s.outC) < cost(s.outC, s.inC);
  const [vecC, splatC] = vecOnX ? [s.inC, s.outC] : [s.outC, s.inC];
  const v = Math.ceil(vecC / 4);
  const group = Math.min(v, MAX_GROUP);
  return { vecOnX, vecC, splatC, v, group, block: Math.min(splatC, Math.max(1, Math.floor(ACCUMULATORS / group))) };
}

/**
 * Generates `run(x, dy, tot, ranges)`: tot is float64 [fh][fw][splatC][v·4] (zeroed by the caller), ranges holds
 * per kw the first and past-the-last ow whose input column is inside the image (int32 pairs).
 */
export function filterGradBytes(s: FilterGradShape, l: FilterGradLayout, shared = false): Uint8Array<ArrayBuffer> {
  const f = new FuncBuilder('run', [I32, I32, I32, I32]);
  const [x, dy, tot, ranges] = [0, 1, 2, 3];
  const [b, oh, kh, kw, ih, ow, ow0, ow1, xRow, dyRow, xp, dp, blk, sOff, base, grp, gVec] = Array.from(
    { length: 17 },
    () => f.local(I32),
  );
  const dv = Array.from({ length: l.group }, () => f.local(V128));
  const acc = Array.from({ length: l.block * l.group }, () => f.local(V128));
  const sv = f.local(V128);
  const zero = Array<number>(16).fill(0);
  const highToLow = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
  const [vecP, splatP] = l.vecOnX ? [xp, dp] : [dp, xp];
  const lastLanes = l.vecC - 4 * (l.v - 1);
  const fullBlocks = Math.floor(l.splatC / l.block);
  const rest = l.splatC % l.block;
  // Vector groups: all of `group` vectors, except possibly the last (fewer vectors, or a partial last vector).
  const groups = Math.ceil(l.v / l.group);
  const lastVectors = l.v - (groups - 1) * l.group;
  const lastRegular = lastVectors === l.group && lastLanes === 4;
  const regularGroups = lastRegular ? groups : groups - 1;

  /**
   * One pass along the row: `count` splat channels from channel sOff, `vectors` vectors from vector gVec (the last
   * one holding `tailLanes` lanes), accumulated in registers, then folded into tot.
   */
  const emitPass = (count: number, vectors: number, tailLanes: number) => {
    for (let i = 0; i < count * vectors; i++) f.simd(Simd.const, ...zero).set(acc[i]);
    // Channel offsets: the splat side starts at sOff, the vector side at 4·gVec.
    const [offX, offDy] = l.vecOnX
      ? [() => f.get(gVec).i32(4).op(Op.i32Mul), () => f.get(sOff)]
      : [() => f.get(sOff), () => f.get(gVec).i32(4).op(Op.i32Mul)];
    // xp = xRow + ((ow0·sw + kw − pl)·inC + offX)·4, dp = dyRow + (ow0·outC + offDy)·4
    f.get(xRow)
      .get(ow0)
      .i32(s.sw)
      .op(Op.i32Mul)
      .get(kw)
      .op(Op.i32Add)
      .i32(s.padLeft)
      .op(Op.i32Sub)
      .i32(s.inC)
      .op(Op.i32Mul);
    offX();
    f.op(Op.i32Add).i32(4).op(Op.i32Mul, Op.i32Add).set(xp);
    f.get(dyRow).get(ow0).i32(s.outC).op(Op.i32Mul);
    offDy();
    f.op(Op.i32Add).i32(4).op(Op.i32Mul, Op.i32Add).set(dp);
    /** Accumulates the pixel at xp/dp. */
    const pixelStep = () => {
      for (let k = 0; k < vectors; k++) {
        f.v128LoadPartial(() => f.get(vecP), 16 * k, k === vectors - 1 ? tailLanes : 4).set(dv[k]);
      }
      for (let i = 0; i < count; i++) {
        f.get(splatP)
          .v128Splat32(4 * i)
          .set(sv);
        for (let k = 0; k < vectors; k++) {
          const a = acc[i * vectors + k];
          f.get(a).get(sv).get(dv[k]).simd(Simd.f32x4Mul).simd(Simd.f32x4Add).set(a);
        }
      }
    };
    const advance = () => {
      f.get(xp)
        .i32(s.sw * s.inC * 4)
        .op(Op.i32Add)
        .set(xp);
      f.get(dp)
        .i32(s.outC * 4)
        .op(Op.i32Add)
        .set(dp);
    };
    // One pixel per iteration: with two, V8 loaded both pixels' vectors up front and ran out of registers.
    f.forLoop(
      ow,
      () => f.get(ow0),
      ow1,
      1,
      () => {
        pixelStep();
        advance();
      },
    );
    // base = tot + (((kh·fw + kw)·splatC + sOff)·v + gVec)·4 lanes·8 bytes
    f.get(kh)
      .i32(s.fw)
      .op(Op.i32Mul)
      .get(kw)
      .op(Op.i32Add)
      .i32(l.splatC)
      .op(Op.i32Mul)
      .get(sOff)
      .op(Op.i32Add)
      .i32(l.v)
      .op(Op.i32Mul)
      .get(gVec)
      .op(Op.i32Add)
      .i32(32)
      .op(Op.i32Mul)
      .get(tot)
      .op(Op.i32Add)
      .set(base);
    for (let i = 0; i < count; i++) {
      for (let k = 0; k < vectors; k++) {
        const a = acc[i * vectors + k];
        const offset = (i * l.v + k) * 32;
        for (const half of [0, 16]) {
          f.get(base)
            .get(base)
            .v128Load(offset + half)
            .get(a);
          if (half) f.get(a).simd(Simd.shuffle, ...highToLow);
          f.simd(Simd.f64x2PromoteLow)
            .simd(Simd.f64x2Add)
            .v128Store(offset + half);
        }
      }
    }
  };

  /** Every vector group for `count` splat channels from sOff. */
  const emitGroups = (count: number) => {
    if (regularGroups > 0) {
      f.forCount(grp, regularGroups, () => {
        f.get(grp).i32(l.group).op(Op.i32Mul).set(gVec);
        emitPass(count, l.group, 4);
      });
    }
    if (!lastRegular) {
      f.i32(regularGroups * l.group).set(gVec);
      emitPass(count, lastVectors, lastLanes);
    }
  };

  f.forCount(b, s.batch, () => {
    f.forCount(oh, s.outH, () => {
      f.get(b)
        .i32(s.outH)
        .op(Op.i32Mul)
        .get(oh)
        .op(Op.i32Add)
        .i32(s.outW * s.outC * 4)
        .op(Op.i32Mul)
        .get(dy)
        .op(Op.i32Add)
        .set(dyRow);
      f.forCount(kh, s.fh, () => {
        f.get(oh).i32(s.sh).op(Op.i32Mul).get(kh).op(Op.i32Add).i32(s.padTop).op(Op.i32Sub).set(ih);
        const rowInside = () => f.get(ih).i32(0).op(Op.i32GeS).get(ih).i32(s.inH).op(Op.i32LtS, Op.i32And);
        f.when(rowInside, () => {
          f.get(b)
            .i32(s.inH)
            .op(Op.i32Mul)
            .get(ih)
            .op(Op.i32Add)
            .i32(s.inW * s.inC * 4)
            .op(Op.i32Mul)
            .get(x)
            .op(Op.i32Add)
            .set(xRow);
          f.forCount(kw, s.fw, () => {
            f.get(ranges).get(kw).i32(8).op(Op.i32Mul, Op.i32Add).i32Load(0).set(ow0);
            f.get(ranges).get(kw).i32(8).op(Op.i32Mul, Op.i32Add).i32Load(4).set(ow1);
            f.when(
              () => f.get(ow0).get(ow1).op(Op.i32LtS),
              () => {
                if (fullBlocks > 0) {
                  f.forCount(blk, fullBlocks, () => {
                    f.get(blk).i32(l.block).op(Op.i32Mul).set(sOff);
                    emitGroups(l.block);
                  });
                }
                if (rest > 0) {
                  f.i32(fullBlocks * l.block).set(sOff);
                  emitGroups(rest);
                }
              },
            );
          });
        });
      });
    });
  });
  return assembleModule([f], shared);
}

/** The first and past-the-last output column that reads inside the image, for each filter column. */
export function columnRanges(s: FilterGradShape): Int32Array {
  const out = new Int32Array(2 * s.fw);
  for (let kw = 0; kw < s.fw; kw++) {
    // Input column ow·sw + kw − pl must lie in [0, inW).
    const first = Math.max(0, Math.ceil((s.padLeft - kw) / s.sw));
    const last = Math.min(s.outW - 1, Math.floor((s.inW - 1 + s.padLeft - kw) / s.sw));
    out[2 * kw] = first;
    out[2 * kw + 1] = Math.max(first, last + 1);
  }
  return out;
}
