/**
 * Checks experiments against the schema table. Framework-free and tfjs-free (the page's main thread uses it): which
 * model ids exist is asked of the caller, who knows the registry. Every problem names its field and the bound it
 * broke, so the page, the CLI and a loaded experiment.json say the same thing.
 */
import {
  EXPERIMENT_FIELDS,
  RECIPES,
  withRecipe,
  type Experiment,
  type ExperimentKey,
  type FieldSpec,
  type Recipe,
} from './schema';

/** One refused value: which setting, and why (`must be a whole number from 1 to 10000 (got -1)`). */
export interface SettingProblem {
  readonly key: ExperimentKey;
  readonly flag: string;
  /** Starts with "must …"; callers prefix the name they show (`--epochs`, `settings.epochs`, "Epochs"). */
  readonly message: string;
}

export interface ValidateOptions {
  /** Why a model id is not usable, or null when it is (default: every id is accepted). */
  readonly checkModel?: (id: string) => string | null;
}

/** Training needs at least this share of the pool. */
export const MIN_TRAIN_SHARE = 0.1;

/** What a field accepts, in words: `a whole number from 1 to 10000`. */
export function describeBound(field: FieldSpec): string {
  switch (field.kind) {
    case 'int':
      return `a whole number from ${field.min} to ${field.max}`;
    case 'number': {
      const low = field.exclusiveMin ? `above ${field.min}` : `from ${field.min}`;
      const high = field.exclusiveMax ? `below ${field.max}` : `${field.exclusiveMin ? 'up to' : 'to'} ${field.max}`;
      return `a number ${low} ${high}`;
    }
    case 'bool':
      return 'true or false';
    case 'choice':
      return `one of ${field.options.join(', ')}`;
    case 'ints':
      return `a list of 1 to ${field.maxItems} different whole numbers from ${field.min} to ${field.max}`;
    case 'models':
      return 'a non-empty list of model ids without repeats';
    case 'class':
      return 'a class name, or null for the default';
  }
}

/** Why `value` does not fit `field`, or null. Model ids are checked by `checkModel`. */
export function fieldProblem(field: FieldSpec, value: unknown, options: ValidateOptions = {}): string | null {
  const refuse = () => `must be ${describeBound(field)} (got ${shown(value)})`;
  switch (field.kind) {
    case 'int':
      return Number.isInteger(value) && (value as number) >= field.min && (value as number) <= field.max
        ? null
        : refuse();
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return refuse();
      const lowOk = field.exclusiveMin ? value > field.min : value >= field.min;
      const highOk = field.exclusiveMax ? value < field.max : value <= field.max;
      return lowOk && highOk ? null : refuse();
    }
    case 'bool':
      return typeof value === 'boolean' ? null : refuse();
    case 'choice':
      return field.options.includes(value as string | number) ? null : refuse();
    case 'ints': {
      const ok =
        Array.isArray(value) &&
        value.length >= 1 &&
        value.length <= field.maxItems &&
        value.every((v) => Number.isInteger(v) && v >= field.min && v <= field.max) &&
        new Set(value).size === value.length;
      return ok ? null : refuse();
    }
    case 'models': {
      if (
        !Array.isArray(value) ||
        value.length === 0 ||
        !value.every((v) => typeof v === 'string' && v !== '') ||
        new Set(value).size !== value.length
      ) {
        return refuse();
      }
      for (const id of value as string[]) {
        const problem = options.checkModel?.(id);
        if (problem) return `must name known models: ${problem}`;
      }
      return null;
    }
    case 'class':
      return value === null || (typeof value === 'string' && value.trim() !== '') ? null : refuse();
  }
}

/** Every problem of a complete experiment, in table order, then the cross-field ones. Empty when it is fine. */
export function experimentProblems(experiment: Experiment, options: ValidateOptions = {}): SettingProblem[] {
  const problems: SettingProblem[] = [];
  for (const field of EXPERIMENT_FIELDS) {
    const message = fieldProblem(field, experiment[field.key], options);
    if (message) problems.push({ key: field.key, flag: field.flag, message });
  }
  const bad = new Set(problems.map((p) => p.key));
  if (
    !bad.has('valFraction') &&
    !bad.has('testFraction') &&
    experiment.valFraction + experiment.testFraction > 1 - MIN_TRAIN_SHARE + 1e-9
  ) {
    problems.push({
      key: 'testFraction',
      flag: 'test-fraction',
      message: `must leave at least ${MIN_TRAIN_SHARE * 100}% for training together with val-fraction (got ${experiment.valFraction} + ${experiment.testFraction})`,
    });
  }
  return problems;
}

/**
 * Reads an experiment from untrusted JSON (a loaded experiment.json): unknown keys are refused, missing ones take
 * `defaults`, and each value is checked. Returns the experiment or the problems.
 */
export function experimentFromJson(
  value: unknown,
  defaults: Experiment,
  options: ValidateOptions = {},
): { experiment: Experiment; problems: SettingProblem[]; unknownKeys: string[] } {
  const problems: SettingProblem[] = [];
  const source =
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  // A record written before recipes existed followed the study; one that names a recipe starts from that recipe.
  const named = (RECIPES as readonly unknown[]).includes(source.recipe) ? (source.recipe as Recipe) : null;
  const base = named ?? ('recipe' in source ? defaults.recipe : 'study');
  const experiment = { ...(base === defaults.recipe ? defaults : withRecipe(defaults, base)) } as Record<
    ExperimentKey,
    unknown
  >;
  const known = new Set<string>(EXPERIMENT_FIELDS.map((f) => f.key));
  const unknownKeys = Object.keys(source).filter((k) => !known.has(k));
  for (const field of EXPERIMENT_FIELDS) {
    if (!(field.key in source)) continue;
    experiment[field.key] = source[field.key];
  }
  const full = experiment as unknown as Experiment;
  problems.push(...experimentProblems(full, options));
  return { experiment: full, problems, unknownKeys };
}

/**
 * Parses one setting from text (a flag's argument, a URL-hash value). Returns the value, or a problem message.
 * Lists are comma-separated; `null`/empty clears a class name.
 */
export function parseFieldText(field: FieldSpec, text: string): { value: unknown } | { problem: string } {
  const raw = text.trim();
  let value: unknown;
  switch (field.kind) {
    case 'int':
      value = /^[+-]?\d+$/.test(raw) ? Number(raw) : raw;
      break;
    case 'number':
      value = raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
      break;
    case 'bool':
      value = raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
      break;
    case 'choice':
      value = typeof field.options[0] === 'number' && raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
      break;
    case 'ints':
      value = raw
        .split(',')
        .map((s) => s.trim())
        .map((s) => (/^[+-]?\d+$/.test(s) ? Number(s) : s));
      break;
    case 'models':
      value = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      break;
    case 'class':
      value = raw === '' || raw === 'null' ? null : raw;
      break;
  }
  const problem = fieldProblem(field, value);
  return problem ? { problem } : { value };
}

/** A value as a problem message quotes it. */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : String(v))).join(',') || '[]';
  return String(value);
}
