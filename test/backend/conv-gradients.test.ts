/**
 * The fast Conv2DBackpropFilter / Conv2DBackpropInput kernels, on wasm and on cpu, against the cpu backend's stock
 * kernels: seeded random cases (strides 1 and 2, same/valid padding, 1×1/3×3/5×5 filters, 1–64 channels, batch
 * 1–32) plus fixed edge cases (explicit padding, NCHW, padding larger than the filter).
 */
import * as tf from '@tensorflow/tfjs';
import { backend_util } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerFastKernels } from '../../src/lab/backend';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { createRng, randomValues, relativeError, runCpuStock, runRegistered, type HostTensor } from './kernel-harness';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inC: number;
  outC: number;
  kernel: number;
  stride: number;
  pad: Pad;
  format?: 'NHWC' | 'NCHW';
}

const TOLERANCE = 1e-4;
/** Cap on multiply-adds per case: the stock cpu filter gradient (the reference) runs ~30 ns per one. */
const MAX_MACS = 3_000_000;

function macs(c: ConvCase): number {
  return c.batch * c.height * c.width * c.kernel * c.kernel * c.inC * c.outC;
}

/** Seeded random cases within MAX_MACS, cycling strides, paddings and filter sizes so each combination appears. */
function randomCases(count: number, seed: number): ConvCase[] {
  const rng = createRng(seed);
  const cases: ConvCase[] = [];
  for (let i = 0; cases.length < count; i++) {
    const kernel = [1, 3, 5][i % 3];
    const candidate: ConvCase = {
      batch: 1 + rng.int(32),
      height: kernel + rng.int(12),
      width: kernel + rng.int(12),
      inC: 1 + rng.int(64),
      outC: 1 + rng.int(64),
      kernel,
      stride: 1 + (Math.floor(i / 3) % 2),
      pad: Math.floor(i / 6) % 2 === 0 ? 'same' : 'valid',
    };
    if (macs(candidate) <= MAX_MACS) cases.push(candidate);
  }
  return cases;
}

const FIXED_CASES: ConvCase[] = [
  { batch: 32, height: 9, width: 9, inC: 1, outC: 4, kernel: 3, stride: 2, pad: 'same' },
  { batch: 1, height: 7, width: 6, inC: 64, outC: 64, kernel: 5, stride: 1, pad: 'same' },
  { batch: 2, height: 8, width: 8, inC: 3, outC: 5, kernel: 3, stride: 2, pad: 'valid' },
  {
    batch: 3,
    height: 6,
    width: 7,
    inC: 2,
    outC: 3,
    kernel: 3,
    stride: 1,
    pad: [
      [0, 0],
      [2, 0],
      [1, 3],
      [0, 0],
    ],
  },
  {
    batch: 2,
    height: 5,
    width: 5,
    inC: 2,
    outC: 2,
    kernel: 1,
    stride: 1,
    pad: [
      [0, 0],
      [2, 2],
      [2, 2],
      [0, 0],
    ],
  },
  { batch: 2, height: 7, width: 9, inC: 4, outC: 3, kernel: 3, stride: 2, pad: 'same', format: 'NCHW' },
  { batch: 1, height: 6, width: 6, inC: 1, outC: 2, kernel: 5, stride: 2, pad: 'valid', format: 'NCHW' },
];

/** Shapes of x and dy for a case, in the case's data format. */
function shapes(c: ConvCase): { x: number[]; dy: number[]; filter: [number, number, number, number] } {
  const filter: [number, number, number, number] = [c.kernel, c.kernel, c.inC, c.outC];
  const nhwc: [number, number, number, number] = [c.batch, c.height, c.width, c.inC];
  const info = backend_util.computeConv2DInfo(nhwc, filter, c.stride, 1, c.pad);
  const [b, oh, ow, oc] = info.outShape;
  if (c.format === 'NCHW') return { x: [c.batch, c.inC, c.height, c.width], dy: [b, oc, oh, ow], filter };
  return { x: nhwc, dy: [b, oh, ow, oc], filter };
}

/** Runs one kernel of one case on cpu-stock, wasm-fast and cpu-fast; returns the two relative errors. */
async function compare(c: ConvCase, kernel: 'Conv2DBackpropFilter' | 'Conv2DBackpropInput', seed: number) {
  const rng = createRng(seed);
  const s = shapes(c);
  const common = { strides: c.stride, pad: c.pad, dataFormat: c.format ?? 'NHWC' };
  let inputs: Record<string, HostTensor>;
  let attrs: tf.NamedAttrMap;
  if (kernel === 'Conv2DBackpropFilter') {
    inputs = { x: randomValues(rng, s.x), dy: randomValues(rng, s.dy) };
    attrs = { ...common, filterShape: s.filter };
  } else {
    inputs = { dy: randomValues(rng, s.dy), filter: randomValues(rng, s.filter) };
    attrs = { ...common, inputShape: s.x };
  }
  const ref = await runCpuStock(kernel, inputs, attrs);
  const wasm = await runRegistered('wasm', kernel, inputs, attrs);
  const cpu = await runRegistered('cpu', kernel, inputs, attrs);
  expect(wasm.shape).toEqual(ref.shape);
  expect(cpu.shape).toEqual(ref.shape);
  return { wasm: relativeError(wasm, ref), cpu: relativeError(cpu, ref) };
}

const describeCase = (c: ConvCase): string =>
  `b${c.batch} ${c.height}×${c.width}×${c.inC}→${c.outC} k${c.kernel} s${c.stride} ` +
  `${typeof c.pad === 'string' ? c.pad : JSON.stringify(c.pad)} ${c.format ?? 'NHWC'}`;

describe('fast convolution gradients match the cpu stock kernels', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    // All conv kernels on cpu too (by default cpu keeps its stock input gradient), so both paths are checked.
    registerFastKernels('cpu', ['Conv2DBackpropFilter', 'Conv2DBackpropInput']);
  });

  const cases = [...FIXED_CASES, ...randomCases(100, 2024)];
  for (const [i, c] of cases.entries()) {
    it(describeCase(c), async () => {
      for (const kernel of ['Conv2DBackpropFilter', 'Conv2DBackpropInput'] as const) {
        const err = await compare(c, kernel, 1000 + i);
        expect(err.wasm, `${kernel} on wasm`).toBeLessThan(TOLERANCE);
        expect(err.cpu, `${kernel} on cpu`).toBeLessThan(TOLERANCE);
      }
    });
  }

  it('covers the required parameter ranges', () => {
    expect(new Set(cases.map((c) => c.kernel))).toEqual(new Set([1, 3, 5]));
    expect(new Set(cases.map((c) => c.stride))).toEqual(new Set([1, 2]));
    expect(Math.max(...cases.map((c) => c.batch))).toBe(32);
    expect(Math.max(...cases.map((c) => Math.max(c.inC, c.outC)))).toBe(64);
    expect(Math.min(...cases.map((c) => Math.min(c.inC, c.outC)))).toBe(1);
  });
});
