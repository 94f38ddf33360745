import * as tf from '@tensorflow/tfjs';

/** Runs tests on tfjs' reference `cpu` backend (deterministic, available everywhere) and silences its Node banner. */
export async function useCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  // The cpu backend prints an "install tfjs-node" banner on first use in Node; we deliberately do not use tfjs-node.
  (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
}

/** Largest absolute difference between two tensors' values. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}
