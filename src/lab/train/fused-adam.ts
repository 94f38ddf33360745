import * as tf from '@tensorflow/tfjs';
import { ADAM_STEP, type AdamStepAttrs } from '../backend/kernels/adam-step';

/** The members of tfjs's AdamOptimizer that the fused update reads and writes (private in its typings). */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

/**
 * tfjs's Adam with the whole update of a step in one kernel call where the backend has one (ADAM_STEP: wasm and
 * cpu, see src/lab/backend/kernels/adam-step.ts), and tfjs's own update elsewhere (webgl, webgpu). Bit-identical
 * to `tf.train.adam` on the same backend, and the same object for everything else: moment variables and their
 * names, `getWeights`/`setWeights` (checkpoints), serialisation as 'Adam'.
 */
type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

export class FusedAdam extends tf.AdamOptimizer {
  override applyGradients(variableGradients: VariableGradients): void {
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const gradientOf = (name: string, i: number): tf.Tensor | undefined =>
      Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
    const fused = tf.getKernel(ADAM_STEP, tf.getBackend()) != null
      && names.every((name, i) => gradientOf(name, i) == null || gradientOf(name, i)!.dtype === 'float32');
    if (!fused) {
      super.applyGradients(variableGradients);
      return;
    }
    const s = this as unknown as AdamState;
    tf.tidy(() => {
      const inputs: tf.NamedTensorMap = { accBeta1: s.accBeta1, accBeta2: s.accBeta2 };
      const updated: { value: tf.Variable; m: tf.Variable; v: tf.Variable }[] = [];
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        // Moments start at zero the first time a variable is seen, under the names tfjs gives them.
        s.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        s.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient = gradientOf(name, i);
        if (gradient == null) return;
        const k = updated.length;
        const m = s.accumulatedFirstMoment[i].variable;
        const v = s.accumulatedSecondMoment[i].variable;
        Object.assign(inputs, { [`x${k}`]: value, [`g${k}`]: gradient, [`m${k}`]: m, [`v${k}`]: v });
        updated.push({ value, m, v });
      });
      const attrs: AdamStepAttrs = {
        count: updated.length, learningRate: s.learningRate, beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon,
      };
      const outs = tf.engine().runKernel(ADAM_STEP, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      updated.forEach(({ value, m, v }, k) => {
        value.assign(outs[3 * k]);
        m.assign(outs[3 * k + 1]);
        v.assign(outs[3 * k + 2]);
      });
      s.accBeta1.assign(outs[3 * updated.length]);
      s.accBeta2.assign(outs[3 * updated.length + 1]);
    });
    this.incrementIterations();
  }
}
