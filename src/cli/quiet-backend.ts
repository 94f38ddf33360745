import * as tf from '@tensorflow/tfjs';

/** Selects tfjs' `cpu` backend without its "install tfjs-node" banner (we deliberately run without native addons). */
export async function useQuietCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
}
