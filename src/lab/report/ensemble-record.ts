/**
 * The seed ensemble as a record of its own: a model's seeds with their test probabilities averaged, scored like any
 * run. It carries `ensembleOf` (the seeds it averages) and the seed ENSEMBLE_SEED, which no run can have (seeds are
 * ≥ 0), so every (model, seed) key — the page's run ids, predictions, paired tests — stays unique and no ensemble
 * is ever taken for its first seed's run. Framework-free: the loop, the reports, the card and the page share it.
 */
import type { ResultRecord } from './result-record';

/** The `seed` of every ensemble record: not a seed, a mark (real seeds are ≥ 0). */
export const ENSEMBLE_SEED = -1;

/** What tells an ensemble from a run: a record's seed and `ensembleOf`, or a run key's seed. */
type EnsembleMark = { readonly seed: number; readonly ensembleOf?: readonly number[] };

/** True for the record (or run key) of a seed ensemble rather than one trained run. */
export function isEnsemble(r: EnsembleMark): boolean {
  return r.seed === ENSEMBLE_SEED || (r.ensembleOf?.length ?? 0) > 0;
}

/** "ensemble of seeds 1, 2, 3" */
export function ensembleWords(seeds: readonly number[]): string {
  return `ensemble of seeds ${seeds.join(', ')}`;
}

/** How a run is named beside its model: "seed 2", or "ensemble of seeds 1, 2, 3". */
export function runName(record: Pick<ResultRecord, 'seed' | 'ensembleOf'>): string {
  return record.ensembleOf ? ensembleWords(record.ensembleOf) : `seed ${record.seed}`;
}

/** A record's seed in a table's Seed column: the number, or "ensemble". */
export function seedCell(record: Pick<ResultRecord, 'seed' | 'ensembleOf'>): string {
  return isEnsemble(record) ? 'ensemble' : String(record.seed);
}

/** The row label of a record: its model's label, and for an ensemble "<label> — ensemble of seeds 1, 2, 3". */
export function recordLabel(record: Pick<ResultRecord, 'label' | 'seed' | 'ensembleOf'>): string {
  return record.ensembleOf ? `${record.label} — ${ensembleWords(record.ensembleOf)}` : record.label;
}

/** The records of trained runs, without the ensembles (what a summary over seeds is made of). */
export function singleRuns<R extends EnsembleMark>(records: readonly R[]): R[] {
  return records.filter((r) => !isEnsemble(r));
}

/** The ensemble records only. */
export function ensembleRecords<R extends EnsembleMark>(records: readonly R[]): R[] {
  return records.filter(isEnsemble);
}
