/**
 * The comparison table. Cells carry `data-metric` and hold plain numbers (tests read them); a missing value is an
 * empty cell that CSS draws as a dash. Click a header to sort; threshold metrics follow the slider.
 */
import { useState } from 'react';
import type { BinaryMetrics } from '../../lab/eval/binary-metrics';
import type { ModelResult } from '../../worker/protocol';

export interface Row {
  result: ModelResult;
  metrics: BinaryMetrics | null;
}

interface Column {
  metric: string;
  header: string;
  title: string;
  digits: number;
  value: (row: Row) => number | null;
}

/** A count from the record, or nothing for a model that failed before it was built (the core records 0 then). */
function count(row: Row, n: number | null): number | null {
  return row.result.record.status === 'failed' && !n ? null : n;
}

const COLUMNS: Column[] = [
  { metric: 'params', header: 'Params', title: 'All weights, BatchNorm statistics included', digits: 0, value: (r) => count(r, r.result.record.params) },
  { metric: 'trainable', header: 'Trainable', title: 'Weights the optimiser changes', digits: 0, value: (r) => count(r, r.result.record.trainableParams) },
  { metric: 'bytes', header: 'Bytes', title: 'Size of weights.bin (float32)', digits: 0, value: (r) => count(r, r.result.record.bytes) },
  { metric: 'accuracy', header: 'Accuracy', title: 'Share of test images classified right, at the threshold', digits: 3, value: (r) => r.metrics?.accuracy ?? null },
  { metric: 'sensitivity', header: 'Sensitivity', title: 'Share of positive test images found (recall)', digits: 3, value: (r) => r.metrics?.sensitivity ?? null },
  { metric: 'specificity', header: 'Specificity', title: 'Share of negative test images cleared', digits: 3, value: (r) => r.metrics?.specificity ?? null },
  { metric: 'auc', header: 'AUC', title: 'Area under the ROC curve: threshold-free ranking quality', digits: 3, value: (r) => r.result.record.test?.auc ?? null },
  { metric: 'f1', header: 'F1', title: 'Harmonic mean of precision and sensitivity, at the threshold', digits: 3, value: (r) => r.metrics?.f1 ?? null },
  { metric: 'train-time', header: 'Train s', title: 'Wall time of training, validation included (seconds)', digits: 1, value: (r) => sec(r.result.record.trainTimeMs) },
  { metric: 'time-per-epoch', header: 's/epoch', title: 'Seconds per epoch', digits: 2, value: (r) => sec(r.result.record.msPerEpoch) },
  { metric: 'inference-ms', header: 'ms/image', title: 'Median time to classify one image (batch of 1)', digits: 2, value: (r) => r.result.record.inference?.msPerImage ?? null },
];

function sec(ms: number | null): number | null {
  return ms == null ? null : ms / 1000;
}

type Sort = { metric: string; descending: boolean } | null;

export function ComparisonTable({ rows }: { rows: Row[] }) {
  const [sort, setSort] = useState<Sort>(null);
  const column = sort ? COLUMNS.find((c) => c.metric === sort.metric) : undefined;
  const sorted = column
    ? [...rows].sort((a, b) => {
        const x = column.value(a);
        const y = column.value(b);
        if (x == null || y == null) return x == null ? (y == null ? 0 : 1) : -1;
        return sort!.descending ? y - x : x - y;
      })
    : rows;

  const toggle = (metric: string) =>
    setSort((s) => (s?.metric === metric ? { metric, descending: !s.descending } : { metric, descending: true }));

  return (
    <div className="table-wrap">
      <table className="comparison" data-testid="comparison-table">
        <thead>
          <tr>
            <th scope="col">Model</th>
            {COLUMNS.map((c) => (
              <th key={c.metric} scope="col" className="num" title={c.title}
                aria-sort={sort?.metric === c.metric ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
                <button type="button" className="sort-button" onClick={() => toggle(c.metric)}>
                  {c.header}
                  <span className="sort-mark" aria-hidden>{sort?.metric === c.metric ? (sort.descending ? '▼' : '▲') : ''}</span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => {
            const r = row.result.record;
            return (
              <tr key={r.modelId} data-model-id={r.modelId} data-status={r.status} className={`is-${r.status}`}>
                <th scope="row">
                  <span className="model-name">{r.label}</span>
                  <span className="model-meta">{r.inputSize}×{r.inputSize}×{r.channels} · {r.backend} · {r.epochsRun}/{r.epochsPlanned} ep.</span>
                  {r.status !== 'ok' && <span className={`row-status is-${r.status}`}>{r.status}{r.error ? `: ${r.error}` : ''}</span>}
                  {r.status === 'ok' && r.error && <span className="row-status">{r.error}</span>}
                </th>
                {COLUMNS.map((c) => {
                  const v = c.value(row);
                  const ok = v != null && Number.isFinite(v);
                  return (
                    <td key={c.metric} className="num" data-metric={c.metric} data-missing={ok ? undefined : ''}>
                      {ok ? (c.digits === 0 ? String(Math.round(v)) : v.toFixed(c.digits)) : ''}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
