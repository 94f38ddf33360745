/**
 * Records which kernels a piece of tfjs work dispatches on the current backend, how often and for how long, and
 * which of a list of kernels a backend lacks. Used to audit a training step on wasm (a missing kernel makes tfjs
 * throw mid-step; a pathologically slow one makes training crawl) and by the benchmarks.
 */
import * as tf from '@tensorflow/tfjs';

/** One kernel's share of the traced work. */
export interface KernelUse {
  name: string;
  /**
   * True for ops with a custom gradient (`tf.customGrad`), which tfjs's profiler lists under names like
   * `softmaxCrossEntropy__op`; they are not kernels, and the kernels they run are listed separately.
   */
  customOp: boolean;
  calls: number;
  /** Sum of the backend's own per-call timings (wall clock on wasm and cpu). */
  ms: number;
}

/** The trace of one run of the traced function. */
export interface KernelTrace {
  backend: string;
  /** Kernels in order of first dispatch. */
  kernels: KernelUse[];
  /** Sum of `ms` over the real kernels (custom ops excluded). */
  totalMs: number;
}

/**
 * Runs `fn` under `tf.profile` and aggregates the dispatched kernels by name. Kernels that a composite kernel
 * calls directly (as the fast gradients do) count as part of that kernel, not separately. Every tensor `fn`
 * creates and does not keep in a variable, its result included, is disposed.
 */
export async function traceKernels(fn: () => tf.TensorContainer | Promise<tf.TensorContainer>): Promise<KernelTrace> {
  // tf.profile does not tidy; a scope frees the intermediates (and the result) that `fn` leaves behind.
  const engine = tf.engine();
  engine.startScope();
  let info: Awaited<ReturnType<typeof tf.profile>>;
  try {
    info = await tf.profile(fn);
  } finally {
    engine.endScope();
  }
  const byName = new Map<string, KernelUse>();
  for (const k of info.kernels) {
    const time = await k.kernelTimeMs;
    const ms = typeof time === 'number' ? time : 0;
    const use = byName.get(k.name) ?? { name: k.name, customOp: isCustomOp(k.name), calls: 0, ms: 0 };
    use.calls += 1;
    use.ms += ms;
    byName.set(k.name, use);
  }
  const kernels = [...byName.values()];
  // A custom op's time already includes the kernels it ran, so only real kernels are summed.
  const totalMs = kernels.reduce((sum, k) => (k.customOp ? sum : sum + k.ms), 0);
  return { backend: tf.getBackend(), kernels, totalMs };
}

/** True for the pseudo-kernel names tfjs gives ops with custom gradients. */
export function isCustomOp(name: string): boolean {
  return name.endsWith('__op');
}

/** The kernel names among `kernelNames` (custom-gradient op names ignored) with no kernel for `backendName`. */
export function missingKernels(kernelNames: Iterable<string>, backendName: string): string[] {
  return [...new Set(kernelNames)].filter((name) => !isCustomOp(name) && tf.getKernel(name, backendName) == null);
}
