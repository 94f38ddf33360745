/**
 * When saved results and a new run belong to one comparison: the same settings apart from which models and seeds
 * (the first seed deals the split, so it must match too). The page's state applies the same rule to its table.
 */
import type { Experiment } from '../experiment/schema';

export function sameSetup(a: Experiment, b: Experiment): boolean {
  const strip = (e: Experiment) => JSON.stringify({ ...e, models: [], seeds: [] });
  return strip(a) === strip(b) && a.seeds[0] === b.seeds[0];
}

/** The saved experiment widened by the new run's models and seeds (in first-seen order). */
export function unionExperiment(saved: Experiment, added: Experiment): Experiment {
  const union = <T>(x: readonly T[], y: readonly T[]) => [...new Set([...x, ...y])];
  return { ...added, models: union(saved.models, added.models), seeds: union(saved.seeds, added.seeds) };
}
