/**
 * Step 4: the comparison. The threshold slider re-scores every model from its stored test probabilities, so the
 * table and confusion matrices move live without running any network again.
 */
import { useState } from 'react';
import type { ModelInfo, ModelResult } from '../../worker/protocol';
import { confusionAt, metricsAt } from '../lib/threshold-metrics';
import { ROC_GRID_STEPS, rocOnGrid } from '../lib/roc-grid';
import { ComparisonTable, type Row } from './ComparisonTable';
import { ParamsAucChart, type ParamsAucPoint } from './ParamsAucChart';
import { Section } from './Section';
import { VisChart, type ChartSpec } from './VisChart';

export function CompareSection({ results, models }: { results: ModelResult[]; models: ModelInfo[] }) {
  const [threshold, setThreshold] = useState(0.5);
  if (results.length === 0) {
    return (
      <Section step={4} id="compare" title="Compare" intro="Trained models appear here side by side, scored on the test split they never saw.">
        <p className="placeholder">No trained models yet.</p>
      </Section>
    );
  }
  const rows: Row[] = results.map((result) => ({ result, metrics: metricsAt(result, threshold) }));
  const evaluated = rows.filter((r) => r.result.roc.length > 0);
  const positive = results[0].classNames[results[0].positiveClass] ?? 'positive';

  const roc: ChartSpec = {
    kind: 'line', xLabel: 'false-positive rate (%)', yLabel: 'true-positive rate', yDomain: [0, 1],
    series: [...evaluated.map((r) => r.result.record.label), 'chance'],
    values: [...evaluated.map((r) => rocOnGrid(r.result.roc)), Array.from({ length: ROC_GRID_STEPS + 1 }, (_, i) => i / ROC_GRID_STEPS)],
  };
  const familyOf = (id: string) => models.find((m) => m.id === id)?.family ?? (id.startsWith('light-k') ? 'lightlayers' : 'cnn');
  const scatter: ParamsAucPoint[] = results.flatMap((r) => {
    const auc = r.record.test?.auc;
    return auc != null && Number.isFinite(r.record.params)
      ? [{ id: r.modelId, label: r.record.label, family: familyOf(r.modelId), params: r.record.params, auc }]
      : [];
  });

  return (
    <Section step={4} id="compare" title="Compare" intro="Every model scored on the same held-out test images. Sort by any column.">
      <div className="threshold">
        <label htmlFor="threshold">
          Decision threshold <output data-testid="threshold-value">{threshold.toFixed(2)}</output>
        </label>
        <input id="threshold" type="range" min={0.01} max={0.99} step={0.01} value={threshold} data-testid="threshold-slider"
          onChange={(e) => setThreshold(Number(e.currentTarget.value))} />
        <p className="note">
          An X-ray counts as <strong>{positive}</strong> when the model gives it a probability of at least the threshold.
          Lower it to miss fewer {positive.toLowerCase()} cases (sensitivity rises) at the price of more false alarms
          (specificity falls). AUC does not depend on it.
        </p>
      </div>
      <ComparisonTable rows={rows} />
      {evaluated.length > 0 && (
        <div className="compare-charts">
          <figure className="chart-card">
            <figcaption>ROC curves (test split)</figcaption>
            <VisChart spec={roc} height={260} label="ROC curves of every model" testId="chart-roc" />
          </figure>
          <figure className="chart-card">
            <figcaption>AUC against size: the LightLayers k-sweep</figcaption>
            <ParamsAucChart points={scatter} />
          </figure>
        </div>
      )}
      {evaluated.length > 0 && (
        <>
          <h3>Confusion matrices at threshold {threshold.toFixed(2)}</h3>
          <div className="confusion-grid">
            {evaluated.map((row) => {
              const matrix = confusionAt(row.result, row.metrics);
              if (!matrix) return null;
              const spec: ChartSpec = { kind: 'confusion', matrix, labels: row.result.classNames };
              return (
                <figure key={row.result.modelId} className="chart-card">
                  <figcaption>{row.result.record.label} <span className="muted">rows: true class · columns: predicted</span></figcaption>
                  <VisChart spec={spec} height={220} label={`Confusion matrix of ${row.result.record.label}`} testId={`chart-confusion-${row.result.modelId}`} />
                </figure>
              );
            })}
          </div>
        </>
      )}
    </Section>
  );
}
