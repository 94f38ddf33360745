/**
 * Every setting that changes a result, in ONE table: its JSON key, its command-line flag (also its key in the page's
 * URL hash), its type, bounds and default, and a line of help. The page's form and URL hash, the CLI's flags, the
 * worker's messages and the `settings` of results.json and experiment.json all read this table, so a setting is
 * spelt, bounded and defaulted the same way everywhere.
 */
import { KERNEL_CHOICES, type KernelChoice } from '../backend/fast-training/kernel-choice';
import type { BackendPreference } from '../backend/select-backend';
import type { SplitSettings } from '../data/assign-splits';

/** One experiment: what to train, how, and how to score it. Plain JSON data. */
export interface Experiment {
  /** Registry ids, in queue order. */
  models: string[];
  /** Square input side in pixels. */
  size: number;
  channels: 1 | 3;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** One run per seed and model. The first seed also deals the train/val/test split, which every run shares. */
  seeds: number[];
  valFraction: number;
  testFraction: number;
  /** Keep the data's own val/ folder (Kermany's 16 images) instead of a patient-level split of train. */
  keepOfficialVal: boolean;
  /** Load at most this many images (seeded, class-stratified); 0 = all. */
  limit: number;
  classWeights: 'none' | 'balanced';
  /** Epochs without a lower validation loss before stopping; 0 = never (the study). */
  patience: number;
  /** Training batches that re-estimate BatchNorm statistics before each validation; 0 = the study. */
  bnRecalibration: number;
  /** BatchNorm momentum of the built networks (Keras' 0.99 = the study). */
  bnMomentum: number;
  /** Seeded flips, ±10° rotation, ±10% shift/zoom/brightness/contrast of training images (off = the study). */
  augment: boolean;
  /** Decision threshold on P(positive). */
  threshold: number;
  /** Class scored as positive, by name; null = PNEUMONIA when present, else the second class. */
  positiveClass: string | null;
  /** Bootstrap resamples for the 95% intervals; 0 = none. */
  bootstrap: number;
  /** Also score the test set after re-estimating BatchNorm statistics on its images (AdaBN); both sets are recorded. */
  adaptBn: boolean;
  /** Transfer models: dropout before the head (0 = the study). */
  headDropout: number;
  /** Transfer models: rank of a LightDense head; 0 = a plain Dense (the study). */
  headRank: number;
  /** InceptionV3: epochs that also train mixed9 and mixed10 after the head's; 0 = frozen (the study). */
  fineTune: number;
  /** Backend to train on; auto picks. */
  backend: BackendPreference;
  /** The lab's fast training kernels, or stock tfjs (to check that a result does not depend on them). */
  kernels: KernelChoice;
}

export type ExperimentKey = keyof Experiment;

interface FieldBase<K extends ExperimentKey> {
  readonly key: K;
  /** Command-line flag without dashes; also the URL-hash key. */
  readonly flag: string;
  readonly default: Experiment[K];
  readonly help: string;
}

/** The kinds of value a setting can hold, with their bounds. */
export type FieldSpec =
  | (FieldBase<NumberKey> & { readonly kind: 'int'; readonly min: number; readonly max: number })
  | (FieldBase<NumberKey> & { readonly kind: 'number'; readonly min: number; readonly max: number; readonly exclusiveMin?: boolean; readonly exclusiveMax?: boolean })
  | (FieldBase<BoolKey> & { readonly kind: 'bool' })
  | (FieldBase<ChoiceKey> & { readonly kind: 'choice'; readonly options: readonly (string | number)[]; readonly bare?: string })
  | (FieldBase<'seeds'> & { readonly kind: 'ints'; readonly min: number; readonly max: number; readonly maxItems: number })
  | (FieldBase<'models'> & { readonly kind: 'models' })
  | (FieldBase<'positiveClass'> & { readonly kind: 'class' });

type KeysOf<T> = { [K in ExperimentKey]: Experiment[K] extends T ? K : never }[ExperimentKey];
type NumberKey = KeysOf<number>;
type BoolKey = KeysOf<boolean>;
type ChoiceKey = 'channels' | 'classWeights' | 'backend' | 'kernels';

const MAX_SEED = 2 ** 31 - 1;

/** The table. Order = the order of --help, the form and the recorded settings. */
export const EXPERIMENT_FIELDS: readonly FieldSpec[] = [
  { key: 'models', flag: 'models', kind: 'models', default: ['cnn', 'light-k2'], help: 'registry ids, comma-separated (light-kN for any rank N)' },
  { key: 'size', flag: 'size', kind: 'int', min: 8, max: 1024, default: 128, help: 'square input side in pixels (the study: 299)' },
  { key: 'channels', flag: 'channels', kind: 'choice', options: [1, 3], default: 3, help: '1 = grey, 3 = grey repeated as RGB (the study)' },
  { key: 'epochs', flag: 'epochs', kind: 'int', min: 1, max: 10_000, default: 5, help: 'training epochs (the study: 20)' },
  { key: 'batchSize', flag: 'batch', kind: 'int', min: 1, max: 4096, default: 32, help: 'images per training step (the study: 64)' },
  { key: 'learningRate', flag: 'lr', kind: 'number', min: 0, max: 1, exclusiveMin: true, default: 0.001, help: 'Adam learning rate' },
  { key: 'seeds', flag: 'seeds', kind: 'ints', min: 0, max: MAX_SEED, maxItems: 100, default: [1], help: 'one run per seed; the first also deals the split' },
  { key: 'valFraction', flag: 'val-fraction', kind: 'number', min: 0, max: 0.9, default: 0.1, help: 'share of the pool held out (by patient) to pick the best epoch' },
  { key: 'testFraction', flag: 'test-fraction', kind: 'number', min: 0, max: 0.9, default: 0.2, help: 'share of the pool held out (by patient) for testing, when the data has no test/ folder' },
  { key: 'keepOfficialVal', flag: 'keep-val', kind: 'bool', default: false, help: "keep the data's own val/ folder as the validation set" },
  { key: 'limit', flag: 'limit', kind: 'int', min: 0, max: 10_000_000, default: 0, help: 'use at most this many images (seeded, class-stratified); 0 = all' },
  { key: 'classWeights', flag: 'class-weights', kind: 'choice', options: ['none', 'balanced'], bare: 'balanced', default: 'none', help: 'balanced: the rare class counts more in the loss' },
  { key: 'patience', flag: 'patience', kind: 'int', min: 0, max: 10_000, default: 0, help: 'stop after this many epochs without a lower validation loss; 0 = never' },
  { key: 'bnRecalibration', flag: 'bn-recalibrate', kind: 'int', min: 0, max: 10_000, default: 20, help: 'training batches that re-estimate BatchNorm statistics before each validation; 0 = the study' },
  { key: 'bnMomentum', flag: 'bn-momentum', kind: 'number', min: 0, max: 1, exclusiveMax: true, default: 0.99, help: "BatchNorm moving-average momentum (Keras' 0.99 = the study)" },
  { key: 'augment', flag: 'augment', kind: 'bool', default: false, help: 'seeded flips, ±10° rotation, ±10% shift/zoom/brightness/contrast of training images' },
  { key: 'threshold', flag: 'threshold', kind: 'number', min: 0, max: 1, default: 0.5, help: 'decision threshold on P(positive)' },
  { key: 'positiveClass', flag: 'positive', kind: 'class', default: null, help: 'class scored as positive (default PNEUMONIA when present, else the second class)' },
  { key: 'bootstrap', flag: 'bootstrap', kind: 'int', min: 0, max: 100_000, default: 1000, help: 'bootstrap resamples for 95% intervals; 0 = none' },
  { key: 'adaptBn', flag: 'adapt-bn', kind: 'bool', default: false, help: 'also score the test set with BatchNorm statistics re-estimated on its images (no labels; AdaBN); records both metric sets' },
  { key: 'headDropout', flag: 'head-dropout', kind: 'number', min: 0, max: 0.9, default: 0, help: 'transfer models: dropout before the head' },
  { key: 'headRank', flag: 'head-rank', kind: 'int', min: 0, max: 1024, default: 0, help: 'transfer models: rank of a LightDense head; 0 = Dense (the study)' },
  { key: 'fineTune', flag: 'fine-tune', kind: 'int', min: 0, max: 1000, default: 0, help: 'inception-v3: epochs that also train mixed9 and mixed10 after the head' },
  { key: 'backend', flag: 'backend', kind: 'choice', options: ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'], default: 'auto', help: 'where to train (auto: the fastest that works)' },
  { key: 'kernels', flag: 'kernels', kind: 'choice', options: KERNEL_CHOICES, default: 'lab', help: "lab: the lab's fast training kernels; stock: tfjs's own (wasm keeps a filter gradient of the lab's)" },
];

/**
 * The command line's own defaults, where they differ from the page's on purpose: the page opens on a quick demo of
 * two models; `xray-lab compare` runs the study's whole comparison for the study's 20 epochs.
 */
export const CLI_DEFAULTS: Partial<Experiment> = {
  models: ['cnn', 'light-k1', 'light-k2', 'light-k3', 'light-k4', 'light-k5'],
  epochs: 20,
};

/** The defaults as one experiment (fresh arrays: callers may change them). */
export function defaultExperiment(overrides: Partial<Experiment> = {}): Experiment {
  const out = {} as Record<ExperimentKey, unknown>;
  for (const field of EXPERIMENT_FIELDS) {
    const value = field.key in overrides ? overrides[field.key] : field.default;
    out[field.key] = Array.isArray(value) ? [...value] : value;
  }
  return out as unknown as Experiment;
}

/** The field of a JSON key or a flag name, or undefined. */
export function findField(name: string): FieldSpec | undefined {
  return EXPERIMENT_FIELDS.find((f) => f.key === name || f.flag === name);
}

/** The split an experiment deals (its first seed deals it; every run shares it), for the data pipeline. */
export function splitOf(experiment: Pick<Experiment, 'valFraction' | 'testFraction' | 'seeds' | 'keepOfficialVal'>): SplitSettings {
  return { valFraction: experiment.valFraction, testFraction: experiment.testFraction, seed: experiment.seeds[0], keepOfficialVal: experiment.keepOfficialVal };
}
