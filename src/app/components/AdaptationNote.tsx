/**
 * Says what the comparison shows when the runs were adapted to the test images: which figures the table
 * holds, which runs were not adapted and why, and what adaptation assumes.
 */
import type { ModelResult } from '../../worker/protocol';

export function AdaptationNote({ results, unadapted }: { results: readonly ModelResult[]; unadapted: boolean }) {
  const skipped = results.filter((r) => r.record.adaptation === 'none' && r.record.adaptationReport?.reason);
  const reasons = [...new Map(skipped.map((r) => [r.record.label, r.record.adaptationReport!.reason!])).entries()];
  const fromFile = results.some((r) => r.record.testBeforeAdaptation && !r.probabilitiesBeforeAdaptation);
  return (
    <div className="note" data-testid="adaptation-note" data-view={unadapted ? 'unadapted' : 'adapted'}>
      <p>
        {unadapted ? (
          <>
            Showing the models <strong>as trained</strong>, before test-time BatchNorm adaptation.
          </>
        ) : (
          <>
            Showing the models <strong>after test-time BatchNorm adaptation</strong>: before scoring, each BatchNorm
            layer&rsquo;s averages were re-measured on the test images themselves (no labels used, trained weights
            untouched). Tick &ldquo;before test-time BatchNorm adaptation&rdquo; for the figures of the models as
            trained; both are kept in the results files.
          </>
        )}{' '}
        It helps when the test images differ in how they look (another scanner, exposure or processing) and can hurt
        when only the share of sick patients differs from training.
        {unadapted && fromFile && (
          <>
            {' '}
            Runs opened from a file kept no unadapted probabilities: their figures are the recorded ones, at the
            recorded threshold.
          </>
        )}
      </p>
      {reasons.length > 0 && (
        <ul>
          {reasons.map(([label, reason]) => (
            <li key={label} data-testid="adaptation-skipped">
              <strong>{label}</strong> was not adapted: {reason}.
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
