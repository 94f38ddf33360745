/**
 * One run's settings: the experiment's values for one (model, seed), resolved into what the trainer, the evaluator
 * and the transfer code take (augmentation options instead of a switch, a class index instead of a name, null
 * instead of 0 for "off"). Derived, never stored: the experiment is the record.
 */
import { STANDARD_AUGMENTATION, type AugmentOptions } from '../data/augment';
import type { Experiment } from './schema';

export interface RunConfig {
  size: number;
  channels: 1 | 3;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** This run's seed: initialisation, shuffles, augmentation and bootstrap. */
  seed: number;
  classWeights: 'balanced' | null;
  earlyStoppingPatience: number | null;
  batchNormRecalibrationBatches: number;
  batchNormMomentum: number;
  augmentation: AugmentOptions | null;
  threshold: number;
  /** Label index of the positive class. */
  positiveClass: number;
  bootstrapIterations: number;
  headDropout: number;
  headLightRank: number | null;
  fineTuneEpochs: number;
  /** Also score the test set after test-time BatchNorm adaptation (issue 12). */
  adaptBn: boolean;
}

/** The run of `experiment` with `seed`, scoring class `positiveClass` (an index into the data's classes). */
export function runConfig(experiment: Experiment, seed: number, positiveClass: number): RunConfig {
  return {
    size: experiment.size,
    channels: experiment.channels,
    epochs: experiment.epochs,
    batchSize: experiment.batchSize,
    learningRate: experiment.learningRate,
    seed,
    classWeights: experiment.classWeights === 'balanced' ? 'balanced' : null,
    earlyStoppingPatience: experiment.patience > 0 ? experiment.patience : null,
    batchNormRecalibrationBatches: experiment.bnRecalibration,
    batchNormMomentum: experiment.bnMomentum,
    augmentation: experiment.augment ? STANDARD_AUGMENTATION : null,
    threshold: experiment.threshold,
    positiveClass,
    bootstrapIterations: experiment.bootstrap,
    headDropout: experiment.headDropout,
    headLightRank: experiment.headRank > 0 ? experiment.headRank : null,
    fineTuneEpochs: experiment.fineTune,
    adaptBn: experiment.adaptBn,
  };
}

