/**
 * A picked dataset over the data budget, before anything is decoded: the estimate in one line (a polite live region,
 * always in the page so its change is announced), then the choices — the budget subset that fits (every class,
 * whole patients, official splits kept), every image where the tab's memory allows it, or Cancel, which keeps the
 * dataset loaded before. Focus moves to the first choice when the offer appears, and back to `returnFocus` when it
 * is cancelled, so a keyboard user is never left on a control that went away.
 */
import { useEffect, useRef, type RefObject } from 'react';
import { formatBytes } from '../../lab/data/memory';
import { formatInteger } from '../../lab/report/format';
import type { BudgetOffer as Offer } from '../state/lab-state';
import '../budget-offer.css';

interface Props {
  offer: Offer | null;
  /** A run or another load is under way: the choices wait. */
  disabled: boolean;
  onSubset: () => void;
  onAll: () => void;
  onCancel: () => void;
  /** Where focus goes after Cancel (the folder button it started from). */
  returnFocus?: RefObject<HTMLElement | null>;
}

export function BudgetOffer({ offer, disabled, onSubset, onAll, onCancel, returnFocus }: Props) {
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (offer) first.current?.focus();
  }, [offer]);
  const e = offer?.estimate;
  return (
    <div className={e ? 'notice budget-offer' : 'budget-offer is-empty'} data-fits={e ? String(e.fits) : undefined}>
      <p className="budget-line" role="status" aria-live="polite" data-testid="budget-offer">
        {offer && (
          <>
            <strong>{offer.load.picked.name}</strong>: {offer.estimate.line}
          </>
        )}
      </p>
      {e && (
        <div className="button-row" role="group" aria-label="What to load">
          {e.subset && (
            <button
              type="button"
              className="primary"
              ref={first}
              data-testid="budget-use-subset"
              data-images={e.subset.images}
              disabled={disabled}
              onClick={onSubset}
            >
              Load the subset ({formatInteger(e.subset.images)} images)
            </button>
          )}
          {e.loadAllAllowed && (
            <button
              type="button"
              ref={e.subset ? undefined : first}
              data-testid="budget-load-all"
              aria-describedby="budget-load-all-note"
              disabled={disabled}
              onClick={onAll}
            >
              Load all ({formatInteger(e.all.images)} images)
            </button>
          )}
          <button
            type="button"
            ref={e.subset || e.loadAllAllowed ? undefined : first}
            className="link-button"
            data-testid="budget-cancel"
            onClick={() => {
              onCancel();
              returnFocus?.current?.focus();
            }}
          >
            Cancel
          </button>
        </div>
      )}
      {e && (
        <p className="note budget-hint">
          {e.loadAllAllowed && (
            <span id="budget-load-all-note">
              All of them fit this tab&apos;s memory ({formatBytes(e.memoryLimitBytes)}) but not the budget, so they
              would not be kept in this browser: a reload reads the files again.{' '}
            </span>
          )}
          {e.subset
            ? 'The subset is seeded: the same files and seed give the same images.'
            : 'No subset of whole patients with every class fits.'}{' '}
          The budget is the Storage field &ldquo;Keep the decoded dataset up to … MB&rdquo;; a smaller input size or 1
          channel also shrinks the decoded images.
        </p>
      )}
    </div>
  );
}
