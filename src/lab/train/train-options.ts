import type { AugmentOptions } from '../data/augment';
import type { PixelRange } from '../data/batches';

/** Everything that shapes a training run. Defaults follow the study except where noted. */
export interface TrainOptions {
  /** Default 20 (the study). */
  epochs: number;
  /** Default 64 (the study). */
  batchSize: number;
  /** Adam learning rate. Default 1e-3 (β1 0.9, β2 0.999, ε 1e-7 as Keras). */
  learningRate: number;
  /** Seeds the per-epoch shuffles. Default 1. */
  seed: number;
  /** 'balanced' weighs each class by n / (classes · n_class); null = unweighted (the study). */
  classWeights: 'balanced' | readonly number[] | null;
  /** Stop after this many epochs without a lower validation loss; null = never (the study). */
  earlyStoppingPatience: number | null;
  /** Put back the weights of the epoch with the lowest validation loss at the end (the study does). Default true. */
  restoreBestWeights: boolean;
  /**
   * Re-estimate BatchNorm's moving statistics on this many training batches before each validation pass; 0 = off
   * (the study). A remedy for validation curves that swing because the moving averages lag.
   */
  batchNormRecalibrationBatches: number;
  /** Pixel scaling the model expects. Default [0, 1]. */
  pixelRange: PixelRange;
  /** Seeded on-the-fly augmentation of training images; null = none (the study). */
  augmentation: AugmentOptions | null;
  /** Label smoothing ε: targets (1 − ε)·one-hot + ε / classes (0 = the study). */
  labelSmoothing: number;
  /** 'cosine': the rate rises linearly over the first epoch, then falls along a cosine to 0 (0 = the study). */
  lrSchedule: 'constant' | 'cosine';
  /**
   * Pick the best epoch and stop early on the validation loss with each class weighted alike (n / (classes · n_c)),
   * so a model is not chosen for leaning towards the common class; false = the plain mean (the study).
   */
  balancedValidation: boolean;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  epochs: 20,
  batchSize: 64,
  learningRate: 1e-3,
  seed: 1,
  classWeights: null,
  earlyStoppingPatience: null,
  restoreBestWeights: true,
  batchNormRecalibrationBatches: 0,
  pixelRange: '0,1',
  augmentation: null,
  labelSmoothing: 0,
  lrSchedule: 'constant',
  balancedValidation: false,
};

/** Fills defaults and rejects nonsense with a message naming the option. */
export function resolveTrainOptions(partial: Partial<TrainOptions> = {}): TrainOptions {
  const o: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS, ...stripUndefined(partial) };
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a whole number ≥ 1 (got ${v})`);
  };
  positiveInt('epochs', o.epochs);
  positiveInt('batchSize', o.batchSize);
  if (!(o.learningRate > 0) || !Number.isFinite(o.learningRate)) {
    throw new RangeError(`learningRate must be a positive number (got ${o.learningRate})`);
  }
  if (!Number.isInteger(o.seed)) throw new RangeError(`seed must be an integer (got ${o.seed})`);
  if (o.earlyStoppingPatience != null) positiveInt('earlyStoppingPatience', o.earlyStoppingPatience);
  if (!(o.labelSmoothing >= 0 && o.labelSmoothing < 1))
    throw new RangeError(`labelSmoothing must lie in [0, 1) (got ${o.labelSmoothing})`);
  if (!Number.isInteger(o.batchNormRecalibrationBatches) || o.batchNormRecalibrationBatches < 0) {
    throw new RangeError(
      `batchNormRecalibrationBatches must be a whole number ≥ 0 (got ${o.batchNormRecalibrationBatches})`,
    );
  }
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
