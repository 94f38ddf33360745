import * as tf from '@tensorflow/tfjs';
import { ADAM_STEP, type AdamStepAttrs } from '../backend/fast-training/kernels/adam-step';

type VariableGradients = Parameters<tf.Optimizer['applyGradients']>[0];
/** A named tensor of an optimizer's weights, as `getWeights`/`setWeights` pass them. */
type NamedTensor = Awaited<ReturnType<tf.Optimizer['getWeights']>>[number];

/** Where one variable's moments sit in the flat moment vectors. */
interface Slot {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

/**
 * Adam (the arithmetic of tfjs's AdamOptimizer, operation for operation) with both moments of every variable kept
 * end to end in two flat vectors, so that a step is a handful of kernel calls rather than ~14 per variable:
 *
 * - wasm and cpu: one ADAM_STEP call (backend/fast-training/kernels/adam-step.ts), bit-identical to tf.train.adam.
 * - webgl and webgpu: the gradients and weights are concatenated, updated by the same fourteen element-wise
 *   operations once for the whole model, and sliced back: ~90 GPU programs per light-k5 step instead of ~800.
 *
 * Checkpoints look like tfjs's: `getWeights` gives the step count and each variable's moments under tfjs's names
 * (`<variable>/m`, `<variable>/v`; new tensors, the caller disposes them), and `setWeights` takes them back (from
 * tfjs's Adam too). A run resumed from a checkpoint ends bit-identical to one that was not interrupted.
 */
export class FusedAdam extends tf.Optimizer {
  static get className(): string {
    return 'Adam';
  }

  private readonly accBeta1: tf.Variable;
  private readonly accBeta2: tf.Variable;
  private m: tf.Variable | null = null;
  private v: tf.Variable | null = null;
  private slots: Slot[] | null = null;

  constructor(
    private learningRate: number,
    private readonly beta1: number,
    private readonly beta2: number,
    private readonly epsilon = 1e-7,
  ) {
    super();
    this.accBeta1 = tf.tidy(() => tf.scalar(beta1).variable(false));
    this.accBeta2 = tf.tidy(() => tf.scalar(beta2).variable(false));
  }

  /** Changes the rate of the next steps (a schedule); the moments are unaffected. */
  setLearningRate(rate: number): void {
    this.learningRate = rate;
  }

  override applyGradients(variableGradients: VariableGradients): void {
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const gradients = names.map(
      (name, i) =>
        (Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name]) as
          tf.Tensor | undefined,
    );
    const values = names.map((name) => tf.engine().registeredVariables[name]);
    const slots = this.slotsFor(names, values);
    if (
      tf.getKernel(ADAM_STEP, tf.getBackend()) != null &&
      gradients.every((g) => g == null || g.dtype === 'float32')
    ) {
      this.kernelStep(slots, values, gradients);
    } else {
      this.opsStep(slots, values, gradients);
    }
    this.incrementIterations();
  }

  /** The moments' layout, made (with zero moments) on the first step; later steps must pass the same variables. */
  private slotsFor(names: string[], values: tf.Variable[]): Slot[] {
    if (this.slots == null) {
      let offset = 0;
      this.slots = names.map((name, i) => {
        const size = values[i].size;
        const slot = { name, shape: values[i].shape, offset, size };
        offset += size;
        return slot;
      });
      this.m = tf.tidy(() => tf.zeros([offset]).variable(false));
      this.v = tf.tidy(() => tf.zeros([offset]).variable(false));
    }
    const same =
      this.slots.length === names.length &&
      this.slots.every((s, i) => s.name === names[i] && s.size === values[i].size);
    if (!same) throw new Error('FusedAdam: each step must update the same variables, in the same order, as the first');
    return this.slots;
  }

  /** wasm, cpu: one kernel call for the whole model. */
  private kernelStep(slots: Slot[], values: tf.Variable[], gradients: (tf.Tensor | undefined)[]): void {
    tf.tidy(() => {
      const inputs: tf.NamedTensorMap = { m: this.m!, v: this.v!, accBeta1: this.accBeta1, accBeta2: this.accBeta2 };
      const skip: number[] = [];
      slots.forEach((_, i) => {
        inputs[`x${i}`] = values[i];
        if (gradients[i] == null) skip.push(i);
        else inputs[`g${i}`] = gradients[i]!;
      });
      const attrs: AdamStepAttrs = {
        count: slots.length,
        learningRate: this.learningRate,
        beta1: this.beta1,
        beta2: this.beta2,
        epsilon: this.epsilon,
        skip,
      };
      const outs = tf.engine().runKernel(ADAM_STEP, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      slots.forEach((_, i) => values[i].assign(outs[i]));
      const n = slots.length;
      this.m!.assign(outs[n]);
      this.v!.assign(outs[n + 1]);
      this.accBeta1.assign(outs[n + 2]);
      this.accBeta2.assign(outs[n + 3]);
    });
  }

  /** Other backends: tfjs's Adam arithmetic on the concatenated model, then each variable's slice assigned back. */
  private opsStep(slots: Slot[], values: tf.Variable[], gradients: (tf.Tensor | undefined)[]): void {
    tf.tidy(() => {
      const flat = (ts: tf.Tensor[]) =>
        ts.length === 1 ? tf.reshape(ts[0], [-1]) : tf.concat(ts.map((t) => tf.reshape(t, [-1])));
      const g = flat(slots.map((s, i) => gradients[i] ?? tf.zeros([s.size])));
      const x = flat(values);
      const m = this.m!;
      const v = this.v!;
      const oneMinusAccBeta1 = tf.sub(1, this.accBeta1);
      const oneMinusAccBeta2 = tf.sub(1, this.accBeta2);
      let m1 = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
      let v1 = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
      const x1 = tf.add(
        tf.mul(
          tf.div(tf.div(m1, oneMinusAccBeta1), tf.add(tf.sqrt(tf.div(v1, oneMinusAccBeta2)), this.epsilon)),
          -this.learningRate,
        ),
        x,
      );
      if (gradients.some((gr) => gr == null)) {
        // Variables without a gradient keep their moments (tfjs skips them).
        const keep = tf.concat(slots.map((s, i) => tf.fill([s.size], gradients[i] == null ? 1 : 0)));
        m1 = tf.where(tf.cast(keep, 'bool'), m, m1);
        v1 = tf.where(tf.cast(keep, 'bool'), v, v1);
      }
      m.assign(m1);
      v.assign(v1);
      slots.forEach((s, i) => {
        if (gradients[i] != null) values[i].assign(tf.reshape(tf.slice(x1, s.offset, s.size), s.shape));
      });
      this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
      this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
    });
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const moments = (flat: tf.Variable | null, suffix: string) =>
      (this.slots ?? []).map((s) => ({
        name: `${s.name}/${suffix}`,
        tensor: tf.tidy(() => tf.reshape(tf.slice(flat!, s.offset, s.size), s.shape)),
      }));
    return [await this.saveIterations(), ...moments(this.m, 'm'), ...moments(this.v, 'v')];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    // βᵗ as the steps compute it (one float32 product per step), not pow(β, t) as tfjs does: a resumed run then
    // ends bit-identical to an uninterrupted one.
    const power = (beta: number) => {
      let acc = Math.fround(beta);
      for (let i = 0; i < this.iterations; i++) acc = Math.fround(acc * Math.fround(beta));
      return acc;
    };
    // Inside tidy: assign shares the scalar's data, the scalar itself must not outlive this call.
    tf.tidy(() => {
      this.accBeta1.assign(tf.scalar(power(this.beta1)));
      this.accBeta2.assign(tf.scalar(power(this.beta2)));
    });
    const count = rest.length / 2;
    let offset = 0;
    this.slots = rest.slice(0, count).map(({ name, tensor }) => {
      const slot = { name: name.replace(/\/m$/, ''), shape: tensor.shape, offset, size: tensor.size };
      offset += tensor.size;
      return slot;
    });
    tf.dispose([this.m, this.v].filter((t): t is tf.Variable => t != null));
    const flat = (ts: NamedTensor[]) =>
      tf.tidy(() => tf.concat(ts.map((w) => tf.reshape(w.tensor, [-1]))).variable(false));
    this.m = count > 0 ? flat(rest.slice(0, count)) : null;
    this.v = count > 0 ? flat(rest.slice(count)) : null;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  override dispose(): void {
    super.dispose();
    tf.dispose([this.accBeta1, this.accBeta2, ...[this.m, this.v].filter((t): t is tf.Variable => t != null)]);
  }
}
