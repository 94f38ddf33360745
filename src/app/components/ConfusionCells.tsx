/**
 * A run's confusion matrix as buttons: each cell opens the error gallery of its test images (e.g. NORMAL called
 * PNEUMONIA), says so in its accessible name and looks pressable; its shade is the cell's share of its true class, so
 * the one table is both the heat map and the way in. Beside it, the model's per-image predictions as CSV (every seed
 * of the model, decided at the threshold shown). With more than two classes each row also gives its class's
 * sensitivity, specificity and AUC against the rest.
 */
import { memo } from 'react';
import { runKeyId } from '../../lab/experiment/run-control';
import type { ModelResult } from '../../worker/protocol';
import { saveBlob } from '../lib/download';
import { modelPredictionsCsv, type GalleryCell } from '../lib/gallery';
import { sameItems, sameMatrix, sameProps } from '../lib/same-props';

interface Props {
  result: ModelResult;
  matrix: number[][];
  /** Every run of this model (its seeds), for the CSV. */
  modelRuns: ModelResult[];
  testImages: { files: string[] } | null;
  threshold: number;
  open: GalleryCell | null;
  onOpen: (cell: GalleryCell) => void;
  onError: (message: string) => void;
}

function ConfusionCellsView({ result, matrix, modelRuns, testImages, threshold, open, onOpen, onError }: Props) {
  const names = result.classNames;
  const runId = runKeyId(result);
  // More than two classes: each class against the rest, beside its row.
  const perClass = result.record.test?.multiClass?.perClass ?? null;
  const download = () => {
    try {
      const csv = modelPredictionsCsv(modelRuns, testImages, threshold);
      saveBlob(new Blob([csv], { type: 'text/csv' }), `predictions-${result.modelId}.csv`);
    } catch (err) {
      onError((err as Error).message);
    }
  };
  return (
    <div className={`confusion-cells${perClass ? ' is-multi-class' : ''}`}>
      <p className="confusion-hint" id={`confusion-hint-${result.modelId}`}>
        Click a count to see those test images.
      </p>
      <table
        aria-describedby={`confusion-hint-${result.modelId}`}
        data-testid={`confusion-matrix-${result.modelId}`}
        data-classes={names.length}
      >
        <caption className="visually-hidden">
          Confusion matrix of {result.record.label}: rows are the true class, columns the predicted class
        </caption>
        <thead>
          <tr>
            <th scope="col" className="muted">
              true ↓ · predicted →
            </th>
            {names.map((n) => (
              <th key={n} scope="col">
                {n}
              </th>
            ))}
            {perClass && (
              <>
                <th scope="col" title="Share of this class's images found">
                  Sensitivity
                </th>
                <th scope="col" title="Share of the other classes' images not called this class">
                  Specificity
                </th>
                <th scope="col" title="ROC AUC of this class against the rest">
                  AUC
                </th>
              </>
            )}
          </tr>
        </thead>
        <tbody>
          {matrix.map((row, t) => {
            const total = row.reduce((a, b) => a + b, 0);
            return (
              <tr key={names[t] ?? t}>
                <th scope="row">{names[t]}</th>
                {row.map((count, p) => {
                  const isOpen = open?.runId === runId && open.trueClass === t && open.predicted === p;
                  const share = total > 0 ? count / total : 0;
                  return (
                    <td key={p}>
                      <button
                        type="button"
                        className={`cell-button ${t === p ? 'is-right' : 'is-wrong'} ${isOpen ? 'is-open' : ''}`}
                        aria-pressed={isOpen}
                        data-testid={`confusion-cell-${result.modelId}-${names[t]}-${names[p]}`}
                        data-count={count}
                        // At most 45% accent under dark text: contrast stays above 4.5:1.
                        style={{ background: `color-mix(in srgb, var(--accent) ${Math.round(share * 45)}%, white)` }}
                        // Starts with what the button shows (count, share), so speech input can name it (WCAG 2.5.3).
                        aria-label={`${count} (${Math.round(share * 100)}%): ${names[t]} called ${names[p]}, ${count} test image${count === 1 ? '' : 's'}. Show them`}
                        title={`Show the ${count} test image(s) of class ${names[t]} that ${result.record.label} called ${names[p]}`}
                        onClick={() =>
                          onOpen({ runId, modelId: result.modelId, seed: result.seed, trueClass: t, predicted: p })
                        }
                      >
                        {count}
                        {/* The visible text is the start of the accessible name, as speech input needs (WCAG 2.5.3). */}
                        <span className="cell-share"> ({Math.round(share * 100)}%)</span>
                      </button>
                    </td>
                  );
                })}
                {perClass &&
                  (['sensitivity', 'specificity', 'auc'] as const).map((metric) => {
                    const v = perClass[t]?.[metric] ?? null;
                    return (
                      <td
                        key={metric}
                        className="num class-metric"
                        data-class-metric={metric}
                        data-value={v ?? undefined}
                      >
                        {v == null ? '—' : v.toFixed(3)}
                      </td>
                    );
                  })}
              </tr>
            );
          })}
        </tbody>
      </table>
      <button
        type="button"
        className="link-button"
        data-testid={`predictions-csv-${result.modelId}`}
        onClick={download}
      >
        Per-image predictions (CSV{modelRuns.length > 1 ? `, ${modelRuns.length} seeds` : ''})
      </button>
    </div>
  );
}

/**
 * Re-rendered only when what it shows changes (the open cell, the threshold, the counts, the runs): the matrix and
 * the list of runs are rebuilt whenever any model finishes, so they are compared by content.
 */
export const ConfusionCells = memo(ConfusionCellsView, (a, b) =>
  sameProps(a, b, { matrix: sameMatrix, modelRuns: sameItems }),
);
