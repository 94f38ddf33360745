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

/** Each ingredient the recipes choose between: the settings that turn it on, and those that turn it off (the study's). */
const INGREDIENTS: Record<string, { on: Partial<Experiment>; off: Partial<Experiment> }> = {
  augment: { on: { augment: true }, off: { augment: false } },
  'site-augment': { on: { siteAugment: true }, off: { siteAugment: false } },
  'balanced-weights': { on: { classWeights: 'balanced' }, off: { classWeights: 'none' } },
  'label-smoothing': { on: { labelSmoothing: 0.1 }, off: { labelSmoothing: 0 } },
  'cosine-schedule': { on: { lrSchedule: 'cosine' }, off: { lrSchedule: 'constant' } },
  'balanced-val': { on: { valLoss: 'balanced' }, off: { valLoss: 'plain' } },
  'adapt-bn': { on: { adaptBn: true }, off: { adaptBn: false } },
};

/** Whether the robust recipe has `ingredient` on. */
const inRobust = (ingredient: string): boolean =>
  Object.entries(INGREDIENTS[ingredient].on).every(
    ([key, value]) => RECIPE_SETTINGS.robust[key as ExperimentKey] === value,
  );

/**
 * The two recipes; the robust recipe with each ingredient flipped (`robust-no-<x>` takes one of its ingredients
 * away, `robust+<x>` adds one it leaves out), which is the ablation; and the study's protocol with one added.
 */
export const VARIANTS: Record<string, Partial<Experiment>> = {
  study: { recipe: 'study' },
  robust: { recipe: 'robust' },
  ...Object.fromEntries(
    Object.entries(INGREDIENTS).map(([name, { on, off }]) =>
      inRobust(name)
        ? [`robust-no-${name}`, { recipe: 'robust', ...off }]
        : [`robust+${name}`, { recipe: 'robust', ...on }],
    ),
  ),
  ...Object.fromEntries(
    Object.entries(INGREDIENTS).map(([name, { on }]) => [`study+${name}`, { recipe: 'study', ...on }]),
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
