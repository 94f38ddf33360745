/**
 * Counts the GPU programs a piece of work dispatches: WebGL draw calls (one per shader program run, packing and
 * unpacking included) and WebGPU compute dispatches. Each is a round of fixed cost on the GPU and in the driver,
 * which is what small element-wise kernels are mostly made of. For benchmarks and tests; 0 on CPU backends.
 */
import * as tf from '@tensorflow/tfjs';

type Method = (...args: unknown[]) => unknown;

/** The object and method name that dispatch one program on the current backend, or null. */
function dispatcher(): { owner: Record<string, Method>; method: string } | null {
  const backend = tf.backend() as unknown as Record<string, unknown>;
  if (tf.getBackend() === 'webgl') {
    const gpgpu = backend.gpgpu as Record<string, Method> | undefined;
    return gpgpu ? { owner: gpgpu, method: 'executeProgram' } : null;
  }
  if (tf.getBackend() === 'webgpu') return { owner: backend as Record<string, Method>, method: 'recordAndSubmit' };
  return null;
}

/** Runs `work` and returns how many GPU programs it dispatched (0 on backends without any). */
export async function countGpuDispatches(work: () => Promise<void>): Promise<number> {
  const d = dispatcher();
  if (d == null || typeof d.owner[d.method] !== 'function') {
    await work();
    return 0;
  }
  const original = d.owner[d.method];
  let count = 0;
  d.owner[d.method] = function counted(this: unknown, ...args: unknown[]) {
    count++;
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    d.owner[d.method] = original;
  }
  return count;
}
