import type { AugmentOptions } from '../data/augment';
import type { TrainOptions } from '../train/train-options';

/** The settings of one comparison run: shared by every model of the queue, recorded with the results. */
export interface ExperimentSettings {
  /** Square input side. */
  size: number;
  channels: 1 | 3;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Seeds initialisation, shuffles, splits and bootstrap. */
  seed: number;
  classWeights: TrainOptions['classWeights'];
  earlyStoppingPatience: number | null;
  batchNormRecalibrationBatches: number;
  /** BatchNorm momentum of the built networks (Keras' 0.99 = the study). */
  batchNormMomentum: number;
  /** Seeded on-the-fly augmentation of training images (flip, rotation, shift, zoom, brightness, contrast); null = none, as the study. */
  augmentation: AugmentOptions | null;
  /** Decision threshold on P(positive). */
  threshold: number;
  /** Label index of the positive class for clinical metrics. */
  positiveClass: number;
  /** Bootstrap resamples for the 95% intervals; 0 = none. */
  bootstrapIterations: number;
  /** Transfer models: dropout rate before the head (0 = none, the study; its extra runs used 0.25). */
  headDropout: number;
  /** Transfer models: a LightDense head of this rank instead of a plain Dense; null = Dense (the study). */
  headLightRank: number | null;
  /**
   * inception-v3 only, advanced: after the head's epochs, this many more epochs that also train mixed9 and mixed10
   * (BatchNorm frozen, learning rate ×0.1) on cached mixed8 activations. 0 = off (the study: fully frozen).
   */
  fineTuneEpochs: number;
}

export const DEFAULT_EXPERIMENT_SETTINGS: ExperimentSettings = {
  size: 299,
  channels: 3,
  epochs: 20,
  batchSize: 64,
  learningRate: 1e-3,
  seed: 1,
  classWeights: null,
  earlyStoppingPatience: null,
  // Not the study's protocol (0), but its documented remedy: with Keras' BatchNorm momentum of 0.99 the moving
  // statistics lag far behind in short runs, and inference-mode predictions collapse to one class (measured on
  // 800 Kermany images at 64 px, 2 epochs: test AUC 0.18–0.35 without, 0.93–0.97 with 20 batches). 0 = the study.
  batchNormRecalibrationBatches: 20,
  batchNormMomentum: 0.99,
  augmentation: null,
  threshold: 0.5,
  positiveClass: 1,
  bootstrapIterations: 1000,
  headDropout: 0,
  headLightRank: null,
  fineTuneEpochs: 0,
};
