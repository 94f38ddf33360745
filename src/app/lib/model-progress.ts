/**
 * One model's seeds as one progress row: which run is current, and one phase for them all, so the page shows a
 * model's progress in one place however many seeds it trains with.
 */
import type { RunProgress } from '../state/lab-state';
import type { ModelPhase } from '../../worker/protocol';

const ACTIVE: readonly ModelPhase[] = ['preparing', 'training', 'evaluating'];
const ENDED: readonly ModelPhase[] = ['done', 'failed', 'cancelled', 'skipped'];

/** The run to show: the one training now, else the last that started, else the first. */
export function currentRun(runs: readonly RunProgress[]): RunProgress {
  return runs.find((r) => ACTIVE.includes(r.phase)) ?? [...runs].reverse().find((r) => r.phase !== 'queued') ?? runs[0];
}

/**
 * The model's phase: active while one of its runs is; queued while any is still to come; once all ended, done only
 * if every run is done, else the worst of failed, cancelled, skipped.
 */
export function modelPhase(runs: readonly RunProgress[]): ModelPhase {
  const active = runs.find((r) => ACTIVE.includes(r.phase));
  if (active) return active.phase;
  if (runs.some((r) => !ENDED.includes(r.phase))) return 'queued';
  for (const phase of ['failed', 'cancelled', 'skipped'] as const)
    if (runs.some((r) => r.phase === phase)) return phase;
  return 'done';
}
