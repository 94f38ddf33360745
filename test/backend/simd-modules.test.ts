/**
 * The run-time assembled WebAssembly modules: LEB128 encoding, validity, and the size bound that lets a browser
 * compile them synchronously on its main thread (4 KB) for every convolution of the study's networks.
 */
import { describe, expect, it } from 'vitest';
import { channelSimdBytes } from '../../src/lab/backend/fast-training/simd/channel-simd';
import { convBytes } from '../../src/lab/backend/fast-training/simd/conv-simd';
import { fusedSimdBytes } from '../../src/lab/backend/fast-training/simd/fused-simd';
import {
  columnRanges,
  filterGradBytes,
  filterGradLayout,
  type FilterGradShape,
} from '../../src/lab/backend/fast-training/simd/filter-grad-simd';
import { maxPoolBytes } from '../../src/lab/backend/fast-training/simd/max-pool-simd';
import { poolGradBytes } from '../../src/lab/backend/fast-training/simd/pool-grad-simd';
import { sleb, uleb } from '../../src/lab/backend/fast-training/simd/wasm-asm';

const MAIN_THREAD_LIMIT = 4096;

/** (inC, outC, kernel) of every convolution in cnn and light-k5 (3-channel input). */
const STUDY_CONVS: Array<[number, number, number]> = [
  [3, 8, 3],
  [8, 8, 3],
  [8, 16, 3],
  [16, 16, 3],
  [16, 32, 3],
  [32, 32, 3],
  [3, 5, 3],
  [5, 8, 3],
  [8, 5, 3],
  [3, 5, 1],
  [5, 8, 1],
  [8, 5, 1],
  [5, 16, 3],
  [16, 5, 3],
  [5, 16, 1],
  [16, 5, 1],
  [5, 32, 3],
  [32, 5, 3],
  [5, 32, 1],
  [32, 5, 1],
];

function shape(inC: number, outC: number, k: number, stride = 1): FilterGradShape {
  const pad = (k - 1) >> 1;
  const out = Math.ceil(32 / stride);
  return {
    batch: 4,
    inH: 32,
    inW: 32,
    inC,
    outH: out,
    outW: out,
    outC,
    fh: k,
    fw: k,
    sh: stride,
    sw: stride,
    padTop: pad,
    padLeft: pad,
  };
}

describe('wasm assembler and modules', () => {
  it('encodes LEB128 like the WebAssembly spec examples', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb(63)).toEqual([63]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-1)).toEqual([0x7f]);
  });

  it('assembles valid modules small enough for synchronous compilation on a main thread', () => {
    for (const bytes of [channelSimdBytes(), poolGradBytes(), fusedSimdBytes(), maxPoolBytes()]) {
      expect(WebAssembly.validate(bytes)).toBe(true);
      expect(bytes.length).toBeLessThan(MAIN_THREAD_LIMIT);
    }
    for (const [inC, outC, k] of STUDY_CONVS) {
      for (const stride of [1, 2]) {
        const s = shape(inC, outC, k, stride);
        const bytes = filterGradBytes(s, filterGradLayout(s));
        expect(WebAssembly.validate(bytes), `${inC}→${outC} k${k} s${stride}`).toBe(true);
        expect(bytes.length, `${inC}→${outC} k${k}`).toBeLessThan(MAIN_THREAD_LIMIT);
      }
    }
  });

  it('assembles the direct convolution of every study layer (forward and input gradient) under the same bound', () => {
    for (const [inC, outC, k] of STUDY_CONVS) {
      // Forward (valid, with bias and ReLU) where the outputs come in fours; input gradient (full) where the inputs do.
      const forward = {
        batch: 4,
        inH: 32,
        inW: 32,
        inC,
        outH: 33 - k,
        outW: 33 - k,
        outC,
        fh: k,
        fw: k,
        padTop: 0,
        padLeft: 0,
        bias: true,
        relu: true,
        stats: true,
      };
      const inputGrad = {
        ...forward,
        inC: outC,
        outC: inC,
        outH: 31 + k,
        outW: 31 + k,
        padTop: k - 1,
        padLeft: k - 1,
        bias: false,
        relu: false,
        stats: false,
      };
      for (const s of [forward, inputGrad].filter((g) => g.outC % 4 === 0)) {
        const bytes = convBytes(s);
        expect(WebAssembly.validate(bytes), `${s.inC}→${s.outC} k${k}`).toBe(true);
        expect(bytes.length, `${s.inC}→${s.outC} k${k}`).toBeLessThan(MAIN_THREAD_LIMIT);
      }
    }
  });

  it('puts the channels that waste fewer lanes across the SIMD vector', () => {
    expect(filterGradLayout(shape(3, 5, 3))).toMatchObject({ vecOnX: true, v: 1, block: 5 });
    expect(filterGradLayout(shape(5, 8, 3))).toMatchObject({ vecOnX: false, v: 2 });
    expect(filterGradLayout(shape(32, 32, 3))).toMatchObject({ v: 8, group: 4, block: 2 });
  });

  it('limits each filter column to the output columns that read inside the image', () => {
    // 5 wide, 3×3 same, stride 1: column 0 of the filter never reads for ow = 0, column 2 never for ow = 4.
    expect(Array.from(columnRanges({ ...shape(1, 1, 3), inW: 5, outW: 5 }))).toEqual([1, 5, 0, 5, 0, 4]);
    // stride 2, valid, 7 wide → 3 outputs reading columns 0..6.
    expect(Array.from(columnRanges({ ...shape(1, 1, 3, 2), inW: 7, outW: 3, padLeft: 0 }))).toEqual([0, 3, 0, 3, 0, 3]);
  });
});
