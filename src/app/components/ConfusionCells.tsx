/**
 * A run's confusion matrix as buttons: each cell opens the error gallery of its test images (e.g. NORMAL called
 * PNEUMONIA). Counts are the matrix the chart above draws at the same threshold. Beside it, the model's per-image
 * predictions as CSV (every seed of the model, decided at the threshold shown).
 */
import { runKeyId } from '../../lab/experiment/run-control';
import type { ModelResult } from '../../worker/protocol';
import { saveBlob } from '../lib/download';
import { modelPredictionsCsv, type GalleryCell } from '../lib/gallery';

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

export function ConfusionCells({ result, matrix, modelRuns, testImages, threshold, open, onOpen, onError }: Props) {
  const names = result.classNames;
  const runId = runKeyId(result);
  const download = () => {
    try {
      const csv = modelPredictionsCsv(modelRuns, testImages, threshold);
      saveBlob(new Blob([csv], { type: 'text/csv' }), `predictions-${result.modelId}.csv`);
    } catch (err) {
      onError((err as Error).message);
    }
  };
  return (
    <div className="confusion-cells">
      <table>
        <thead>
          <tr><th scope="col" className="muted">true ↓ · predicted →</th>{names.map((n) => <th key={n} scope="col">{n}</th>)}</tr>
        </thead>
        <tbody>
          {matrix.map((row, t) => (
            <tr key={names[t] ?? t}>
              <th scope="row">{names[t]}</th>
              {row.map((count, p) => {
                const isOpen = open?.runId === runId && open.trueClass === t && open.predicted === p;
                return (
                  <td key={p}>
                    <button type="button" className={`cell-button ${t === p ? 'is-right' : 'is-wrong'} ${isOpen ? 'is-open' : ''}`} aria-pressed={isOpen}
                      data-testid={`confusion-cell-${result.modelId}-${names[t]}-${names[p]}`} data-count={count}
                      title={`Show the ${count} test image(s) of class ${names[t]} that ${result.record.label} called ${names[p]}`}
                      onClick={() => onOpen({ runId, modelId: result.modelId, seed: result.seed, trueClass: t, predicted: p })}>
                      {count}
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="link-button" data-testid={`predictions-csv-${result.modelId}`} onClick={download}>
        Per-image predictions (CSV{modelRuns.length > 1 ? `, ${modelRuns.length} seeds` : ''})
      </button>
    </div>
  );
}
