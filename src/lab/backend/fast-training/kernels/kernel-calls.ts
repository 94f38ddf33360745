/**
 * Direct calls into a backend's own registered kernels, used to build composite kernels (the fast convolution
 * gradients) out of the backend's fast primitives (XNNPACK convolution on wasm) without going through the engine.
 *
 * Every `TensorInfo` a call returns owns one reference in the backend (kernels such as Reshape share the input's
 * data and bump its reference count instead of copying). `KernelCalls` records each one and releases them all in
 * `finish`, except the final result, which the engine takes over.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelBackend, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';

/** A 4-D explicit padding as tfjs writes it: `[[0,0],[top,bottom],[left,right],[0,0]]`. */
export type Explicit4DPadding = [[number, number], [number, number], [number, number], [number, number]];

/** The input `name` of a kernel call; tfjs types every named input as optional. */
export function requireInput(inputs: NamedTensorInfoMap, name: string): TensorInfo {
  const info = inputs[name];
  if (info == null) throw new Error(`Kernel input '${name}' is missing`);
  return info;
}

/** Runs stock kernels of one backend and frees every intermediate result on `finish`. */
export class KernelCalls {
  private readonly temps: TensorInfo[] = [];

  constructor(
    readonly backend: KernelBackend,
    readonly backendName: string,
  ) {}

  /** Runs kernel `name` of this backend; the result is freed on `finish` unless it is the one returned. */
  run(name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const config = tf.getKernel(name, this.backendName);
    if (config == null) throw new Error(`Kernel '${name}' is not registered for backend '${this.backendName}'`);
    const out = config.kernelFunc({ inputs, backend: this.backend, attrs });
    if (Array.isArray(out)) throw new Error(`Kernel '${name}' returned several outputs; expected one`);
    this.temps.push(out);
    return out;
  }

  /** Takes over `out`, a result made outside this object's calls, so `finish` frees it like the others. */
  adopt(out: TensorInfo): TensorInfo {
    this.temps.push(out);
    return out;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  /** Transpose; an identity permutation is skipped (no copy, no extra reference). */
  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return perm.every((p, i) => p === i) ? x : this.run('Transpose', { x }, { perm });
  }

  reverse(x: TensorInfo, dims: number[]): TensorInfo {
    return this.run('Reverse', { x }, { dims });
  }

  /** Slice; a slice covering the whole tensor is skipped. */
  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    const whole = begin.every((b, i) => b === 0 && size[i] === x.shape[i]);
    return whole ? x : this.run('Slice', { x }, { begin, size });
  }

  /** Zero padding; an all-zero padding is skipped. */
  pad(x: TensorInfo, paddings: Array<[number, number]>): TensorInfo {
    const none = paddings.every(([a, b]) => a === 0 && b === 0);
    return none ? x : this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  /** NHWC convolution with explicit padding, stride and dilation, through the backend's stock Conv2D. */
  conv2d(
    x: TensorInfo,
    filter: TensorInfo,
    strides: [number, number],
    dilations: [number, number],
    pad: Explicit4DPadding,
  ): TensorInfo {
    return this.run('Conv2D', { x, filter }, { strides, dilations, pad, dataFormat: 'NHWC' });
  }

  /**
   * Frees every intermediate except `result` and returns `result`. When `result` is one of the caller's own
   * inputs (every step was skipped), it is copied through Identity so the engine gets a reference of its own.
   */
  finish(result: TensorInfo): TensorInfo {
    let out = result;
    if (!this.temps.includes(result)) out = this.run('Identity', { x: result });
    for (const info of this.temps) {
      if (info !== out) this.backend.disposeData(info.dataId);
    }
    this.temps.length = 0;
    return out;
  }

  /** Frees every intermediate (used when a composite kernel throws half-way). */
  abandon(): void {
    for (const info of this.temps) this.backend.disposeData(info.dataId);
    this.temps.length = 0;
  }
}

/**
 * Runs a composite kernel: `build` calls stock kernels through a fresh {@link KernelCalls}, and every intermediate
 * is freed afterwards, also when `build` throws half-way; the result is the engine's.
 */
export function runComposite(
  backend: KernelBackend,
  backendName: string,
  build: (calls: KernelCalls) => TensorInfo,
): TensorInfo {
  const calls = new KernelCalls(backend, backendName);
  try {
    return calls.finish(build(calls));
  } catch (err) {
    calls.abandon();
    throw err;
  }
}
