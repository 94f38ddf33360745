/**
 * The experiments the recipe bench compares: the two recipes, the robust recipe with each ingredient flipped (what
 * each is worth), and the study's protocol with one ingredient added.
 */
import {
  defaultExperiment,
  RECIPE_SETTINGS,
  type Experiment,
  type ExperimentKey,
} from '../../src/lab/experiment/schema';

/**
 * Each ingredient the recipes choose between, as the settings that turn it off (the study's values) and, for the two
 * the robust recipe leaves off, those that turn it on; the others are on at the robust recipe's own values.
 */
const INGREDIENTS: Record<string, { off: Partial<Experiment>; on?: Partial<Experiment> }> = {
  augment: { off: { augment: false } },
  'site-augment': { off: { siteAugment: false } },
  'balanced-weights': { off: { classWeights: 'none' } },
  'label-smoothing': { off: { labelSmoothing: 0 } },
  'cosine-schedule': { off: { lrSchedule: 'constant' }, on: { lrSchedule: 'cosine' } },
  'balanced-val': { off: { valLoss: 'plain' } },
  'adapt-bn': { off: { adaptBn: false }, on: { adaptBn: true } },
};

/** Whether the robust recipe has `ingredient` on: it sets one of the ingredient's settings away from off. */
const inRobust = (ingredient: string): boolean =>
  Object.entries(INGREDIENTS[ingredient].off).some(
    ([key, value]) => RECIPE_SETTINGS.robust[key as ExperimentKey] !== value,
  );

/** The settings that turn `ingredient` on: the robust recipe's own where it has it, else the ingredient's. */
const onSettings = (ingredient: string): Partial<Experiment> =>
  inRobust(ingredient)
    ? Object.fromEntries(
        Object.keys(INGREDIENTS[ingredient].off).map((key) => [key, RECIPE_SETTINGS.robust[key as ExperimentKey]]),
      )
    : INGREDIENTS[ingredient].on!;

/**
 * The two recipes; the robust recipe with each ingredient flipped (`robust-no-<x>` takes one of its ingredients
 * away, `robust+<x>` adds one it leaves out), which is the ablation; and the study's protocol with one added.
 */
export const VARIANTS: Record<string, Partial<Experiment>> = {
  study: { recipe: 'study' },
  robust: { recipe: 'robust' },
  ...Object.fromEntries(
    Object.entries(INGREDIENTS).map(([name, { off }]) =>
      inRobust(name)
        ? [`robust-no-${name}`, { recipe: 'robust', ...off }]
        : [`robust+${name}`, { recipe: 'robust', ...onSettings(name) }],
    ),
  ),
  ...Object.fromEntries(
    Object.keys(INGREDIENTS).map((name) => [`study+${name}`, { recipe: 'study', ...onSettings(name) }]),
  ),
};

/** The ablation: both recipes, and the robust recipe with each ingredient flipped. */
export const ABLATION: readonly string[] = Object.keys(VARIANTS).filter((v) => !v.startsWith('study+'));

/** The experiment of variant `name` over `base` (models, size, seeds, epochs). */
export function variantExperiment(name: string, base: Partial<Experiment>): Experiment {
  const variant = VARIANTS[name];
  if (!variant) throw new Error(`--variants: unknown variant "${name}" (known: ${Object.keys(VARIANTS).join(', ')})`);
  return defaultExperiment({ ...base, ...variant });
}
