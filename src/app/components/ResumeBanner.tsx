/**
 * Runs that stopped mid-training (a reload, a closed tab, a crash) and can continue from their last checkpoint:
 * "LightLayers k=4 stopped at epoch 3 of 5 — Resume / Discard". Resume needs the data the run trained on; until it
 * is loaded the banner says which.
 */
import type { InterruptedRun } from '../../lab/persist/saved-project';

interface Props {
  interrupted: InterruptedRun[];
  /** A run that moved to another backend after its own failed (what happened, where it continues). */
  recovery: string | null;
  /** Fingerprint of the loaded dataset (null: none loaded). */
  fingerprint: string | null;
  busy: boolean;
  onResume: (run: InterruptedRun) => void;
  onDiscard: (run: InterruptedRun) => void;
}

export function ResumeBanner({ interrupted, recovery, fingerprint, busy, onResume, onDiscard }: Props) {
  return (
    <>
      {recovery && (
        <div className="notice" role="status" data-testid="recovery-notice">
          {recovery}
        </div>
      )}
      {interrupted.length > 0 && (
        <Offers
          interrupted={interrupted}
          fingerprint={fingerprint}
          busy={busy}
          onResume={onResume}
          onDiscard={onDiscard}
        />
      )}
    </>
  );
}

function Offers({ interrupted, fingerprint, busy, onResume, onDiscard }: Omit<Props, 'recovery'>) {
  return (
    <div className="notice" role="status" data-testid="resume-offer">
      {interrupted.map((run) => {
        const sameData = fingerprint === run.fingerprint;
        return (
          <div
            key={`${run.modelId}@${run.seed}`}
            className="notice-row"
            data-run-id={`${run.modelId}@${run.seed}`}
            data-epoch={run.epoch}
          >
            <span>
              <strong>{run.label}</strong> (seed {run.seed}) stopped at epoch {run.epoch} of {run.epochs}
              {sameData ? '' : ` — to resume, load the data it trained on (${run.source})`}
            </span>
            {' — '}
            <button
              type="button"
              data-testid="resume-button"
              disabled={!sameData || busy}
              onClick={() => onResume(run)}
            >
              Resume
            </button>{' '}
            <button
              type="button"
              className="link-button"
              data-testid="discard-button"
              disabled={busy}
              onClick={() => onDiscard(run)}
            >
              Discard
            </button>
          </div>
        );
      })}
    </div>
  );
}
