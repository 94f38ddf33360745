/**
 * An experiment as URL-hash parameters (`#size=64&models=cnn,light-k2&seeds=1,2`), keyed by the CLI's flag names, so
 * a shared link reproduces the setup and reads like the command line. Only values that differ from the defaults are
 * written. Reading also accepts the JSON keys (`batchSize=16`), as older links used them.
 */
import {
  EXPERIMENT_FIELDS,
  findField,
  RECIPES,
  withRecipe,
  type Experiment,
  type FieldSpec,
  type Recipe,
} from './schema';
import { parseFieldText, type SettingProblem } from './validate';

/** A value as text: lists comma-joined, null as empty. */
export function formatFieldValue(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  return value == null ? '' : String(value);
}

/**
 * Parameters for the values of `experiment` that differ from `defaults`, in table order. Another recipe than the
 * defaults' is written, and the recipe-decided settings are compared with that recipe's values: `#recipe=study`
 * alone is the study's protocol.
 */
export function experimentToParams(experiment: Experiment, defaults: Experiment): [string, string][] {
  const base = experiment.recipe === defaults.recipe ? defaults : withRecipe(defaults, experiment.recipe);
  const out: [string, string][] = [];
  for (const field of EXPERIMENT_FIELDS) {
    const text = formatFieldValue(experiment[field.key]);
    if (field.key === 'recipe' ? experiment.recipe !== defaults.recipe : text !== formatFieldValue(base[field.key])) {
      out.push([field.flag, text]);
    }
  }
  return out;
}

/**
 * Reads the experiment parameters of a hash over `defaults`. A value that does not fit its field keeps the default
 * and is reported; parameters that are not experiment settings are left for the caller (`rest`).
 */
export function experimentFromParams(
  params: URLSearchParams,
  defaults: Experiment,
): { experiment: Experiment; problems: SettingProblem[]; rest: Map<string, string> } {
  // A recipe in the hash decides the defaults of the other settings it names.
  const recipeText = params.get('recipe');
  const recipe =
    recipeText != null && (RECIPES as readonly string[]).includes(recipeText)
      ? (recipeText as Recipe)
      : defaults.recipe;
  const base = recipe === defaults.recipe ? defaults : withRecipe(defaults, recipe);
  const experiment = { ...base, models: [...base.models], seeds: [...base.seeds] };
  const problems: SettingProblem[] = [];
  const rest = new Map<string, string>();
  for (const [name, text] of params) {
    const field: FieldSpec | undefined = findField(name);
    if (!field) {
      rest.set(name, text);
      continue;
    }
    const parsed = parseFieldText(field, text);
    if ('problem' in parsed) problems.push({ key: field.key, flag: field.flag, message: parsed.problem });
    else (experiment as Record<string, unknown>)[field.key] = parsed.value;
  }
  return { experiment, problems, rest };
}
