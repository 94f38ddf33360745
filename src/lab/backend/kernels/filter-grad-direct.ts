/**
 * Runs the generated SIMD filter gradient (../simd/filter-grad-simd.ts) on a wasm backend: one compiled module per
 * layer shape and heap, cached, so a training step pays the (sub-millisecond) compilation once per layer.
 */
import { backend_util } from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { columnRanges, filterGradBytes, filterGradLayout, type FilterGradShape } from '../simd/filter-grad-simd';
import { isSharedMemory } from '../simd/wasm-asm';
import type { WasmHeap } from './wasm-heap';

type Run = (x: number, dy: number, tot: number, ranges: number) => void;

/** Compiled kernels per memory, keyed by the shape they were generated for; null where compiling failed. */
const compiled = new WeakMap<WebAssembly.Memory, Map<string, Run | null>>();

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
 * The compiled kernel, or null where it cannot be compiled here (a browser's main thread refuses synchronous
 * compilation above 4 KB, which unusual channel counts such as 63×61 can reach): the caller then falls back.
 */
function kernelFor(heap: WasmHeap, shape: FilterGradShape): Run | null {
  let cache = compiled.get(heap.memory);
  if (cache == null) {
    cache = new Map();
    compiled.set(heap.memory, cache);
  }
  const key = JSON.stringify(shape);
  if (!cache.has(key)) {
    let run: Run | null = null;
    try {
      const bytes = filterGradBytes(shape, filterGradLayout(shape), isSharedMemory(heap.memory));
      run = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: heap.memory } }).exports.run as Run;
    } catch {
      run = null;
    }
    cache.set(key, run);
  }
  return cache.get(key) ?? null;
}

/**
 * dW [fh, fw, inC, outC] of NHWC float32 x and dy (dilation 1), or null when no kernel could be compiled; the
 * caller checked SIMD is available.
 */
export function directFilterGrad(heap: WasmHeap, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | null {
  const shape = filterGradShape(info);
  const layout = filterGradLayout(shape);
  const run = kernelFor(heap, shape);
  if (run == null) return null;
  const { fh, fw, inC, outC } = shape;
  const lanes = layout.v * 4;
  const totalLength = fh * fw * layout.splatC * lanes;
  const out = heap.output([fh, fw, inC, outC]);
  try {
    const tot = heap.alloc(totalLength * 8);
    const ranges = heap.alloc(fw * 8);
    heap.f64(tot, totalLength).fill(0);
    new Int32Array(heap.memory.buffer, ranges, 2 * fw).set(columnRanges(shape));
    run(heap.ptr(x), heap.ptr(dy), tot, ranges);
    const totals = heap.f64(tot, totalLength);
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
