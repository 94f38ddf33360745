/**
 * The experiments the recipe bench compares: the two recipes, the robust recipe without each of its ingredients
 * (what each is worth), and the study's protocol with one ingredient added.
 */
import {
  defaultExperiment,
  RECIPE_SETTINGS,
  type Experiment,
  type ExperimentKey,
} from '../../src/lab/experiment/schema';

/** Each ingredient of the robust recipe, as the settings that turn it off again (the study's values). */
const INGREDIENTS: Record<string, Partial<Experiment>> = {
  augment: { augment: false },
  'site-augment': { siteAugment: false },
  'balanced-weights': { classWeights: 'none' },
  'label-smoothing': { labelSmoothing: 0 },
  'cosine-schedule': { lrSchedule: 'constant' },
  'balanced-val': { valLoss: 'plain' },
  'adapt-bn': { adaptBn: false },
};

export const VARIANTS: Record<string, Partial<Experiment>> = {
  study: { recipe: 'study' },
  robust: { recipe: 'robust' },
  ...Object.fromEntries(
    Object.entries(INGREDIENTS).map(([name, off]) => [`robust-no-${name}`, { recipe: 'robust', ...off }]),
  ),
  ...Object.fromEntries(
    Object.entries(INGREDIENTS).map(([name, off]) => {
      const on = Object.fromEntries(Object.keys(off).map((k) => [k, RECIPE_SETTINGS.robust[k as ExperimentKey]]));
      return [`study+${name}`, { recipe: 'study', ...on }];
    }),
  ),
};

/** The experiment of variant `name` over `base` (models, size, seeds, epochs). */
export function variantExperiment(name: string, base: Partial<Experiment>): Experiment {
  const variant = VARIANTS[name];
  if (!variant) throw new Error(`--variants: unknown variant "${name}" (known: ${Object.keys(VARIANTS).join(', ')})`);
  return defaultExperiment({ ...base, ...variant });
}
