/**
 * Helpers for checking a kernel against the cpu backend's stock kernel on identical, seeded inputs.
 */
import * as tf from '@tensorflow/tfjs';
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { stockKernel, type FastKernelName } from '../../src/lab/backend';
import { createRng, type Rng } from '../../src/lab/util/rng';

/** Host-side tensor data: values plus shape (and dtype, float32 unless given). */
export interface HostTensor {
  values: Float32Array | Int32Array;
  shape: number[];
  dtype?: 'float32' | 'int32';
}

/** `n` floats uniform in [-1, 1) from `rng`. */
export function randomValues(rng: Rng, shape: number[]): HostTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.next() * 2 - 1;
  return { values, shape };
}

export { createRng };

/** Runs kernel `name` through the engine on `backend` (so whatever is registered there runs) and reads it back. */
export async function runRegistered(
  backend: 'wasm' | 'cpu',
  name: string,
  inputs: Record<string, HostTensor>,
  attrs: NamedAttrMap,
): Promise<HostTensor> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [key, t] of Object.entries(inputs)) tensors[key] = tf.tensor(t.values, t.shape, t.dtype ?? 'float32');
    const out = tf.engine().runKernel(name, tensors, attrs) as tf.Tensor;
    return { values: out.dataSync() as Float32Array, shape: out.shape };
  });
}

/** Runs the cpu backend's stock kernel `name` directly (bypassing any registered replacement). */
export async function runCpuStock(
  name: FastKernelName,
  inputs: Record<string, HostTensor>,
  attrs: NamedAttrMap,
): Promise<HostTensor> {
  await tf.setBackend('cpu');
  const config = stockKernel('cpu', name);
  if (config == null) throw new Error(`cpu has no stock ${name}`);
  const backend = tf.backend();
  const infos: Record<string, TensorInfo> = {};
  const tensors: tf.Tensor[] = [];
  for (const [key, t] of Object.entries(inputs)) {
    const tensor = tf.tensor(t.values, t.shape, t.dtype ?? 'float32');
    tensors.push(tensor);
    infos[key] = tensor;
  }
  const out = config.kernelFunc({ inputs: infos, backend, attrs }) as TensorInfo;
  const values = backend.readSync(out.dataId) as Float32Array;
  backend.disposeData(out.dataId);
  tf.dispose(tensors);
  return { values, shape: out.shape };
}

/** max|a−b| / max|ref|: the error relative to the reference's scale (0 when both are all zeros). */
export function relativeError(actual: HostTensor, ref: HostTensor): number {
  if (actual.values.length !== ref.values.length) return Number.POSITIVE_INFINITY;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.values.length; i++) {
    diff = Math.max(diff, Math.abs(actual.values[i] - ref.values[i]));
    scale = Math.max(scale, Math.abs(ref.values[i]));
  }
  return scale === 0 ? diff : diff / scale;
}
