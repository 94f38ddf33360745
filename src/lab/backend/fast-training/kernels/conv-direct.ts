/**
 * Runs the generated direct SIMD convolution (../simd/conv-simd.ts) on a wasm backend: one compiled module per
 * layer shape and heap, cached, the batch cut into equal chunks that run on the kernel pool's threads. Used where
 * it beats XNNPACK's convolution in training (bench/train-step-ab.ts --without direct-conv): the forward ReLU
 * convolution of stride-1 layers whose output channels come in fours, and the input gradient of layers whose input
 * channels do (at stride s > 1 over dy with zeros inserted, as before).
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { runChunks } from '../pool/kernel-pool';
import { convBytes, convShapeSupported, convStatsBytes, type ConvShape } from '../simd/conv-simd';
import { compiledKernels } from './compiled-kernels';
import { batchChunks } from './batch-chunks';
import { rememberMoments } from './known-moments';
import type { WasmHeap } from './wasm-heap';

/** The generated kernels, compiled per shape and memory. */
const kernelFor = compiledKernels<ConvShape, (x: number, w: number, bias: number, out: number, stats: number) => void>(
  convBytes,
);

let enabled = true;
let calls = 0;

/** How many convolutions the direct kernel has computed in this process (for tests and benchmarks). */
export function directConvCount(): number {
  return calls;
}

/** Turns the direct kernel on or off (XNNPACK's convolution then runs everywhere): for A/B benchmarks and tests. */
export function setDirectConv(on: boolean): void {
  enabled = on;
}

/**
 * True when the direct kernel takes this convolution: output channels in fours and a batch that splits into at
 * least two equal chunks (a single image runs on one thread here; XNNPACK spreads it over all of them).
 */
export function directConvApplies(g: ConvShape): boolean {
  return enabled && convShapeSupported(g) && batchChunks(g.batch) > 1;
}

/**
 * out [batch, outH, outW, outC] of NHWC float32 x and filter [fh, fw, inC, outC] (bias [outC] when the geometry
 * says so), or null when no kernel could be compiled. The caller checked `directConvApplies` and SIMD. With
 * `stats`, the output's per-channel mean and variance are recorded for BATCH_MOMENTS (known-moments.ts): float32
 * sums per output row, float64 totals per chunk, the chunks added in chunk order (so threads change nothing).
 */
export function directConv(
  heap: WasmHeap,
  x: TensorInfo,
  filter: TensorInfo,
  bias: TensorInfo | null,
  g: ConvShape,
): TensorInfo | null {
  const chunks = batchChunks(g.batch);
  const perChunk = g.batch / chunks;
  const kernel = kernelFor(heap, { ...g, batch: perChunk });
  if (kernel == null) return null;
  const out = heap.output([g.batch, g.outH, g.outW, g.outC]);
  calls += 1;
  try {
    const statsBytes = convStatsBytes(g.outC);
    const stats = g.stats ? heap.alloc(chunks * statsBytes) : 0;
    if (g.stats) new Uint8Array(heap.memory.buffer, stats, chunks * statsBytes).fill(0);
    runChunks(
      heap.memory,
      {
        module: kernel.module,
        base: [heap.ptr(x), heap.ptr(filter), bias == null ? 0 : heap.ptr(bias), heap.ptr(out), stats],
        stride: [
          perChunk * g.inH * g.inW * g.inC * 4,
          0,
          0,
          perChunk * g.outH * g.outW * g.outC * 4,
          g.stats ? statsBytes : 0,
        ],
        chunks,
      },
      kernel.run,
    );
    const moments = g.stats ? momentsOf(heap, stats, chunks, g) : null;
    if (moments != null) rememberMoments(out.dataId, moments);
  } catch (err) {
    heap.discard(out);
    throw err;
  } finally {
    heap.release();
  }
  return out;
}

/**
 * Largest mean²/variance of a channel for which E[y²] − E[y]² is kept: its relative error grows as ~2e-8 times
 * that ratio (float32 row sums), so below it the variance stays within ~3e-7 of two passes; above it BATCH_MOMENTS
 * makes its two passes.
 */
const MAX_MEAN_SQUARED_OVER_VARIANCE = 16;

/**
 * Mean and variance per channel from the chunks' float64 totals (Σy, then Σy²), added in chunk order; null when a
 * channel's mean is so large against its spread that the one-pass variance would lose precision.
 */
function momentsOf(
  heap: WasmHeap,
  stats: number,
  chunks: number,
  g: ConvShape,
): { mean: Float32Array; variance: Float32Array } | null {
  const c = g.outC;
  const totals = new Float64Array(2 * c);
  for (let k = 0; k < chunks; k++) {
    const chunk = heap.f64(stats + k * convStatsBytes(c) + 2 * c * 4, 2 * c);
    for (let i = 0; i < 2 * c; i++) totals[i] += chunk[i];
  }
  const n = g.batch * g.outH * g.outW;
  const means = Array.from({ length: c }, (_, i) => totals[i] / n);
  const variances = means.map((m, i) => totals[c + i] / n - m * m);
  if (variances.some((v, i) => !(v * MAX_MEAN_SQUARED_OVER_VARIANCE >= means[i] * means[i]))) return null;
  return { mean: Float32Array.from(means), variance: Float32Array.from(variances) };
}
