/**
 * "Differences" under the comparison table: is model A better than model B on these test images, or can they not tell
 * them apart? A matrix of model pairs for one seed (ΔAUC with its interval and DeLong's p, McNemar's test of the
 * accuracies), the verdicts in words, and with several seeds each pair's differences over them. The tests come from
 * the core (report/comparisons.ts), computed from the runs' test probabilities; a results file opened without
 * probabilities shows the comparisons it was written with.
 */
import { memo, useMemo, useState } from 'react';
import {
  accuracyVerdict,
  aucDifferenceFound,
  aucVerdict,
  comparisonsOverSeeds,
  COMPARISONS_EXPLAINED,
  formatP,
  formatSigned,
  overSeedsSentence,
  pairedComparisons,
  type PairComparison,
} from '../../lab/report/comparisons';
import { ENSEMBLE_SEED } from '../../lab/report/ensemble-record';
import { formatInteger } from '../../lab/report/format';
import type { ModelResult } from '../../worker/protocol';

interface Props {
  /** As recorded (after test-time adaptation where it ran): the tests use each run's recorded threshold. */
  results: readonly ModelResult[];
  /** The comparisons an opened results file was written with, used when no run here has probabilities. */
  written?: readonly PairComparison[];
}

/** The paired tests of the runs on the page, or those written in the opened file. */
export function comparisonsOf(
  results: readonly ModelResult[],
  written: readonly PairComparison[] = [],
): PairComparison[] {
  const scored = results.filter((r) => r.probabilities.length > 0);
  if (scored.length === 0) return [...written];
  return pairedComparisons(
    results.map((r) => r.record),
    scored[0].labels,
    scored,
  );
}

function DifferencesPanelView({ results, written }: Props) {
  const comparisons = useMemo(() => comparisonsOf(results, written), [results, written]);
  const seeds = [...new Set(comparisons.map((c) => c.seed))];
  // Seed ensembles are compared with each other as one more choice, not one more seed.
  const trainedSeeds = seeds.filter((s) => s !== ENSEMBLE_SEED);
  const [chosenSeed, setChosenSeed] = useState<number | null>(null);
  if (comparisons.length === 0) return null;
  const seed = chosenSeed != null && seeds.includes(chosenSeed) ? chosenSeed : seeds[0];
  const ofSeed = comparisons.filter((c) => c.seed === seed);
  const models = [...new Set(ofSeed.flatMap((c) => [c.a, c.b]))];
  const labelOf = (id: string) =>
    ofSeed.find((c) => c.a === id)?.labelA ?? ofSeed.find((c) => c.b === id)?.labelB ?? id;
  const images = ofSeed[0].images;
  const smallest = Math.min(...ofSeed.flatMap((c) => (c.auc ? [c.auc.detectable] : [])));

  return (
    <section className="differences" data-testid="differences-panel" aria-labelledby="differences-heading">
      <h3 id="differences-heading">
        {/* formatInteger, not toLocaleString: a first Intl call sets up ICU, tens of ms of main thread. */}
        Differences: can these {formatInteger(images)} test images tell the models apart?
        {seeds.length > 1 && (
          <>
            {' '}
            Seed{' '}
            <select
              data-testid="differences-seed"
              aria-label="Seed of the paired tests"
              value={seed}
              onChange={(e) => setChosenSeed(Number(e.currentTarget.value))}
            >
              {seeds.map((s) => (
                <option key={s} value={s}>
                  {s === ENSEMBLE_SEED ? 'ensembles' : s}
                </option>
              ))}
            </select>
          </>
        )}
      </h3>
      <p className="note">
        Each cell tests the row&rsquo;s model against the column&rsquo;s on the same images: ΔAUC = row − column with
        its 95% interval and DeLong&rsquo;s p (Holm-corrected over this seed&rsquo;s {ofSeed.length} pair
        {ofSeed.length === 1 ? '' : 's'}), and McNemar&rsquo;s exact test of the accuracies at each model&rsquo;s
        recorded threshold (not the slider&rsquo;s).
        {Number.isFinite(smallest) && (
          <> On these images, an AUC difference smaller than about {smallest.toFixed(3)} could not be detected.</>
        )}
      </p>
      <div className="table-wrap">
        <table className="differences-matrix" data-testid="differences-matrix">
          <caption className="visually-hidden">Paired tests for seed {seed}: rows are model A, columns model B</caption>
          <thead>
            <tr>
              <th scope="col">A \ B</th>
              {models.slice(1).map((id) => (
                <th key={id} scope="col">
                  {labelOf(id)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {models.slice(0, -1).map((rowId, i) => (
              <tr key={rowId}>
                <th scope="row">{labelOf(rowId)}</th>
                {models.slice(1).map((colId, j) => {
                  const c = j >= i ? ofSeed.find((x) => x.a === rowId && x.b === colId) : undefined;
                  return c ? <DifferenceCell key={colId} comparison={c} /> : <td key={colId} aria-hidden="true" />;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="differences-verdicts" data-testid="differences-verdicts">
        {ofSeed.map((c) => (
          <li key={`${c.a}-${c.b}`}>
            {aucVerdict(c)}; {accuracyVerdict(c)}.
          </li>
        ))}
      </ul>
      {trainedSeeds.length > 1 && (
        <>
          <h4>Over seeds {trainedSeeds.join(', ')}</h4>
          <ul data-testid="differences-over-seeds">
            {comparisonsOverSeeds(comparisons).map((p) => (
              <li key={`${p.a}-${p.b}`}>{overSeedsSentence(p)}.</li>
            ))}
          </ul>
        </>
      )}
      <details className="differences-explained">
        <summary>What these tests answer, and what they do not</summary>
        {COMPARISONS_EXPLAINED.map((text) => (
          <p key={text.slice(0, 24)}>{text}</p>
        ))}
      </details>
    </section>
  );
}

function DifferenceCell({ comparison: c }: { comparison: PairComparison }) {
  const found = aucDifferenceFound(c);
  const verdict = !c.auc
    ? 'no AUC'
    : found
      ? `${c.auc.difference > 0 ? c.labelA : c.labelB} higher`
      : 'cannot be told apart';
  return (
    <td
      data-testid={`difference-${c.a}-${c.b}`}
      data-p={c.auc?.p ?? ''}
      data-p-holm={c.pHolm ?? ''}
      data-difference={c.auc?.difference ?? ''}
      className={found ? 'difference-found' : undefined}
    >
      {c.auc && (
        <span className="difference-auc">
          ΔAUC {formatSigned(c.auc.difference)}{' '}
          <span className="muted">
            [{formatSigned(c.auc.ci95[0])}, {formatSigned(c.auc.ci95[1])}]
          </span>
        </span>
      )}
      <span className="difference-p">
        {c.auc ? formatP(c.auc.p) : ''}
        {c.pHolm !== null && c.auc && c.pHolm !== c.auc.p ? ` · Holm ${formatP(c.pHolm).slice(2)}` : ''}
      </span>
      <strong className="difference-verdict">{verdict}</strong>
      <span className="difference-accuracy muted">
        accuracy {formatSigned(c.accuracy.a - c.accuracy.b)}, McNemar {formatP(c.accuracy.p)}
        {c.accuracy.pHolm !== c.accuracy.p ? ` · Holm ${formatP(c.accuracy.pHolm).slice(2)}` : ''}
      </span>
    </td>
  );
}

/** Re-rendered only when the results (or the written comparisons) change. */
export const DifferencesPanel = memo(DifferencesPanelView);
