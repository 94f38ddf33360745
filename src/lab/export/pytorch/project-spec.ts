/**
 * What the PyTorch export needs to know about an experiment, as plain data (plus, optionally, trained tf models), and
 * its checks: every problem is reported with the field it is in, before any file is made.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Experiment } from '../../experiment/schema';
import type { BackboneWeights } from '../../transfer/backbone-weights';
import type { BackboneId } from '../../transfer/backbones';

/** The experiment's hyperparameters, as train.py reads them from experiment.json. */
export interface PytorchHyperparameters {
  /** Square input side. */
  readonly size: number;
  readonly channels: 1 | 3;
  readonly epochs: number;
  /** Global batch: N processes take batchSize / N images each. */
  readonly batchSize: number;
  readonly learningRate: number;
  /** Every model is trained once per seed. */
  readonly seeds: readonly number[];
  readonly classWeights: 'balanced' | readonly number[] | null;
  /** Early-stopping patience in epochs; null = never stop early. */
  readonly patience: number | null;
  /** Keras convention (0.99 = the study); train.py converts to PyTorch's 1 − m. */
  readonly batchNormMomentum: number;
  /** Training batches BatchNorm statistics are re-estimated on before each validation; 0 = off. */
  readonly batchNormRecalibrationBatches: number;
  /** Positive when P(positive) ≥ threshold. */
  readonly threshold: number;
  /** Bootstrap resamples of the 95% intervals; 0 = none. */
  readonly bootstrapIterations: number;
  /** Transfer models: dropout before the head. */
  readonly headDropout: number;
  /** Transfer models: a LightDense head of this rank instead of Dense; null = Dense. */
  readonly headLightRank: number | null;
  /** InceptionV3: epochs that also train mixed9 and mixed10 after the head's (the lab's fine-tuning); 0 = off. */
  readonly fineTuneEpochs?: number;
}

/** One image: its path relative to the dataset folder (`--data`), '/'-separated, and its class name. */
export interface ManifestEntry {
  readonly path: string;
  readonly label: string;
}

/** Which file is in which split. */
export interface SplitManifest {
  readonly train: readonly ManifestEntry[];
  readonly val: readonly ManifestEntry[];
  readonly test: readonly ManifestEntry[];
}

/** Weights the lab trained: the model a run returned (image in, logits out) for one (model id, seed). */
export interface TrainedModel {
  readonly modelId: string;
  readonly seed: number;
  readonly model: tf.LayersModel;
}

export interface PytorchProjectSpec {
  /** Shown in README.md and results.json. */
  readonly title?: string;
  /** Registry ids to train (cnn, light-kN, inception-v3, mobilenet-v2). */
  readonly models: readonly string[];
  readonly hyperparameters: PytorchHyperparameters;
  readonly classNames: readonly string[];
  /** Index into classNames of the class the clinical metrics call positive. */
  readonly positiveClass: number;
  readonly splits: SplitManifest;
  /** Trained weights to start from, per (model, seed); train.py loads them unless --from-scratch. */
  readonly trained?: readonly TrainedModel[];
  /**
   * The lab's settings of the experiment (a card's), carried in experiment.json as `labSettings` so that results.json
   * records them (with train.py's overrides) and the page shows the run's settings; default: made from the above.
   */
  readonly settings?: Experiment;
  /** ImageNet weights of the transfer models' backbones; default: those loaded in this realm. */
  readonly backbones?: Partial<Record<BackboneId, BackboneWeights>>;
  /**
   * The backbone weights the experiment's runs used, by model id (a card's records): other weights loaded now are
   * refused, since the trained heads were fitted to these features.
   */
  readonly usedBackbones?: Readonly<Record<string, UsedBackbone>>;
}

/** What a run's record says about its backbone weights. */
export interface UsedBackbone {
  /** The content id of the weights (BackboneWeights.weightsId). */
  readonly weightsId: string;
  /** The pixel range they were fed. */
  readonly pixelRange: string;
  /** Where they were loaded from, for messages. */
  readonly origin: string;
}

/** Thrown for a spec the export cannot use; the message names the field. */
export class PytorchExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PytorchExportError';
  }
}

/** The hyperparameters of a lab experiment (its seeds included), as train.py reads them. */
export function hyperparametersOf(experiment: Experiment): PytorchHyperparameters {
  return {
    size: experiment.size,
    channels: experiment.channels,
    epochs: experiment.epochs,
    batchSize: experiment.batchSize,
    learningRate: experiment.learningRate,
    seeds: [...experiment.seeds],
    classWeights: experiment.classWeights === 'balanced' ? 'balanced' : null,
    patience: experiment.patience > 0 ? experiment.patience : null,
    batchNormMomentum: experiment.bnMomentum,
    batchNormRecalibrationBatches: experiment.bnRecalibration,
    threshold: experiment.threshold,
    bootstrapIterations: experiment.bootstrap,
    headDropout: experiment.headDropout,
    headLightRank: experiment.headRank > 0 ? experiment.headRank : null,
    fineTuneEpochs: experiment.fineTune,
  };
}

const fail = (message: string): never => {
  throw new PytorchExportError(message);
};

const isInt = (x: unknown, low: number, high = Number.MAX_SAFE_INTEGER) =>
  Number.isInteger(x) && (x as number) >= low && (x as number) <= high;

/** Checks the hyperparameters' ranges. */
export function checkHyperparameters(h: PytorchHyperparameters): void {
  const p = 'hyperparameters';
  if (!isInt(h.size, 1, 4096)) fail(`${p}.size must be a whole number of pixels ≥ 1 (got ${h.size})`);
  if (h.channels !== 1 && h.channels !== 3) fail(`${p}.channels must be 1 or 3 (got ${String(h.channels)})`);
  if (!isInt(h.epochs, 0)) fail(`${p}.epochs must be a whole number ≥ 0 (got ${h.epochs})`);
  if (!isInt(h.batchSize, 1)) fail(`${p}.batchSize must be a whole number ≥ 1 (got ${h.batchSize})`);
  if (!(h.learningRate > 0)) fail(`${p}.learningRate must be positive (got ${h.learningRate})`);
  if (!Array.isArray(h.seeds) || h.seeds.length === 0) fail(`${p}.seeds must list at least one seed`);
  h.seeds.forEach((s, i) => isInt(s, 0, 2 ** 31 - 1) || fail(`${p}.seeds[${i}] must be a whole number ≥ 0 (got ${s})`));
  if (new Set(h.seeds).size !== h.seeds.length) fail(`${p}.seeds lists a seed twice (${h.seeds.join(', ')})`);
  if (
    h.classWeights !== null &&
    h.classWeights !== 'balanced' &&
    !(Array.isArray(h.classWeights) && h.classWeights.every((w) => w >= 0))
  ) {
    fail(`${p}.classWeights must be null, 'balanced' or a list of weights ≥ 0`);
  }
  if (h.patience !== null && !isInt(h.patience, 1))
    fail(`${p}.patience must be null or a whole number ≥ 1 (got ${h.patience})`);
  if (!(h.batchNormMomentum >= 0 && h.batchNormMomentum < 1))
    fail(`${p}.batchNormMomentum must be in [0, 1) (got ${h.batchNormMomentum})`);
  if (!isInt(h.batchNormRecalibrationBatches, 0)) fail(`${p}.batchNormRecalibrationBatches must be a whole number ≥ 0`);
  if (!(h.threshold >= 0 && h.threshold <= 1)) fail(`${p}.threshold must be in [0, 1] (got ${h.threshold})`);
  if (!isInt(h.bootstrapIterations, 0)) fail(`${p}.bootstrapIterations must be a whole number ≥ 0`);
  if (!(h.headDropout >= 0 && h.headDropout < 1)) fail(`${p}.headDropout must be in [0, 1) (got ${h.headDropout})`);
  if (h.headLightRank !== null && !isInt(h.headLightRank, 1))
    fail(`${p}.headLightRank must be null or a whole number ≥ 1`);
  if (h.fineTuneEpochs != null && !isInt(h.fineTuneEpochs, 0)) {
    fail(`${p}.fineTuneEpochs must be a whole number ≥ 0 (got ${h.fineTuneEpochs})`);
  }
}

/**
 * Checks classes and splits: at least two distinct classes, a positive class among them, training and test images,
 * relative '/'-paths that stay inside the dataset folder, known labels, and no image in two splits.
 */
export function checkClassesAndSplits(spec: Pick<PytorchProjectSpec, 'classNames' | 'positiveClass' | 'splits'>): void {
  const { classNames, positiveClass, splits } = spec;
  if (!Array.isArray(classNames) || classNames.length < 2) fail('classNames must list at least two classes');
  if (new Set(classNames).size !== classNames.length) fail(`classNames lists a class twice (${classNames.join(', ')})`);
  if (!isInt(positiveClass, 0, classNames.length - 1))
    fail(`positiveClass ${positiveClass} is not an index into classNames (0..${classNames.length - 1})`);
  if (!splits?.train?.length) fail('splits.train lists no image');
  if (!splits?.test?.length) fail('splits.test lists no image');
  const known = new Set(classNames);
  const seen = new Map<string, string>();
  for (const split of ['train', 'val', 'test'] as const) {
    (splits[split] ?? []).forEach((entry, i) => {
      const where = `splits.${split}[${i}]`;
      const path = entry?.path;
      if (typeof path !== 'string' || path === '') fail(`${where} has no path`);
      if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.includes('\\') || path.split('/').includes('..')) {
        fail(`${where}.path "${path}" must be relative to the dataset folder, '/'-separated, without '..'`);
      }
      if (!known.has(entry.label))
        fail(`${where}.label "${entry.label}" is not one of classNames (${classNames.join(', ')})`);
      const other = seen.get(path);
      if (other) fail(`${where}: ${path} is also in splits.${other}; an image belongs to one split`);
      seen.set(path, split);
    });
  }
}
