/**
 * The direct SIMD convolution (src/lab/backend/fast-training/simd/conv-simd.ts, kernels/conv-direct.ts): the generated module
 * against a float64 loop on seeded shapes (filters 1×1 to 5×5 and 3×1, 1–40 input channels, 4–36 output channels,
 * zero to wider-than-the-filter padding on each side, images narrower than a tile; NaN in every byte around the
 * operands), then inside tfjs: the ReLU convolution and the input gradient (strides 1 and 2) on wasm, with the direct
 * kernel and with XNNPACK, against the cpu backend, with no tensor or backend buffer left behind; the batch
 * statistics the ReLU convolution sums as it writes, in the module and as BATCH_MOMENTS returns them.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerFastKernels } from '../../src/lab/backend';
import { BATCH_MOMENTS } from '../../src/lab/backend/fast-training/kernels/batch-moments';
import { recalledMomentsCount } from '../../src/lab/backend/fast-training/kernels/known-moments';
import { convBiasRelu } from '../../src/lab/backend/fast-training/kernels/conv-bias-relu';
import { directConvCount, setDirectConv } from '../../src/lab/backend/fast-training/kernels/conv-direct';
import { selectBackend } from '../../src/lab/backend/select-backend';
import {
  convBytes,
  convStatsBytes,
  interiorColumns,
  type ConvShape,
} from '../../src/lab/backend/fast-training/simd/conv-simd';
import { createRng, randomValues, relativeError, type HostTensor } from './kernel-harness';

/** The convolution as the definition writes it, summed in float64. */
function reference(s: ConvShape, x: Float32Array, w: Float32Array, bias: Float32Array): Float64Array {
  const out = new Float64Array(s.batch * s.outH * s.outW * s.outC);
  for (let b = 0; b < s.batch; b++)
    for (let oh = 0; oh < s.outH; oh++)
      for (let ow = 0; ow < s.outW; ow++) {
        for (let co = 0; co < s.outC; co++) {
          let sum = s.bias ? bias[co] : 0;
          for (let kh = 0; kh < s.fh; kh++)
            for (let kw = 0; kw < s.fw; kw++) {
              const ih = oh + kh - s.padTop;
              const iw = ow + kw - s.padLeft;
              if (ih < 0 || ih >= s.inH || iw < 0 || iw >= s.inW) continue;
              for (let ci = 0; ci < s.inC; ci++) {
                sum +=
                  x[((b * s.inH + ih) * s.inW + iw) * s.inC + ci] * w[((kh * s.fw + kw) * s.inC + ci) * s.outC + co];
              }
            }
          out[((b * s.outH + oh) * s.outW + ow) * s.outC + co] = s.relu ? Math.max(0, sum) : sum;
        }
      }
  return out;
}

/** Runs the generated module for `s` on a fresh memory; returns its output, its statistics and the float64 reference. */
function runModule(s: ConvShape, seed: number): { out: Float32Array; ref: Float64Array; stats: Float64Array } {
  const rng = createRng(seed);
  const sizes = [
    s.batch * s.inH * s.inW * s.inC,
    s.fh * s.fw * s.inC * s.outC,
    s.outC,
    s.batch * s.outH * s.outW * s.outC,
    convStatsBytes(s.outC) / 4,
  ];
  const offsets: number[] = [];
  let end = 64;
  for (const n of sizes) {
    offsets.push(end);
    end += n * 4 + 64;
  }
  const memory = new WebAssembly.Memory({ initial: Math.ceil(end / 65_536) + 1 });
  // NaN everywhere but the operands: a read outside x, w or bias turns some output into NaN.
  new Float32Array(memory.buffer).fill(Number.NaN);
  const [x, w, bias] = sizes.slice(0, 3).map((n, i) => {
    const view = new Float32Array(memory.buffer, offsets[i], n);
    for (let k = 0; k < n; k++) view[k] = rng.next() * 2 - 1;
    return view;
  });
  // The NaN around the output must survive: the kernel writes every output value and nothing else.
  new Float32Array(memory.buffer, offsets[4], sizes[4]).fill(0);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(convBytes(s)), { env: { memory } });
  (instance.exports.run as (...a: number[]) => void)(
    offsets[0],
    offsets[1],
    s.bias ? offsets[2] : 0,
    offsets[3],
    s.stats ? offsets[4] : 0,
  );
  const all = new Float32Array(memory.buffer);
  expect(all.subarray(offsets[3] / 4 - 16, offsets[3] / 4).every(Number.isNaN)).toBe(true);
  expect(all.subarray((offsets[3] + sizes[3] * 4) / 4, (offsets[3] + sizes[3] * 4) / 4 + 16).every(Number.isNaN)).toBe(
    true,
  );
  // Without a bias the kernel is given address 0 for it (as conv-direct.ts does) and must not read it.
  return {
    out: new Float32Array(memory.buffer, offsets[3], sizes[3]).slice(),
    ref: reference(s, x, w, bias),
    stats: new Float64Array(memory.buffer.slice(offsets[4] + 2 * s.outC * 4, offsets[4] + convStatsBytes(s.outC))),
  };
}

/** relativeError (kernel-harness.ts) of float32 results against a float64 reference. */
function maxRelativeError(out: Float32Array, ref: Float64Array): number {
  return relativeError({ values: out, shape: [out.length] }, { values: Float32Array.from(ref), shape: [ref.length] });
}

/** Seeded shapes: every filter size, padding from none to wider than the filter, narrow and odd widths. */
function randomShapes(count: number, seed: number): ConvShape[] {
  const rng = createRng(seed);
  const shapes: ConvShape[] = [];
  for (let i = 0; i < count; i++) {
    const [fh, fw] = [
      [1, 1],
      [3, 3],
      [5, 5],
      [3, 1],
      [1, 3],
    ][i % 5];
    const padTop = rng.int(fh + 2);
    const padBottom = rng.int(fh + 2);
    const padLeft = rng.int(fw + 2);
    const padRight = rng.int(fw + 2);
    const inH = 1 + rng.int(9);
    const inW = 1 + rng.int(14);
    const outH = inH + padTop + padBottom - fh + 1;
    const outW = inW + padLeft + padRight - fw + 1;
    if (outH < 1 || outW < 1) continue;
    shapes.push({
      batch: 1 + rng.int(3),
      inH,
      inW,
      inC: 1 + rng.int(40),
      outH,
      outW,
      outC: 4 * (1 + rng.int(9)),
      fh,
      fw,
      padTop,
      padLeft,
      bias: i % 2 === 0,
      relu: i % 3 === 0,
      stats: i % 4 < 2,
    });
  }
  return shapes;
}

describe('generated direct convolution', () => {
  const shapes: ConvShape[] = [
    // cnn's first layer (3 channels), a 3×3 same layer, a tile-and-a-bit wide row, one column, a 5×5 full conv.
    {
      batch: 2,
      inH: 10,
      inW: 11,
      inC: 3,
      outH: 8,
      outW: 9,
      outC: 8,
      fh: 3,
      fw: 3,
      padTop: 0,
      padLeft: 0,
      bias: true,
      relu: true,
      stats: true,
    },
    {
      batch: 1,
      inH: 7,
      inW: 9,
      inC: 16,
      outH: 7,
      outW: 9,
      outC: 32,
      fh: 3,
      fw: 3,
      padTop: 1,
      padLeft: 1,
      bias: true,
      relu: false,
      stats: false,
    },
    {
      batch: 1,
      inH: 3,
      inW: 5,
      inC: 8,
      outH: 1,
      outW: 3,
      outC: 12,
      fh: 3,
      fw: 3,
      padTop: 0,
      padLeft: 0,
      bias: false,
      relu: false,
      stats: true,
    },
    {
      batch: 3,
      inH: 6,
      inW: 1,
      inC: 5,
      outH: 6,
      outW: 1,
      outC: 4,
      fh: 3,
      fw: 3,
      padTop: 1,
      padLeft: 1,
      bias: true,
      relu: true,
      stats: true,
    },
    {
      batch: 1,
      inH: 4,
      inW: 4,
      inC: 8,
      outH: 8,
      outW: 8,
      outC: 8,
      fh: 5,
      fw: 5,
      padTop: 4,
      padLeft: 4,
      bias: false,
      relu: false,
      stats: false,
    },
    ...randomShapes(60, 77),
  ];
  for (const [i, s] of shapes.entries()) {
    it(
      `b${s.batch} ${s.inH}×${s.inW}×${s.inC}→${s.outH}×${s.outW}×${s.outC} ${s.fh}×${s.fw} pad ${s.padTop},${s.padLeft}` +
        `${s.bias ? ' bias' : ''}${s.relu ? ' relu' : ''}`,
      () => {
        const { out, ref, stats } = runModule(s, 500 + i);
        expect(maxRelativeError(out, ref)).toBeLessThan(1e-5);
        if (s.stats) {
          // Σy and Σy² per channel of what the kernel wrote.
          const sums = new Float64Array(2 * s.outC);
          out.forEach((v, i) => {
            sums[i % s.outC] += v;
            sums[s.outC + (i % s.outC)] += v * v;
          });
          expect(maxRelativeError(Float32Array.from(stats), sums)).toBeLessThan(1e-5);
        }
      },
    );
  }

  it('covers edge-only rows, tiles and single interior pixels', () => {
    const kinds = new Set(
      shapes.map((s) => {
        const [first, past] = interiorColumns(s);
        const interior = past - first;
        return interior === 0 ? 'edges only' : interior % 4 === 0 ? 'whole tiles' : 'tiles and single pixels';
      }),
    );
    expect(kinds).toEqual(new Set(['edges only', 'whole tiles', 'tiles and single pixels']));
  });
});

describe('direct convolution inside tfjs on wasm', () => {
  const rng = createRng(91);
  const host = (t: tf.Tensor): HostTensor => ({ values: t.dataSync() as Float32Array, shape: t.shape });

  beforeAll(async () => {
    await selectBackend('wasm');
    registerFastKernels('wasm');
  });
  afterAll(() => setDirectConv(true));

  /**
   * `fn` on wasm with the direct kernel and with XNNPACK, `ref` (default `fn`) on the stock cpu backend; counts the
   * direct kernel's calls.
   */
  async function threeWays(
    fn: () => tf.Tensor,
    ref = fn,
  ): Promise<{ direct: HostTensor; xnnpack: HostTensor; cpu: HostTensor; directCalls: number }> {
    await selectBackend('wasm');
    const start = tf.memory().numTensors;
    // The backend's own count too: an output the engine never saw (a composite's lost intermediate) shows only there.
    const dataIds = tf.engine().backend.numDataIds();
    const read = () => {
      const t = tf.tidy(fn);
      const values = host(t);
      t.dispose();
      return values;
    };
    const before = directConvCount();
    const direct = read();
    const directCalls = directConvCount() - before;
    setDirectConv(false);
    const xnnpack = read();
    setDirectConv(true);
    expect(tf.memory().numTensors).toBe(start);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
    await tf.setBackend('cpu');
    const cpuTensor = tf.tidy(ref);
    const cpu = host(cpuTensor);
    cpuTensor.dispose();
    await selectBackend('wasm');
    return { direct, xnnpack, cpu, directCalls };
  }

  for (const [shape, filters, pad] of [
    [[4, 14, 13, 3], 8, 'valid'],
    [[6, 9, 11, 16], 12, 'same'],
    [[2, 5, 6, 8], 32, 'valid'],
  ] as const) {
    it(`computes the ReLU convolution (${shape} → ${filters}, ${pad})`, async () => {
      const x = randomValues(rng, [...shape]);
      const w = randomValues(rng, [3, 3, shape[3], filters]);
      const b = randomValues(rng, [filters]);
      const [xs, ws, bs] = [
        () => tf.tensor4d(x.values, [...shape]),
        () => tf.tensor4d(w.values, w.shape as never),
        () => tf.tensor1d(b.values),
      ];
      const r = await threeWays(
        () => convBiasRelu(xs(), ws(), bs(), [1, 1], pad),
        () => tf.relu(tf.add(tf.conv2d(xs(), ws(), 1, pad), bs())),
      );
      expect(r.directCalls).toBe(1);
      expect(relativeError(r.direct, r.cpu)).toBeLessThan(1e-5);
      expect(relativeError(r.xnnpack, r.cpu)).toBeLessThan(1e-5);
    });
  }

  const inputGradCases = [
    [[4, 12, 10, 8], 8, 1, 'valid'],
    [[2, 9, 7, 16], 4, 1, 'same'],
    [[4, 11, 10, 8], 8, 2, 'same'],
  ] as const;
  for (const [shape, filters, stride, pad] of inputGradCases) {
    it(`computes the input gradient (${shape} from ${filters} channels, stride ${stride}, ${pad})`, async () => {
      const filter = randomValues(rng, [3, 3, shape[3], filters]);
      const out = (size: number) => (pad === 'same' ? Math.ceil(size / stride) : Math.ceil((size - 2) / stride));
      const dy = randomValues(rng, [shape[0], out(shape[1]), out(shape[2]), filters]);
      const r = await threeWays(() =>
        tf.conv2dTranspose(
          tf.tensor4d(dy.values, dy.shape as never),
          tf.tensor4d(filter.values, filter.shape as never),
          [...shape],
          stride,
          pad,
        ),
      );
      expect(r.directCalls).toBe(1);
      expect(relativeError(r.direct, r.cpu)).toBeLessThan(1e-5);
      expect(relativeError(r.xnnpack, r.cpu)).toBeLessThan(1e-5);
    });
  }

  it("hands the ReLU convolution's batch statistics to BATCH_MOMENTS, which then reads nothing", async () => {
    await selectBackend('wasm');
    const x = tf.randomUniform([4, 14, 13, 8], -1, 1, 'float32', 11) as tf.Tensor4D;
    const w = tf.randomUniform([3, 3, 8, 16], -1, 1, 'float32', 12) as tf.Tensor4D;
    const b = tf.randomUniform([16], -0.5, 0.5, 'float32', 13) as tf.Tensor1D;
    const before = recalledMomentsCount();
    const [mean, variance] = tf.tidy(
      () => tf.engine().runKernel(BATCH_MOMENTS, { x: convBiasRelu(x, w, b, [1, 1], 'valid') }, {}) as tf.Tensor[],
    );
    expect(recalledMomentsCount()).toBe(before + 1);
    const got = [host(mean), host(variance)];
    await tf.setBackend('cpu');
    const moments = tf.tidy(() => {
      const m = tf.moments(tf.relu(tf.add(tf.conv2d(x, w, 1, 'valid'), b)), [0, 1, 2]);
      return [m.mean, m.variance];
    });
    const ref = moments.map(host);
    tf.dispose(moments);
    await selectBackend('wasm');
    expect(relativeError(got[0], ref[0])).toBeLessThan(1e-5);
    expect(relativeError(got[1], ref[1])).toBeLessThan(1e-5);
    tf.dispose([x, w, b, mean, variance]);
  });

  it('keeps no statistics for a channel whose mean dwarfs its spread (BATCH_MOMENTS makes its two passes)', async () => {
    await selectBackend('wasm');
    const x = tf.randomUniform([4, 14, 13, 8], -1, 1, 'float32', 21) as tf.Tensor4D;
    const w = tf.randomUniform([3, 3, 8, 8], -0.01, 0.01, 'float32', 22) as tf.Tensor4D;
    const b = tf.fill([8], 1000) as tf.Tensor1D; // mean ≈ 1000, standard deviation ≈ 0.05
    const before = recalledMomentsCount();
    const [mean, variance] = tf.tidy(
      () => tf.engine().runKernel(BATCH_MOMENTS, { x: convBiasRelu(x, w, b, [1, 1], 'valid') }, {}) as tf.Tensor[],
    );
    expect(recalledMomentsCount()).toBe(before);
    const got = host(variance);
    await tf.setBackend('cpu');
    const ref = tf.tidy(() =>
      tf.moments(tf.relu(tf.add(tf.conv2d(x, w, 1, 'valid'), b)), [0, 1, 2]).variance.dataSync(),
    );
    await selectBackend('wasm');
    expect(relativeError(got, { values: Float32Array.from(ref), shape: got.shape })).toBeLessThan(1e-3);
    tf.dispose([x, w, b, mean, variance]);
  });

  it('leaves a single image and output channels not in fours to XNNPACK', async () => {
    const conv = (batch: number, filters: number) => {
      const x = tf.randomUniform([batch, 8, 8, 4], -1, 1, 'float32', 5) as tf.Tensor4D;
      const w = tf.randomUniform([3, 3, 4, filters], -1, 1, 'float32', 6) as tf.Tensor4D;
      const b = tf.randomUniform([filters], -1, 1, 'float32', 7) as tf.Tensor1D;
      return [
        () => convBiasRelu(x, w, b, [1, 1], 'same'),
        () => tf.relu(tf.add(tf.conv2d(x, w, 1, 'same'), b)),
      ] as const;
    };
    const one = await threeWays(...conv(1, 8));
    const odd = await threeWays(...conv(4, 6));

    expect([one.directCalls, odd.directCalls]).toEqual([0, 0]);
    expect(relativeError(one.xnnpack, one.cpu)).toBeLessThan(1e-6);
    expect(relativeError(odd.xnnpack, odd.cpu)).toBeLessThan(1e-6);
  });
});
