import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

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

/**
 * Checks a layer's analytic gradients against central finite differences at a few weight entries.
 * @param objective a scalar loss of the layer's trainable weights
 * @param picks [index into `variables`, flat index into that weight] pairs to probe
 */
export function expectGradientsMatchFiniteDifferences(
  objective: () => tf.Scalar,
  variables: tf.Variable[],
  picks: readonly (readonly [number, number])[],
  eps = 1e-2,
): void {
  const { grads } = tf.variableGrads(objective, variables);
  for (const [wi, flat] of picks) {
    const variable = variables[wi];
    const base = variable.dataSync().slice();
    const at = (delta: number) => {
      const v = base.slice();
      v[flat] += delta;
      variable.assign(tf.tensor(v, variable.shape));
      return objective().dataSync()[0];
    };
    const numeric = (at(eps) - at(-eps)) / (2 * eps);
    variable.assign(tf.tensor(base, variable.shape));
    const analytic = grads[variable.name].dataSync()[flat];
    expect(Math.abs(analytic - numeric), `${variable.name}[${flat}]`).toBeLessThan(
      1e-2 * Math.max(1, Math.abs(numeric)),
    );
  }
  tf.dispose(Object.values(grads));
}
