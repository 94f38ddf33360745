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
  /**
   * The training recipe the ingredient defaults come from: `study` = the study's faithful protocol, `robust` = the
   * lab's recipe for results that hold on images from elsewhere (recipes.ts). Explicit settings still override.
   */
  recipe: Recipe;
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
  /** Also vary gamma, blur, noise and contrast of training images, as X-rays differ between sites (off = the study). */
  siteAugment: boolean;
  /** Label smoothing ε of the training loss (0 = the study). */
  labelSmoothing: number;
  /** Learning rate over training: constant (the study), or one epoch's warm-up then cosine decay. */
  lrSchedule: 'constant' | 'cosine';
  /** Validation loss that picks the best epoch and stops early: plain, or class-balanced (each class counts alike). */
  valLoss: 'plain' | 'balanced';
  /** Also score each model's seeds averaged (their predicted probabilities) as a row of its own. */
  ensemble: boolean;
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
  | (FieldBase<NumberKey> & {
      readonly kind: 'number';
      readonly min: number;
      readonly max: number;
      readonly exclusiveMin?: boolean;
      readonly exclusiveMax?: boolean;
    })
  | (FieldBase<BoolKey> & { readonly kind: 'bool' })
  | (FieldBase<ChoiceKey> & {
      readonly kind: 'choice';
      readonly options: readonly (string | number)[];
      readonly bare?: string;
    })
  | (FieldBase<'seeds'> & {
      readonly kind: 'ints';
      readonly min: number;
      readonly max: number;
      readonly maxItems: number;
    })
  | (FieldBase<'models'> & { readonly kind: 'models' })
  | (FieldBase<'positiveClass'> & { readonly kind: 'class' });

type KeysOf<T> = { [K in ExperimentKey]: Experiment[K] extends T ? K : never }[ExperimentKey];
type NumberKey = KeysOf<number>;
type BoolKey = KeysOf<boolean>;
type ChoiceKey = 'channels' | 'classWeights' | 'backend' | 'recipe' | 'lrSchedule' | 'valLoss' | 'kernels';

/** The named recipes (recipes.ts holds what each sets). */
export const RECIPES = ['study', 'robust'] as const;
export type Recipe = (typeof RECIPES)[number];

const MAX_SEED = 2 ** 31 - 1;

/** The table. Order = the order of --help, the form and the recorded settings. */
export const EXPERIMENT_FIELDS: readonly FieldSpec[] = [
  {
    key: 'recipe',
    flag: 'recipe',
    kind: 'choice',
    options: RECIPES,
    default: 'robust',
    help: "robust: X-ray augmentation, balanced class weights and validation loss, label smoothing, seed ensemble; study: the study's protocol (defaults of the other settings)",
  },
  {
    key: 'models',
    flag: 'models',
    kind: 'models',
    default: ['cnn', 'light-k2'],
    help: 'registry ids, comma-separated (light-kN for any rank N)',
  },
  {
    key: 'size',
    flag: 'size',
    kind: 'int',
    min: 8,
    max: 1024,
    default: 128,
    help: 'square input side in pixels (the study: 299)',
  },
  {
    key: 'channels',
    flag: 'channels',
    kind: 'choice',
    options: [1, 3],
    default: 3,
    help: '1 = grey, 3 = grey repeated as RGB (the study)',
  },
  {
    key: 'epochs',
    flag: 'epochs',
    kind: 'int',
    min: 1,
    max: 10_000,
    default: 5,
    help: 'training epochs (the study: 20)',
  },
  {
    key: 'batchSize',
    flag: 'batch',
    kind: 'int',
    min: 1,
    max: 4096,
    default: 32,
    help: 'images per training step (the study: 64)',
  },
  {
    key: 'learningRate',
    flag: 'lr',
    kind: 'number',
    min: 0,
    max: 1,
    exclusiveMin: true,
    default: 0.001,
    help: 'Adam learning rate',
  },
  {
    key: 'seeds',
    flag: 'seeds',
    kind: 'ints',
    min: 0,
    max: MAX_SEED,
    maxItems: 100,
    default: [1],
    help: 'one run per seed; the first also deals the split',
  },
  {
    key: 'valFraction',
    flag: 'val-fraction',
    kind: 'number',
    min: 0,
    max: 0.9,
    default: 0.1,
    help: 'share of the pool held out (by patient) to pick the best epoch',
  },
  {
    key: 'testFraction',
    flag: 'test-fraction',
    kind: 'number',
    min: 0,
    max: 0.9,
    default: 0.2,
    help: 'share of the pool held out (by patient) for testing, when the data has no test/ folder',
  },
  {
    key: 'keepOfficialVal',
    flag: 'keep-val',
    kind: 'bool',
    default: false,
    help: "keep the data's own val/ folder as the validation set",
  },
  {
    key: 'limit',
    flag: 'limit',
    kind: 'int',
    min: 0,
    max: 10_000_000,
    default: 0,
    help: 'use at most this many images (seeded, class-stratified); 0 = all',
  },
  {
    key: 'classWeights',
    flag: 'class-weights',
    kind: 'choice',
    options: ['none', 'balanced'],
    bare: 'balanced',
    default: 'none',
    help: 'balanced: the rare class counts more in the loss',
  },
  {
    key: 'patience',
    flag: 'patience',
    kind: 'int',
    min: 0,
    max: 10_000,
    default: 0,
    help: 'stop after this many epochs without a lower validation loss; 0 = never',
  },
  {
    key: 'bnRecalibration',
    flag: 'bn-recalibrate',
    kind: 'int',
    min: 0,
    max: 10_000,
    default: 20,
    help: 'training batches that re-estimate BatchNorm statistics before each validation; 0 = the study',
  },
  {
    key: 'bnMomentum',
    flag: 'bn-momentum',
    kind: 'number',
    min: 0,
    max: 1,
    exclusiveMax: true,
    default: 0.99,
    help: "BatchNorm moving-average momentum (Keras' 0.99 = the study)",
  },
  {
    key: 'augment',
    flag: 'augment',
    kind: 'bool',
    default: false,
    help: 'seeded flips, ±10° rotation, ±10% shift/zoom/brightness/contrast of training images',
  },
  {
    key: 'siteAugment',
    flag: 'augment-sites',
    kind: 'bool',
    default: false,
    help: 'also vary gamma, blur, noise and contrast of training images, as X-rays differ between hospitals',
  },
  {
    key: 'labelSmoothing',
    flag: 'label-smoothing',
    kind: 'number',
    min: 0,
    max: 0.5,
    default: 0,
    help: 'label smoothing of the training loss; 0 = none (the study)',
  },
  {
    key: 'lrSchedule',
    flag: 'lr-schedule',
    kind: 'choice',
    options: ['constant', 'cosine'],
    default: 'constant',
    help: "cosine: one epoch's warm-up, then cosine decay; constant = the study",
  },
  {
    key: 'valLoss',
    flag: 'val-loss',
    kind: 'choice',
    options: ['plain', 'balanced'],
    default: 'plain',
    help: 'validation loss that picks the best epoch: balanced counts each class alike',
  },
  {
    key: 'ensemble',
    flag: 'ensemble',
    kind: 'bool',
    default: false,
    help: "also score each model's seeds averaged, as a row of its own",
  },
  {
    key: 'threshold',
    flag: 'threshold',
    kind: 'number',
    min: 0,
    max: 1,
    default: 0.5,
    help: 'decision threshold on P(positive)',
  },
  {
    key: 'positiveClass',
    flag: 'positive',
    kind: 'class',
    default: null,
    help: 'class scored as positive (default PNEUMONIA when present, else the second class)',
  },
  {
    key: 'bootstrap',
    flag: 'bootstrap',
    kind: 'int',
    min: 0,
    max: 100_000,
    default: 1000,
    help: 'bootstrap resamples for 95% intervals; 0 = none',
  },
  {
    key: 'adaptBn',
    flag: 'adapt-bn',
    kind: 'bool',
    default: false,
    help: 'also score the test set with BatchNorm statistics re-estimated on its images (no labels; AdaBN); records both metric sets',
  },
  {
    key: 'headDropout',
    flag: 'head-dropout',
    kind: 'number',
    min: 0,
    max: 0.9,
    default: 0,
    help: 'transfer models: dropout before the head',
  },
  {
    key: 'headRank',
    flag: 'head-rank',
    kind: 'int',
    min: 0,
    max: 1024,
    default: 0,
    help: 'transfer models: rank of a LightDense head; 0 = Dense (the study)',
  },
  {
    key: 'fineTune',
    flag: 'fine-tune',
    kind: 'int',
    min: 0,
    max: 1000,
    default: 0,
    help: 'inception-v3: epochs that also train mixed9 and mixed10 after the head',
  },
  {
    key: 'backend',
    flag: 'backend',
    kind: 'choice',
    options: ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'],
    default: 'auto',
    help: 'where to train (auto: the fastest that works)',
  },
  {
    key: 'kernels',
    flag: 'kernels',
    kind: 'choice',
    options: KERNEL_CHOICES,
    default: 'lab',
    help: "lab: the lab's fast training kernels; stock: tfjs's own (wasm keeps a filter gradient of the lab's)",
  },
];

/**
 * The command line's own defaults, where they differ from the page's on purpose: the page opens on a quick demo of
 * two models; `xray-lab compare` runs the study's whole comparison for the study's 20 epochs.
 */
export const CLI_DEFAULTS: Partial<Experiment> = {
  models: ['cnn', 'light-k1', 'light-k2', 'light-k3', 'light-k4', 'light-k5'],
  epochs: 20,
};

/**
 * What each recipe sets, where it differs from the fields' defaults (which are the study's protocol). `robust` is
 * the lab's recipe for results that hold on another hospital's images: its ingredients, their measured effects and
 * the literature behind them are in docs/recipe.md.
 */
export const RECIPE_SETTINGS: Readonly<Record<Recipe, Partial<Experiment>>> = {
  study: {},
  robust: {
    augment: true,
    siteAugment: true,
    classWeights: 'balanced',
    labelSmoothing: 0.1,
    // Measured and left off (docs/recipe.md): warm-up and cosine decay cost the page's 5-epoch demo its learning,
    // and test-time adaptation reads a screening mix's fewer sick patients as another scanner.
    lrSchedule: 'constant',
    valLoss: 'balanced',
    adaptBn: false,
    ensemble: true,
  },
};

/** The settings a recipe decides (the union over recipes), in table order. */
export const RECIPE_KEYS: readonly ExperimentKey[] = EXPERIMENT_FIELDS.map((f) => f.key).filter((key) =>
  RECIPES.some((r) => key in RECIPE_SETTINGS[r]),
);

/** `experiment` with its recipe-decided settings reset to `recipe`'s values (and its recipe set to it). */
export function withRecipe(experiment: Experiment, recipe: Recipe): Experiment {
  const out = { ...experiment, recipe } as Record<ExperimentKey, unknown>;
  for (const key of RECIPE_KEYS)
    out[key] = key in RECIPE_SETTINGS[recipe] ? RECIPE_SETTINGS[recipe][key] : findField(key)!.default;
  return out as unknown as Experiment;
}

/**
 * The defaults as one experiment (fresh arrays: callers may change them): each field's default, or its recipe's
 * value (the recipe named in `overrides`, else the default recipe), or the override.
 */
export function defaultExperiment(overrides: Partial<Experiment> = {}): Experiment {
  const recipe = overrides.recipe ?? (findField('recipe')!.default as Recipe);
  const out = {} as Record<ExperimentKey, unknown>;
  for (const field of EXPERIMENT_FIELDS) {
    const fromRecipe = RECIPE_SETTINGS[recipe] ?? {};
    const value =
      field.key in overrides ? overrides[field.key] : field.key in fromRecipe ? fromRecipe[field.key] : field.default;
    out[field.key] = Array.isArray(value) ? [...value] : value;
  }
  if (!('recipe' in overrides)) out.recipe = recipe;
  return out as unknown as Experiment;
}

/** The field of a JSON key or a flag name, or undefined. */
export function findField(name: string): FieldSpec | undefined {
  return EXPERIMENT_FIELDS.find((f) => f.key === name || f.flag === name);
}

/** The split an experiment deals (its first seed deals it; every run shares it), for the data pipeline. */
export function splitOf(
  experiment: Pick<Experiment, 'valFraction' | 'testFraction' | 'seeds' | 'keepOfficialVal'>,
): SplitSettings {
  return {
    valFraction: experiment.valFraction,
    testFraction: experiment.testFraction,
    seed: experiment.seeds[0],
    keepOfficialVal: experiment.keepOfficialVal,
  };
}
