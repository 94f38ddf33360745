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
  return (await gpuDispatchesByKernel(work)).total;
}

/** Calls and GPU programs of one kernel (programs of kernels it calls inside itself included). */
export interface KernelDispatches {
  calls: number;
  programs: number;
}

/**
 * Runs `work` and attributes every GPU program to the outermost kernel that ran it (a kernel such as Conv2D may
 * run a pack, a matrix product and an unpack): where a step's programs come from.
 */
export async function gpuDispatchesByKernel(
  work: () => Promise<void>,
): Promise<{ total: number; kernels: Record<string, KernelDispatches> }> {
  const d = dispatcher();
  const kernels: Record<string, KernelDispatches> = {};
  if (d == null || typeof d.owner[d.method] !== 'function') {
    await work();
    return { total: 0, kernels };
  }
  const original = d.owner[d.method];
  let total = 0;
  d.owner[d.method] = function counted(this: unknown, ...args: unknown[]) {
    total++;
    return original.apply(this, args);
  };
  const backendName = tf.getBackend();
  const wrapped: tf.KernelConfig[] = [];
  let depth = 0;
  for (const config of tf.getKernelsForBackend(backendName)) {
    const inner = config.kernelFunc;
    const counting: tf.KernelConfig = {
      ...config,
      kernelFunc: (args) => {
        const before = total;
        depth++;
        try {
          return inner(args);
        } finally {
          depth--;
          if (depth === 0) {
            const k = (kernels[config.kernelName] ??= { calls: 0, programs: 0 });
            k.calls++;
            k.programs += total - before;
          }
        }
      },
    };
    tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel(counting);
    wrapped.push(config);
  }
  try {
    await work();
  } finally {
    d.owner[d.method] = original;
    for (const config of wrapped) {
      tf.unregisterKernel(config.kernelName, backendName);
      tf.registerKernel(config);
    }
  }
  return { total, kernels };
}
