/**
 * The fused L2 penalty: the same value as tfjs's regularizers (up to summation order), gradients identical to the
 * bit, and a fraction of the kernels, on wasm and cpu.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { traceKernels } from '../../src/lab/backend/kernel-trace';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { findModel } from '../../src/lab/registry';
import { regularizationLosses } from '../../src/lab/train/l2-penalty';

describe.each(['wasm', 'cpu'] as const)('the fused L2 penalty on %s', (backend) => {
  it("equals the sum of tfjs's regularizer losses, and its gradients are the same to the bit", async () => {
    await selectBackend(backend);
    const model = findModel('light-k3').build({ size: 16, channels: 3, seed: 2 });
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const fused = () => tf.addN(regularizationLosses(model)) as tf.Scalar;
    const stock = () => tf.addN(model.calculateLosses()) as tf.Scalar;
    const [a, b] = [tf.variableGrads(fused, variables), tf.variableGrads(stock, variables)];
    expect(regularizationLosses(model)).toHaveLength(1);
    expect(model.calculateLosses()).toHaveLength(18);
    const [va, vb] = [(await a.value.data())[0], (await b.value.data())[0]];
    expect(va).toBeGreaterThan(0);
    expect(Math.abs(va - vb) / vb).toBeLessThan(1e-6);
    for (const v of variables) {
      const [ga, gb] = [a.grads[v.name], b.grads[v.name]];
      if (gb == null) {
        expect(ga, v.name).toBeUndefined();
        continue;
      }
      expect(Array.from(await ga.data()), v.name).toEqual(Array.from(await gb.data()));
    }
    tf.dispose([a.value, b.value, ...Object.values(a.grads), ...Object.values(b.grads)]);
    model.dispose();
  });

  it('takes a fraction of the kernel calls', async () => {
    await selectBackend(backend);
    const model = findModel('light-k3').build({ size: 16, channels: 3, seed: 2 });
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const calls = async (f: () => tf.Scalar) => {
      const trace = await traceKernels(() => tf.variableGrads(f, variables).value);
      return trace.kernels.filter((k) => !k.customOp).reduce((n, k) => n + k.calls, 0);
    };
    const fused = await calls(() => tf.addN(regularizationLosses(model)) as tf.Scalar);
    const stock = await calls(() => tf.addN(model.calculateLosses()) as tf.Scalar);
    expect(fused).toBeLessThan(stock / 2);
    model.dispose();
  });
});
