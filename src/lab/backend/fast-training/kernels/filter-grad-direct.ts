/**
 * Runs the generated SIMD filter gradient (../simd/filter-grad-simd.ts) on a wasm backend: one compiled module per
 * layer shape and heap, cached, so a training step pays the (sub-millisecond) compilation once per layer.
 *
 * The batch is cut into a fixed number of chunks (batch-chunks.ts), each summing its
 * images into float64 totals of its own; the totals are then added in chunk order. The chunks run on the kernel
 * pool's threads where there is one (pool/kernel-pool.ts), on this thread otherwise, with the same result to the
 * bit either way.
 */
import { backend_util } from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { runChunks } from '../pool/kernel-pool';
import { columnRanges, filterGradBytes, filterGradLayout, type FilterGradShape } from '../simd/filter-grad-simd';
import { batchChunks } from './batch-chunks';
import { compiledKernels } from './compiled-kernels';
import type { WasmHeap } from './wasm-heap';

type Run = (x: number, dy: number, tot: number, ranges: number) => void;

/** The generated kernels, compiled per shape and memory (null where compiling failed: the caller falls back). */
const kernelFor = compiledKernels<FilterGradShape, Run>((shape, shared) =>
  filterGradBytes(shape, filterGradLayout(shape), shared),
);

/** The filter-gradient shape of a forward convolution's geometry. */
export function filterGradShape(info: backend_util.Conv2DInfo): FilterGradShape {
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    fh: info.filterHeight,
    fw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * dW [fh, fw, inC, outC] of NHWC float32 x and dy (dilation 1), or null when no kernel could be compiled; the
 * caller checked SIMD is available.
 */
export function directFilterGrad(
  heap: WasmHeap,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo | null {
  const shape = filterGradShape(info);
  const chunks = batchChunks(shape.batch);
  const perChunk = shape.batch / chunks;
  const chunkShape = { ...shape, batch: perChunk };
  const layout = filterGradLayout(chunkShape);
  const kernel = kernelFor(heap, chunkShape);
  if (kernel == null) return null;
  const { fh, fw, inC, outC } = shape;
  const lanes = layout.v * 4;
  const totalLength = fh * fw * layout.splatC * lanes;
  const out = heap.output([fh, fw, inC, outC]);
  try {
    const tot = heap.alloc(chunks * totalLength * 8);
    const ranges = heap.alloc(fw * 8);
    heap.f64(tot, chunks * totalLength).fill(0);
    new Int32Array(heap.memory.buffer, ranges, 2 * fw).set(columnRanges(shape));
    runChunks(
      heap.memory,
      {
        module: kernel.module,
        base: [heap.ptr(x), heap.ptr(dy), tot, ranges],
        stride: [
          perChunk * shape.inH * shape.inW * inC * 4,
          perChunk * shape.outH * shape.outW * outC * 4,
          totalLength * 8,
          0,
        ],
        chunks,
      },
      kernel.run,
    );
    // The chunks' totals, added in chunk order.
    const all = heap.f64(tot, chunks * totalLength);
    const totals = all.slice(0, totalLength);
    for (let c = 1; c < chunks; c++) for (let i = 0; i < totalLength; i++) totals[i] += all[c * totalLength + i];
    const dW = heap.f32(heap.ptr(out), fh * fw * inC * outC);
    for (let k = 0; k < fh * fw; k++) {
      for (let ci = 0; ci < inC; ci++) {
        for (let co = 0; co < outC; co++) {
          // totals[k][splat][lane]: the splat side is dy's channel when x lies across the lanes, and vice versa.
          const [splat, lane] = layout.vecOnX ? [co, ci] : [ci, co];
          dW[(k * inC + ci) * outC + co] = totals[(k * layout.splatC + splat) * lanes + lane];
        }
      }
    }
    return out;
  } finally {
    heap.release();
  }
}
