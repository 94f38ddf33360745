/**
 * What a screen reader hears while models train: one sentence that changes once per phase or epoch (never per batch,
 * which would talk over everything), and the outcome when the queue ends.
 */
import { runKeyId, type RunKey } from '../../lab/experiment/run-control';
import type { RunProgress } from '../state/lab-state';

const ACTIVE = new Set(['preparing', 'training', 'evaluating']);

export function trainAnnouncement(
  queue: readonly RunKey[],
  runs: Readonly<Record<string, RunProgress>>,
  running: boolean,
  label: (id: string) => string,
  trainedHere = true,
): string {
  const all = queue.map((k) => runs[runKeyId(k)]).filter((r): r is RunProgress => r != null);
  if (all.length === 0) return '';
  const done = all.filter((r) => r.phase === 'done').length;
  const name = (r: RunProgress) =>
    `${label(r.modelId)}${new Set(queue.map((k) => k.seed)).size > 1 ? ` (seed ${r.seed})` : ''}`;
  if (running) {
    const current = all.find((r) => ACTIVE.has(r.phase));
    if (!current) return `Training: ${done} of ${all.length} runs done.`;
    if (current.phase === 'training') {
      const epochs = current.progress?.epochs;
      return `Training ${name(current)}: epoch ${current.history.length}${epochs ? ` of ${epochs}` : ''} done; ${done} of ${all.length} runs finished.`;
    }
    return `${name(current)}: ${current.phase === 'evaluating' ? 'scoring the test images' : 'building'}; ${done} of ${all.length} runs finished.`;
  }
  // Runs shown from a file or a saved project were not trained here: nothing to announce.
  if (!trainedHere) return '';
  const failed = all.filter((r) => r.phase === 'failed' || r.phase === 'cancelled' || r.phase === 'skipped').length;
  return `Training finished: ${done} of ${all.length} runs done${failed ? `, ${failed} failed, cancelled or skipped` : ''}. The comparison is in step 4.`;
}
