/**
 * How fast the trainer's own step runs on the current backend, in images/s: what 'auto' calibration compares
 * between backends (backend/calibrate.ts takes it as its probe).
 */
import * as tf from '@tensorflow/tfjs';
import { OverTimeError, type CalibrationTarget, type MeasureLimits } from '../backend/calibrate';
import { FusedAdam } from './fused-adam';
import { logitsLoss } from './loss';

const TIMED_STEPS_MAX = 4;

/** Random inputs and alternating labels of one batch of the target's shape. */
function syntheticBatch(t: CalibrationTarget): { xs: tf.Tensor4D; ys: tf.Tensor1D } {
  return tf.tidy(() => ({
    xs: tf.randomUniform([t.batchSize, t.size, t.size, t.channels], 0, 1, 'float32', 1) as tf.Tensor4D,
    ys: tf.tensor1d(
      Array.from({ length: t.batchSize }, (_, i) => i % 2),
      'int32',
    ),
  }));
}

/** Lets timers and messages run between steps (on wasm and cpu a whole measurement is otherwise one task). */
const breathe = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Images/s of the trainer's step (the model forward and backward, its loss with the L2 penalties, FusedAdam) on
 * the current backend: one warm-up step (kernel compilation, heap growth), then steps until the budget. Throws
 * when a step throws, the backend reads back a non-finite loss, or the deadline passes.
 */
export async function measureTrainingSpeed(
  makeModel: () => tf.LayersModel,
  target: CalibrationTarget,
  limits: MeasureLimits = {},
): Promise<number> {
  const budgetMs = limits.budgetMs ?? 600;
  const model = makeModel();
  const optimizer = new FusedAdam(1e-3, 0.9, 0.999, 1e-7);
  const { xs, ys } = syntheticBatch(target);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = async () => {
    // Given up on (over its time limit): stop before the next step rather than train on whatever is current now.
    if (limits.signal?.aborted) throw new Error('calibration abandoned');
    await breathe();
    const logits = () => model.apply(xs, { training: true }) as tf.Tensor2D;
    const loss = optimizer.minimize(() => logitsLoss(model, logits(), ys), true, variables)!;
    const value = (await loss.data())[0];
    loss.dispose();
    if (!Number.isFinite(value)) throw new Error(`the loss came back ${value}`);
    if (limits.deadline != null && performance.now() > limits.deadline) throw new OverTimeError();
  };
  try {
    await step();
    const started = performance.now();
    let steps = 0;
    while (steps < TIMED_STEPS_MAX && (steps === 0 || performance.now() - started < budgetMs)) {
      await step();
      steps++;
    }
    return (steps * target.batchSize * 1000) / (performance.now() - started);
  } finally {
    tf.dispose([xs, ys]);
    optimizer.dispose();
    model.dispose();
  }
}
