/**
 * A training checkpoint: everything the training loop needs to continue a run after the end of an epoch as if it had
 * never stopped — every weight (BatchNorm's moving statistics included), Adam's step count and moments, the shuffle
 * generator's state and the current order, the augmentation stream's position, the epoch logs, the best-so-far
 * weights and the early-stopping count. Plain typed arrays only: it can be structured-cloned to a worker, stored in
 * IndexedDB or written into a zip (see src/lab/persist/checkpoint-codec.ts). A run resumed from one ends with the
 * same weights, bit for bit, as a run that was not interrupted (same seed, same backend).
 */
import * as tf from '@tensorflow/tfjs';
import type { FusedAdam } from './fused-adam';
import type { EpochLog } from './train-log';

export const CHECKPOINT_VERSION = 1;

/** One weight tensor's values (float32) and shape. */
export interface WeightArray {
  readonly shape: number[];
  readonly values: Float32Array;
}

export interface TrainCheckpoint {
  readonly version: typeof CHECKPOINT_VERSION;
  /** Epochs completed (1-based epoch numbers: the run continues with epoch + 1). */
  readonly epoch: number;
  readonly epochsPlanned: number;
  /** What the run was started with; a resume with other values is refused. */
  readonly seed: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly trainCount: number;
  /** The backend it trained on (bit-exact resume holds on the same backend only). */
  readonly backend: string;
  /** model.getWeights() in order. */
  readonly weights: WeightArray[];
  /** Adam: the step count and both moments of every trainable variable, in model.trainableWeights order. */
  readonly optimizer: { readonly iterations: number; readonly m: Float32Array[]; readonly v: Float32Array[] };
  /** The shuffle generator's state after this epoch, and the training order it left (shuffles work in place). */
  readonly rngState: number;
  readonly order: Int32Array;
  /** The training source's position (augmentation draws); null when it has none. */
  readonly sourcePosition: number | null;
  readonly history: EpochLog[];
  /** The lowest-validation-loss epoch so far (or the latest one without validation) and its weights. */
  readonly best: { readonly score: number; readonly epoch: number; readonly weights: WeightArray[] } | null;
  readonly epochsWithoutImprovement: number;
  /** True when early stopping ended the run at this epoch: a resume only puts back the best weights. */
  readonly stoppedEarly: boolean;
  /** Training time so far, for the record (a resumed run reports the sum). */
  readonly elapsedMs: number;
  readonly trainMs: number;
  readonly imagesTrained: number;
}

/** A checkpoint that does not belong to this model or these settings. */
export class CheckpointMismatchError extends Error {
  constructor(detail: string) {
    super(`cannot resume from this checkpoint: ${detail}`);
    this.name = 'CheckpointMismatchError';
  }
}

/** Reads tensors into plain arrays (asynchronously: a synchronous read stalls a GPU pipeline). */
export async function readWeights(tensors: readonly tf.Tensor[]): Promise<WeightArray[]> {
  return Promise.all(
    tensors.map(async (t) => {
      if (t.dtype !== 'float32') throw new Error(`checkpoints hold float32 weights only (got ${t.dtype})`);
      // data() may hand back the backend's own buffer (cpu): copy so later steps cannot change it.
      return { shape: [...t.shape], values: (await t.data<'float32'>()).slice() };
    }),
  );
}

/** Adam's state as arrays, in `variables` order (names are the variables' own, so a rebuilt model maps by position). */
export async function readOptimizer(optimizer: FusedAdam): Promise<TrainCheckpoint['optimizer']> {
  const saved = await optimizer.getWeights();
  try {
    const iterations = (await saved[0].tensor.data())[0];
    const moments = saved.slice(1);
    const count = moments.length / 2;
    const arrays = await Promise.all(moments.map(async (w) => (await w.tensor.data<'float32'>()).slice()));
    return { iterations, m: arrays.slice(0, count), v: arrays.slice(count) };
  } finally {
    tf.dispose(saved.map((w) => w.tensor));
  }
}

/** Puts the checkpoint's weights into `model`, after checking they are this model's (count and shapes). */
export function restoreWeights(model: tf.LayersModel, weights: readonly WeightArray[], what = 'weights'): void {
  const live = model.getWeights();
  if (live.length !== weights.length) {
    throw new CheckpointMismatchError(`it holds ${weights.length} ${what} tensors, the model has ${live.length}`);
  }
  live.forEach((w, i) => {
    if (w.shape.join() !== weights[i].shape.join()) {
      throw new CheckpointMismatchError(`${what} ${i} has shape [${weights[i].shape}], the model's is [${w.shape}]`);
    }
  });
  const tensors = weights.map((w) => tf.tensor(w.values, w.shape, 'float32'));
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}

/** Gives `optimizer` the checkpoint's step count and moments, named after `variables` (the rebuilt model's). */
export async function restoreOptimizer(
  optimizer: FusedAdam,
  state: TrainCheckpoint['optimizer'],
  variables: readonly tf.Variable[],
): Promise<void> {
  if (state.m.length !== variables.length || state.v.length !== variables.length) {
    throw new CheckpointMismatchError(
      `it holds Adam moments for ${state.m.length} variables, the model trains ${variables.length}`,
    );
  }
  variables.forEach((v, i) => {
    if (state.m[i].length !== v.size || state.v[i].length !== v.size) {
      throw new CheckpointMismatchError(
        `Adam moments of ${v.name} have ${state.m[i].length} values, the variable ${v.size}`,
      );
    }
  });
  const named = [
    { name: 'iter', tensor: tf.scalar(state.iterations, 'int32') },
    ...variables.map((v, i) => ({ name: `${v.name}/m`, tensor: tf.tensor(state.m[i], v.shape, 'float32') })),
    ...variables.map((v, i) => ({ name: `${v.name}/v`, tensor: tf.tensor(state.v[i], v.shape, 'float32') })),
  ];
  try {
    await optimizer.setWeights(named);
  } finally {
    tf.dispose(named.map((w) => w.tensor));
  }
}

/** Refuses a checkpoint taken with other settings or data (it would silently train a different run). */
export function checkResumable(
  cp: TrainCheckpoint,
  run: { seed: number; batchSize: number; learningRate: number; epochs: number; trainCount: number },
): void {
  if (cp.version !== CHECKPOINT_VERSION)
    throw new CheckpointMismatchError(`it has version ${cp.version}, this lab reads ${CHECKPOINT_VERSION}`);
  const differs = (name: string, saved: number, now: number) => {
    if (saved !== now) throw new CheckpointMismatchError(`it was taken with ${name} ${saved}, this run has ${now}`);
  };
  differs('seed', cp.seed, run.seed);
  differs('batch size', cp.batchSize, run.batchSize);
  differs('learning rate', cp.learningRate, run.learningRate);
  differs('epochs', cp.epochsPlanned, run.epochs);
  differs('training images', cp.trainCount, run.trainCount);
  if (cp.order.length !== run.trainCount)
    throw new CheckpointMismatchError(`its training order has ${cp.order.length} entries, not ${run.trainCount}`);
}
