/**
 * The page's settings: the core's experiment (src/lab/experiment/schema.ts: one table of fields, bounds and defaults
 * shared with the CLI and the results files) plus the one setting that only the page has, the size of the generated
 * demo set. Round-tripped through the URL hash, so a shared link reproduces the setup.
 */
import { defaultExperiment, findField, type Experiment } from '../../lab/experiment/schema';
import { experimentFromParams, experimentToParams } from '../../lab/experiment/url-hash';
import { experimentProblems } from '../../lab/experiment/validate';
import { modelIdCheck } from '../../lab/registry/model-id';
import type { ModelInfo } from '../../worker/protocol';

export interface Settings extends Experiment {
  /** Phantom images per class when the demo set is generated. */
  demoPerClass: number;
}

const DEMO_PER_CLASS = { flag: 'demo-per-class', key: 'demoPerClass', min: 4, max: 2000, default: 150 } as const;

export const DEFAULT_SETTINGS: Settings = { ...defaultExperiment(), demoPerClass: DEMO_PER_CLASS.default };

/** The experiment part of the settings: what a run freezes, records and sends to the worker. */
export function experimentOf(s: Settings): Experiment {
  const { demoPerClass: _, ...experiment } = s;
  return { ...experiment, models: [...experiment.models], seeds: [...experiment.seeds] };
}

/** `count` consecutive seeds from `first`: what "Repeat with N seeds" sets. */
export function consecutiveSeeds(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}

/**
 * Problems per setting, as the form shows them next to a field ("must be a whole number from 1 to 10000 (got 0)").
 * Model ids are checked against `models` when the list is known.
 */
export function validateSettings(s: Settings, models?: readonly ModelInfo[]): Partial<Record<keyof Settings, string>> {
  const checkModel = modelIdCheck((models ?? []).map((m) => m.id));
  const errors: Partial<Record<keyof Settings, string>> = {};
  for (const p of experimentProblems(experimentOf(s), { checkModel })) errors[p.key] ??= p.message;
  if (!(
    Number.isInteger(s.demoPerClass) &&
    s.demoPerClass >= DEMO_PER_CLASS.min &&
    s.demoPerClass <= DEMO_PER_CLASS.max
  )) {
    errors.demoPerClass = `must be a whole number from ${DEMO_PER_CLASS.min} to ${DEMO_PER_CLASS.max} (got ${s.demoPerClass})`;
  }
  return errors;
}

/** The settings that differ from the defaults, as a URL hash keyed by the CLI's flag names. */
export function settingsToHash(s: Settings): string {
  const params = new URLSearchParams(experimentToParams(experimentOf(s), experimentOf(DEFAULT_SETTINGS)));
  if (s.demoPerClass !== DEFAULT_SETTINGS.demoPerClass) params.set(DEMO_PER_CLASS.flag, String(s.demoPerClass));
  const query = params.toString();
  return query === '' ? '' : `#${query}`;
}

/** Reads settings from a URL hash; unknown keys and invalid values are ignored (the default stays). */
export function settingsFromHash(hash: string): Settings {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const { experiment, rest } = experimentFromParams(params, experimentOf(DEFAULT_SETTINGS));
  const demo = Number(rest.get(DEMO_PER_CLASS.flag) ?? rest.get(DEMO_PER_CLASS.key));
  const demoPerClass =
    Number.isInteger(demo) && demo >= DEMO_PER_CLASS.min && demo <= DEMO_PER_CLASS.max ? demo : DEMO_PER_CLASS.default;
  return { ...experiment, demoPerClass };
}

/** A field's bounds from the schema, for a number input. */
export function boundsOf(key: keyof Experiment): { min: number; max: number; integer: boolean } {
  const field = findField(key);
  if (field && (field.kind === 'int' || field.kind === 'number' || field.kind === 'ints')) {
    return { min: field.min, max: field.max, integer: field.kind !== 'number' };
  }
  throw new Error(`${String(key)} is not a number setting`);
}
