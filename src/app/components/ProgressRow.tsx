/**
 * One queued model (all its seeds): phase, a progress bar with seed, epoch, batch, speed and time left, and its own
 * Cancel (which stops every seed of the model).
 */
import { median } from '../../lab/eval/median';
import { formatDuration } from '../../lab/report/format';
import { currentRun, modelPhase } from '../lib/model-progress';
import type { RunProgress } from '../state/lab-state';

const PHASE_TEXT: Record<RunProgress['phase'], string> = {
  queued: 'Queued',
  preparing: 'Building',
  training: 'Training',
  evaluating: 'Testing',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  skipped: 'Skipped',
};

const SPLIT_TEXT = { train: 'training', val: 'validation', test: 'test' } as const;

function fraction(run: RunProgress): number {
  if (run.phase === 'done' || run.phase === 'evaluating') return 1;
  // A transfer model's building phase is the backbone's pass over each split in turn.
  if (run.phase === 'preparing' && run.features) return run.features.done / Math.max(1, run.features.total);
  const p = run.progress;
  if (!p) return 0;
  return ((p.epoch - 1) * p.batchesPerEpoch + p.batch + 1) / (p.epochs * p.batchesPerEpoch);
}

/**
 * What autosave cost this run per epoch: the median hold-up, and its share of the median epoch; null when no
 * checkpoint was taken (a run restored from storage, or one that stopped in its first epoch).
 */
export function autosaveShare(run: RunProgress): { ms: number; share: number; bytes: number } | null {
  const costs = run.autosave.filter((a) => a.ms > 0 && a.epochMs > 0);
  if (costs.length === 0) return null;
  const ms = median(costs.map((a) => a.ms));
  return { ms, share: ms / median(costs.map((a) => a.epochMs)), bytes: costs[costs.length - 1].bytes };
}

/** Mean training speed over the finished epochs. */
function meanSpeed(run: RunProgress): number {
  return run.history.reduce((sum, h) => sum + (h.imagesPerSec ?? 0), 0) / run.history.length;
}

export function ProgressRow({
  id,
  label,
  runs,
  onCancel,
}: {
  id: string;
  label: string;
  runs: RunProgress[];
  onCancel: () => void;
}) {
  const run = currentRun(runs);
  const phase = modelPhase(runs);
  const p = run.progress;
  const active = phase === 'queued' || phase === 'preparing' || phase === 'training';
  const value = fraction(run);
  const finished = runs.filter((r) => r.phase === 'done').length;
  const autosave = autosaveShare(run);
  return (
    <li
      className={`progress-row is-${phase}`}
      data-testid={`progress-${id}`}
      data-phase={phase}
      data-seed={run.seed}
      data-feature-cache={run.features ? run.cachedSplits.join(',') : undefined}
    >
      <div className="progress-head">
        <span className="progress-label">{label}</span>
        {runs.length > 1 && (
          <span className="muted" data-testid={`progress-seeds-${id}`}>
            seed {run.seed} · {finished} of {runs.length} seeds done
          </span>
        )}
        <span className={`badge is-${phase}`}>{PHASE_TEXT[phase]}</span>
        {active && (
          <button type="button" className="link-button" data-testid={`cancel-${id}`} onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      {run.phase !== 'queued' && run.phase !== 'skipped' && (
        <progress max={1} value={value} aria-label={`${label}: ${Math.round(value * 100)}%`} />
      )}
      {run.phase === 'preparing' && run.features && (
        <p className="progress-stats" data-testid={`features-${id}`}>
          {run.features.cached
            ? `Backbone features of the ${SPLIT_TEXT[run.features.split]} images taken from the cache`
            : `Running the backbone once over the ${SPLIT_TEXT[run.features.split]} images: ${run.features.done}/${run.features.total}`}
        </p>
      )}
      {p && run.phase === 'training' && (
        <p className="progress-stats">
          Epoch {p.epoch}/{p.epochs} · batch {p.batch + 1}/{p.batchesPerEpoch} · loss {p.loss.toFixed(3)} · accuracy{' '}
          {p.accuracy.toFixed(3)} · <span data-testid={`images-per-sec-${id}`}>{p.imagesPerSec.toFixed(1)}</span>{' '}
          images/s · about {formatDuration(p.etaMs)} left
        </p>
      )}
      {run.phase === 'evaluating' && <p className="progress-stats">Scoring the test split and timing inference…</p>}
      {run.history.length > 0 && run.phase !== 'training' && run.phase !== 'evaluating' && (
        <p className="progress-stats">
          {/* A transfer head trains on feature vectors, not images: say so, or its speed reads as the network's. */}
          {run.features ? 'Head trained' : 'Trained'} {run.history.length}{' '}
          {run.history.length === 1 ? 'epoch' : 'epochs'} at{' '}
          <span data-testid={`images-per-sec-${id}`}>{meanSpeed(run).toFixed(1)}</span>{' '}
          {run.features ? 'feature vectors' : 'images'}/s
          {autosave && (
            <span
              className="muted"
              data-testid={`autosave-cost-${id}`}
              data-ms={autosave.ms.toFixed(2)}
              data-share={autosave.share.toFixed(5)}
              title="Saving the checkpoint after each epoch (weights, Adam state, best weights) held training up this long; the write to browser storage happens behind the next epoch."
            >
              {' '}
              · autosave {autosave.ms < 10 ? autosave.ms.toFixed(1) : Math.round(autosave.ms)} ms per epoch (
              {(autosave.share * 100).toFixed(autosave.share < 0.01 ? 2 : 1)} %, {(autosave.bytes / 1e6).toFixed(2)} MB)
            </span>
          )}
        </p>
      )}
      {run.cachedSplits.length > 0 && run.phase !== 'preparing' && (
        <p className="progress-stats">
          Backbone features reused from the cache ({run.cachedSplits.join(', ')}): no backbone pass needed.
        </p>
      )}
      {run.message && <p className={`progress-message ${run.phase === 'failed' ? 'is-error' : ''}`}>{run.message}</p>}
    </li>
  );
}
