/**
 * One training step of a registry model on the current backend, with everything the parity check compares: the
 * loss, the training-mode logits, every gradient, BatchNorm's moving statistics as the step's forward pass left
 * them and the inference-mode logits with those statistics (BatchNorm in both modes), and the weights after one
 * Adam step. Inputs are seeded, so every backend sees the same numbers.
 */
import * as tf from '@tensorflow/tfjs';
import { findModel } from '../../../src/lab/registry';
import { FusedAdam } from '../../../src/lab/train/fused-adam';
import { logitsLoss } from '../../../src/lab/train/loss';
import { createRng } from '../../../src/lab/util/rng';

export interface StepRequest {
  modelId: string;
  size: number;
  batch: number;
  channels: 1 | 3;
  seed: number;
}

export interface StepValues {
  loss: number;
  trainLogits: Float32Array;
  grads: Float32Array[];
  /** The trainable weights after one Adam step, in the order of `grads`. */
  weightsAfter: Float32Array[];
  /** BatchNorm's moving means and variances after the step (training mode updates them). */
  statsAfter: Float32Array[];
  inferLogits: Float32Array;
}

/** Seeded inputs in [0, 1) and alternating labels. */
export function stepInputs(r: StepRequest): { xs: tf.Tensor4D; ys: tf.Tensor1D } {
  const rng = createRng(r.seed);
  const values = Float32Array.from({ length: r.batch * r.size * r.size * r.channels }, () => rng.next());
  return {
    xs: tf.tensor4d(values, [r.batch, r.size, r.size, r.channels]),
    ys: tf.tensor1d(
      Array.from({ length: r.batch }, (_, i) => i % 2),
      'int32',
    ),
  };
}

export async function trainingStep(r: StepRequest): Promise<StepValues> {
  const model = findModel(r.modelId).build({ size: r.size, channels: r.channels, seed: r.seed });
  const { xs, ys } = stepInputs(r);
  const optimizer = new FusedAdam(1e-3, 0.9, 0.999, 1e-7);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let trainLogits: tf.Tensor | null = null;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const out = model.apply(xs, { training: true }) as tf.Tensor2D;
      trainLogits = tf.keep(out);
      return logitsLoss(model, out, ys);
    }, variables);
    const gradList = variables.map((v) => grads[v.name]);
    const read = (ts: tf.Tensor[]) => Promise.all(ts.map(async (t) => (await t.data()) as Float32Array));
    const loss = (await value.data())[0];
    const gradValues = await read(gradList);
    // Inference mode with the moving statistics the training-mode forward pass just updated.
    const statsAfter = await read(model.nonTrainableWeights.map((w) => w.read()));
    const infer = tf.tidy(() => model.predict(xs) as tf.Tensor);
    const inferLogits = (await infer.data()) as Float32Array;
    infer.dispose();
    optimizer.applyGradients(variables.map((v, k) => ({ name: v.name, tensor: gradList[k] })));
    tf.dispose([value, ...gradList]);
    const weightsAfter = await read(variables);
    const logits = (await (trainLogits as tf.Tensor | null)!.data()) as Float32Array;
    return { loss, trainLogits: logits, grads: gradValues, weightsAfter, statsAfter, inferLogits };
  } finally {
    tf.dispose([xs, ys, ...(trainLogits ? [trainLogits] : [])]);
    optimizer.dispose();
    model.dispose();
  }
}

/** Largest |a − b| and largest |b| (the reference) over matching arrays. */
function spread(a: ArrayLike<number>, b: ArrayLike<number>): { diff: number; ref: number } {
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    ref = Math.max(ref, Math.abs(b[i]));
  }
  return { diff, ref };
}

/** How far `got` is from the cpu reference `want`, per quantity (relative to the reference's largest value). */
export interface Parity {
  loss: number;
  trainLogits: number;
  /**
   * Worst variable: max |Δgrad| / max |grad| of that variable, the denominator at least 1e-3 of the largest
   * gradient of the model (a bias feeding BatchNorm has a gradient of exactly 0 in theory, rounding noise in
   * practice, so its own scale means nothing).
   */
  grads: number;
  /**
   * Largest |Δw| after one Adam step (learning rate 1e-3), over elements whose cpu gradient is at least 1e-3 of
   * the model's largest: Adam's first step is lr·sign(g), so where g is noise so is that 1e-3 move.
   */
  weightsAfter: number;
  /** Elements left out of `weightsAfter` for that reason, and the total. */
  weightsSkipped: number;
  weightsTotal: number;
  /** BatchNorm moving statistics after the step (relative, worst tensor). */
  statsAfter: number;
  inferLogits: number;
}

export function compareSteps(got: StepValues, want: StepValues): Parity {
  const rel = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    const s = spread(a, b);
    return s.diff / Math.max(s.ref, 1e-12);
  };
  const floor = 1e-3 * Math.max(...want.grads.map((g) => spread(g, g).ref));
  let weightsAfter = 0;
  let weightsSkipped = 0;
  let weightsTotal = 0;
  want.weightsAfter.forEach((w, k) => {
    const g = want.grads[k];
    for (let i = 0; i < w.length; i++) {
      weightsTotal++;
      if (Math.abs(g[i]) < floor) {
        weightsSkipped++;
        continue;
      }
      weightsAfter = Math.max(weightsAfter, Math.abs(got.weightsAfter[k][i] - w[i]));
    }
  });
  return {
    loss: Math.abs(got.loss - want.loss) / Math.abs(want.loss),
    trainLogits: rel(got.trainLogits, want.trainLogits),
    grads: Math.max(
      ...want.grads.map((g, k) => {
        const s = spread(got.grads[k], g);
        return s.diff / Math.max(s.ref, floor);
      }),
    ),
    weightsAfter,
    weightsSkipped,
    weightsTotal,
    statsAfter: Math.max(0, ...want.statsAfter.map((w, k) => rel(got.statsAfter[k], w))),
    inferLogits: rel(got.inferLogits, want.inferLogits),
  };
}

/**
 * The trainer's step as the dispatch count sees it: the model, its optimizer and one batch made once, one warm-up
 * step (shaders compile, Adam's moments are created), then `measure` runs around the second step (the minimize
 * and the asynchronous read of its loss), which is what every later step repeats.
 */
export async function aroundSecondStep<T>(
  r: StepRequest,
  measure: (step: () => Promise<void>) => Promise<T>,
): Promise<T> {
  const model = findModel(r.modelId).build({ size: r.size, channels: r.channels, seed: r.seed });
  const { xs, ys } = stepInputs(r);
  const optimizer = new FusedAdam(1e-3, 0.9, 0.999, 1e-7);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = async () => {
    const loss = optimizer.minimize(
      () => logitsLoss(model, model.apply(xs, { training: true }) as tf.Tensor2D, ys),
      true,
      variables,
    )!;
    await loss.data();
    loss.dispose();
  };
  try {
    await step();
    return await measure(step);
  } finally {
    tf.dispose([xs, ys]);
    optimizer.dispose();
    model.dispose();
  }
}
