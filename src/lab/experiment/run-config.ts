/**
 * One run's settings: the experiment's values for one (model, seed), resolved into what the trainer, the evaluator
 * and the transfer code take (augmentation options instead of a switch, a class index instead of a name, null
 * instead of 0 for "off"). Derived, never stored: the experiment is the record.
 */
import { STANDARD_AUGMENTATION, XRAY_AUGMENTATION, type AugmentOptions } from '../data/augment';
import type { PixelRange } from '../data/batches';
import type { TrainOptions } from '../train/train-options';
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
  labelSmoothing: number;
  lrSchedule: 'constant' | 'cosine';
  /** Pick the best epoch (and stop early) on the class-balanced validation loss. */
  balancedValidation: boolean;
  threshold: number;
  /** Label index of the positive class. */
  positiveClass: number;
  bootstrapIterations: number;
  headDropout: number;
  headLightRank: number | null;
  fineTuneEpochs: number;
  /** Also score the test set after test-time BatchNorm adaptation. */
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
    augmentation: augmentationOf(experiment),
    labelSmoothing: experiment.labelSmoothing,
    lrSchedule: experiment.lrSchedule,
    balancedValidation: experiment.valLoss === 'balanced',
    threshold: experiment.threshold,
    positiveClass,
    bootstrapIterations: experiment.bootstrap,
    headDropout: experiment.headDropout,
    headLightRank: experiment.headRank > 0 ? experiment.headRank : null,
    fineTuneEpochs: experiment.fineTune,
    adaptBn: experiment.adaptBn,
  };
}

/** The augmentation the two switches ask for: the site differences come with the standard geometry or alone. */
function augmentationOf(experiment: Pick<Experiment, 'augment' | 'siteAugment'>): AugmentOptions | null {
  if (experiment.augment && experiment.siteAugment) return XRAY_AUGMENTATION;
  if (experiment.augment) return STANDARD_AUGMENTATION;
  if (experiment.siteAugment) {
    // The intensity part only: no flips, turns, shifts or zoom.
    return { ...XRAY_AUGMENTATION, flip: false, rotationDeg: 0, shift: 0, zoom: 0 };
  }
  return null;
}

/** What the image trainer takes from a run's settings (one mapping for the run loop and the benchmarks). */
export function imageTrainOptions(config: RunConfig, pixelRange: PixelRange): Partial<TrainOptions> {
  return {
    epochs: config.epochs,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    seed: config.seed,
    classWeights: config.classWeights,
    earlyStoppingPatience: config.earlyStoppingPatience,
    batchNormRecalibrationBatches: config.batchNormRecalibrationBatches,
    pixelRange,
    augmentation: config.augmentation,
    labelSmoothing: config.labelSmoothing,
    lrSchedule: config.lrSchedule,
    balancedValidation: config.balancedValidation,
  };
}
