/**
 * Step 4: the comparison. The threshold slider re-scores every run from its stored test probabilities, so the table
 * and confusion matrices move live without running any network again. Says which test set the runs were scored on,
 * warns when test accuracy falls far below validation accuracy (dataset shift), and can show published results on
 * the official test split as reference rows.
 */
import { useMemo, useState } from 'react';
import { positiveApplies } from '../../lab/report/multi-class-record';
import { isEnsemble } from '../../lab/report/ensemble-record';
import { REFERENCE_TEST_SET } from '../../lab/report/reference-results';
import { stat } from '../../lab/report/stat';
import { SHIFT_WARNING_GAP, valTestGap } from '../../lab/report/summary';
import type { ModelInfo, ModelResult } from '../../worker/protocol';
import { confusionAt } from '../lib/threshold-metrics';
import { hasUnadaptedFigures, unadaptedView, viewMetrics } from '../lib/adaptation-view';
import { ROC_GRID_STEPS, rocOnGrid } from '../lib/roc-grid';
import type { ResultsContext } from '../state/lab-state';
import type { InferenceActions } from '../state/use-inference';
import { describeRecipe } from '../../lab/experiment/recipe-ingredients';
import { ComparisonTable, type TableModel } from './ComparisonTable';
import { ConfusionCells } from './ConfusionCells';
import { DifferencesPanel } from './DifferencesPanel';
import { ErrorGallery } from './ErrorGallery';
import type { GalleryCell } from '../lib/gallery';
import { ParamsAucChart, type ParamsAucPoint } from './ParamsAucChart';
import { AdaptationNote } from './AdaptationNote';
import { ReliabilityDiagrams } from './ReliabilityDiagrams';
import { Section } from './Section';
import type { ChartSpec } from '../lib/chart-spec';
import { VisChart } from './VisChart';

interface Props {
  results: ModelResult[];
  models: ModelInfo[];
  context: ResultsContext | null;
  /** For the error gallery's heat maps. */
  inference: InferenceActions;
  /** Shown in the page's error banner (a download that failed). */
  onError?: (message: string) => void;
}

/**
 * Each run's metrics at the last threshold asked: when a model finishes, the table scores only that run, not every
 * run again (the derived data below is rebuilt on every change of the results).
 */
const metricsCache = new WeakMap<ModelResult, { threshold: number; metrics: ReturnType<typeof viewMetrics> }>();
function cachedViewMetrics(result: ModelResult, threshold: number): ReturnType<typeof viewMetrics> {
  const hit = metricsCache.get(result);
  if (hit?.threshold === threshold) return hit.metrics;
  const metrics = viewMetrics(result, threshold);
  metricsCache.set(result, { threshold, metrics });
  return metrics;
}

/** Results grouped per model, in the experiment's model order; a model's seed ensemble beside its runs. */
function byModel(
  results: ModelResult[],
  ensembles: ModelResult[],
  order: readonly string[],
  threshold: number,
): TableModel[] {
  const ids = [
    ...new Set([...order.filter((id) => results.some((r) => r.modelId === id)), ...results.map((r) => r.modelId)]),
  ];
  return ids.map((modelId) => {
    const runs = results.filter((r) => r.modelId === modelId).sort((a, b) => a.seed - b.seed);
    const ensemble = ensembles.find((r) => r.modelId === modelId);
    return {
      modelId,
      label: runs[0].record.label,
      runs: runs.map((result) => ({ result, metrics: cachedViewMetrics(result, threshold) })),
      ensemble: ensemble ? { result: ensemble, metrics: cachedViewMetrics(ensemble, threshold) } : null,
    };
  });
}

/** A stable default, so that the memoised confusion matrices are not re-rendered for a new function each time. */
const noError = () => undefined;

/**
 * One render per change, everything shown at once; what is derived from the results is computed once per change of
 * what it depends on (useMemo), and the parts (memo) re-render only when their own props change: a model that
 * finishes, or a move of the slider, no longer rebuilds every table, chart and matrix of the step.
 */
export function CompareSection({ results: recorded, models, context, inference, onError = noError }: Props) {
  const [threshold, setThreshold] = useState(context?.experiment.threshold ?? 0.5);
  const [showValidation, setShowValidation] = useState(false);
  const [showReferences, setShowReferences] = useState(false);
  const [confusionSeed, setConfusionSeed] = useState<number | null>(null);
  const [galleryCell, setGalleryCell] = useState<GalleryCell | null>(null);
  // With --adapt-bn the runs hold two metric sets: adapted (as recorded in `test`) and before adaptation.
  const [showUnadapted, setShowUnadapted] = useState(false);
  const adaptedRuns = hasUnadaptedFigures(recorded);
  const unadapted = adaptedRuns && showUnadapted;
  // Seed ensembles are rows of the table (and pairs of the paired tests); everything per run is of trained runs.
  const { results, ensembles } = useMemo(() => {
    const viewed = unadapted ? recorded.map(unadaptedView) : recorded;
    return {
      results: viewed.filter((r) => !isEnsemble(r.record)),
      ensembles: viewed.filter((r) => isEnsemble(r.record)),
    };
  }, [recorded, unadapted]);
  const order = context?.experiment.models;
  const table = useMemo(
    () => byModel(results, ensembles, order ?? [], threshold),
    [results, ensembles, order, threshold],
  );
  const seeds = useMemo(() => [...new Set(results.map((r) => r.seed))].sort((a, b) => a - b), [results]);
  const several = seeds.length > 1;
  const shownSeed = confusionSeed != null && seeds.includes(confusionSeed) ? confusionSeed : seeds[0];
  const evaluated = useMemo(() => results.filter((r) => r.roc.length > 0), [results]);
  const roc = useMemo((): ChartSpec => {
    const runLabel = (r: ModelResult) => (several ? `${r.record.label} · seed ${r.seed}` : r.record.label);
    return {
      // Both axes as rates (0–1); the chance line is grey in every view, whichever runs are drawn.
      kind: 'line',
      xLabel: 'false-positive rate',
      xStep: 1 / ROC_GRID_STEPS,
      yLabel: 'true-positive rate',
      yDomain: [0, 1],
      fixedColors: { chance: '#6b7280' },
      series: [...evaluated.map(runLabel), 'chance'],
      values: [
        ...evaluated.map((r) => rocOnGrid(r.roc)),
        Array.from({ length: ROC_GRID_STEPS + 1 }, (_, i) => i / ROC_GRID_STEPS),
      ],
    };
  }, [evaluated, several]);
  const scatter = useMemo(() => {
    const rankOf = (id: string) => models.find((m) => m.id === id)?.rank ?? null;
    return table.flatMap((m): ParamsAucPoint[] => {
      const auc = stat(m.runs.map((r) => r.result.record.test?.auc))?.mean;
      const params = m.runs[0].result.record.params;
      return auc != null && Number.isFinite(params) && params > 0
        ? [{ id: m.modelId, label: m.label, rank: rankOf(m.modelId), params, auc }]
        : [];
    });
  }, [table, models]);
  // One matrix per model at the shown seed, with that model's runs (for its CSV).
  const matrices = useMemo(
    () =>
      table.flatMap((m) => {
        const run = m.runs.find((r) => r.result.seed === shownSeed && r.result.roc.length > 0);
        const matrix = run && confusionAt(run.result, run.metrics);
        return run && matrix ? [{ model: m, result: run.result, matrix, runs: m.runs.map((r) => r.result) }] : [];
      }),
    [table, shownSeed],
  );
  const calibrated = useMemo(
    () =>
      table.flatMap((m) =>
        m.runs
          .filter((r) => r.result.seed === shownSeed)
          .slice(0, 1)
          .map((r) => ({ modelId: m.modelId, label: m.label, result: r.result })),
      ),
    [table, shownSeed],
  );
  const recipe = useMemo(() => context && describeRecipe(context.experiment), [context]);
  if (results.length === 0) {
    return (
      <Section
        step={4}
        id="compare"
        title="Compare"
        intro="Trained models appear here side by side, scored on the test split they never saw."
      >
        <p className="placeholder">
          No trained models yet. Train some, or open an experiment.json saved earlier (step 5).
        </p>
      </Section>
    );
  }
  const positive = results[0].classNames[results[0].positiveClass] ?? 'positive';
  // More than two classes: each image is its most probable class; the slider moves only a named positive class's figures.
  const multiClass = results.some((r) => r.record.test?.multiClass);
  const positiveNamed = results.every((r) => positiveApplies(r.record.test));
  const shifted = results.filter((r) => r.record.status === 'ok' && (valTestGap(r.record) ?? 0) > SHIFT_WARNING_GAP);
  const origin = context?.origin;

  return (
    <Section
      step={4}
      id="compare"
      title="Compare"
      intro="Every model scored on the same held-out test images. Sort by any column."
    >
      <p className="note" data-testid="test-set-origin">
        {context?.data ? <>Scored on {context.data.testSet}.</> : <>Scored on the held-out test split.</>}
        {origin?.kind === 'file' && (
          <>
            {' '}
            Results opened from <strong>{origin.name}</strong> (run {origin.createdAt.slice(0, 10)}, on{' '}
            {context?.data?.source}): nothing was trained for them here.
          </>
        )}
        {several && (
          <>
            {' '}
            Each model ran with {seeds.length} seeds ({seeds.join(', ')}); rows show the mean ± standard deviation.
          </>
        )}
      </p>
      {shifted.length > 0 && (
        <p className="note is-warning" data-testid="shift-warning">
          <strong>Dataset shift:</strong> for {[...new Set(shifted.map((r) => r.record.label))].join(', ')}, test
          accuracy is more than {SHIFT_WARNING_GAP} below validation accuracy. The test images differ from the images
          the models trained on, so do not read the validation figures as a forecast: trust the test figures. (Tick
          &ldquo;validation metrics&rdquo; to see both.)
        </p>
      )}
      <div className="threshold">
        <label htmlFor="threshold">
          Decision threshold <output data-testid="threshold-value">{threshold.toFixed(2)}</output>
        </label>
        <input
          id="threshold"
          type="range"
          min={0.01}
          max={0.99}
          step={0.01}
          value={threshold}
          data-testid="threshold-slider"
          onChange={(e) => setThreshold(Number(e.currentTarget.value))}
        />
        {multiClass && (
          <p className="note" data-testid="multi-class-note">
            With {results[0].classNames.length} classes, each X-ray counts as its most probable class: accuracy,
            balanced accuracy, AUC (the mean of each class against the rest) and the confusion matrices do not depend on
            the threshold.
            {positiveNamed ? (
              <>
                {' '}
                The threshold moves only the sensitivity, specificity and F1 of <strong>{positive}</strong> against the
                rest.
              </>
            ) : (
              <> Name a positive class in Settings to see one class&rsquo;s sensitivity and specificity in the table.</>
            )}
          </p>
        )}
        {!(multiClass && !positiveNamed) && (
          <p className="note">
            An X-ray counts as <strong>{positive}</strong> when the model gives it a probability of at least the
            threshold. Lower it to miss fewer {positive.toLowerCase()} cases (sensitivity rises) at the price of more
            false alarms (specificity falls). AUC does not depend on it.
          </p>
        )}
      </div>
      <div className="table-options">
        <label>
          <input
            type="checkbox"
            data-testid="show-validation"
            checked={showValidation}
            onChange={(e) => setShowValidation(e.currentTarget.checked)}
          />{' '}
          validation metrics and the val → test gap
        </label>
        <label>
          <input
            type="checkbox"
            data-testid="show-references"
            checked={showReferences}
            onChange={(e) => setShowReferences(e.currentTarget.checked)}
          />{' '}
          published results for reference
        </label>
        {adaptedRuns && (
          <label>
            <input
              type="checkbox"
              data-testid="show-unadapted"
              checked={showUnadapted}
              onChange={(e) => setShowUnadapted(e.currentTarget.checked)}
            />{' '}
            before test-time BatchNorm adaptation
          </label>
        )}
      </div>
      {adaptedRuns && <AdaptationNote results={recorded} unadapted={showUnadapted} />}
      {context && (
        <p className="note" data-testid="results-recipe">
          {recipe}
        </p>
      )}
      <ComparisonTable models={table} showValidation={showValidation} showReferences={showReferences} />
      <DifferencesPanel results={recorded} written={context?.comparisons} />
      {showReferences && (
        <p className="note" data-testid="references-note">
          Rows marked <span className="tag">published</span> are figures from papers, not runs of this lab, all on{' '}
          {REFERENCE_TEST_SET}: compare them only with runs scored on that same split.
        </p>
      )}
      {evaluated.length > 0 && (
        <div className="compare-charts">
          <figure className="chart-card">
            <figcaption>ROC curves ({multiClass ? `${positive} against the rest, ` : ''}test split)</figcaption>
            <VisChart spec={roc} height={260} label="ROC curves of every run" testId="chart-roc" />
          </figure>
          <figure className="chart-card">
            <figcaption>AUC against size: the LightLayers k-sweep{several ? ' (mean over seeds)' : ''}</figcaption>
            <ParamsAucChart points={scatter} />
          </figure>
        </div>
      )}
      {evaluated.length > 0 && (
        <>
          <h3>
            {multiClass
              ? 'Confusion matrices (each image as its most probable class)'
              : `Confusion matrices at threshold ${threshold.toFixed(2)}`}
            {several && (
              <>
                {' '}
                for seed{' '}
                <select
                  data-testid="confusion-seed"
                  value={shownSeed}
                  onChange={(e) => setConfusionSeed(Number(e.currentTarget.value))}
                >
                  {seeds.map((s) => (
                    <option key={s} value={s}>
                      {s}
                    </option>
                  ))}
                </select>
              </>
            )}
          </h3>
          <div className="confusion-grid">
            {matrices.map(({ model: m, result, matrix, runs }) => (
              // One matrix per model: the clickable table, shaded as a heat map (a second, unclickable chart confused people).
              <figure key={m.modelId} className="chart-card">
                <figcaption>
                  {m.label} <span className="muted">rows: true class · columns: predicted</span>
                </figcaption>
                <ConfusionCells
                  result={result}
                  matrix={matrix}
                  modelRuns={runs}
                  testImages={context?.testImages ?? null}
                  threshold={threshold}
                  open={galleryCell}
                  onOpen={setGalleryCell}
                  onError={onError}
                />
              </figure>
            ))}
          </div>
          {galleryCell && galleryCell.seed === shownSeed && (
            <ErrorGallery
              cell={galleryCell}
              results={results}
              testImages={context?.testImages ?? null}
              threshold={threshold}
              inference={inference}
              onClose={() => setGalleryCell(null)}
            />
          )}
          <ReliabilityDiagrams positive={positive} unadapted={unadapted} runs={calibrated} />
        </>
      )}
    </Section>
  );
}
