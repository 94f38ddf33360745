/**
 * The comparison table: one row per model — the mean over its seeds, ± the standard deviation when it ran with
 * several — that expands into one row per seed. Cells carry `data-metric` and `data-value` (tests read them); a
 * single run's cell holds the plain number and, under it, its 95% interval (`data-ci-low`, `data-ci-high`), so a
 * difference the test set cannot support is not read as a ranking. A missing value is an empty cell that CSS draws as
 * a dash. Click a header to sort; threshold metrics follow the slider. Published results can be shown below as
 * reference rows.
 */
import { Fragment, memo, useState } from 'react';
import type { BinaryMetrics } from '../../lab/eval/binary-metrics';
import { runKeyId } from '../../lab/experiment/run-control';
import { recordLabel } from '../../lab/report/ensemble-record';
import { formatInteger } from '../../lab/report/format';
import { positiveApplies } from '../../lab/report/multi-class-record';
import { REFERENCE_RESULTS, type ReferenceResult } from '../../lab/report/reference-results';
import { stat } from '../../lab/report/stat';
import { isDegenerate, valTestGap } from '../../lab/report/summary';
import type { ModelResult } from '../../worker/protocol';
import { thresholdIntervals, type Interval } from '../lib/intervals';

/** One run with its metrics at the slider's threshold. */
export interface TableRun {
  result: ModelResult;
  metrics: BinaryMetrics | null;
}

/** A model's runs, one per seed, and its seed ensemble when one was scored. */
export interface TableModel {
  modelId: string;
  label: string;
  runs: TableRun[];
  /** The mean of its seeds' probabilities, scored as one classifier: a row of its own, never part of the mean. */
  ensemble?: TableRun | null;
}

interface Column {
  metric: string;
  header: string;
  title: string;
  digits: number;
  value: (run: TableRun) => number | null;
  /** Only with "show validation". */
  validation?: boolean;
  /** Only when some run has more than two classes. */
  multiClass?: boolean;
  /** A count that does not vary over seeds: no ± shown. */
  fixed?: boolean;
  reference?: (r: ReferenceResult) => number | null;
  /** The run's 95% interval, where one is known. */
  interval?: (run: TableRun) => Interval | null;
}

/** A count from the record, or nothing for a model that failed before it was built (the core records 0 then). */
function count(run: TableRun, n: number | null): number | null {
  return run.result.record.status === 'failed' && !n ? null : n;
}

const sec = (ms: number | null): number | null => (ms == null ? null : ms / 1000);

/*
 * More than two classes: accuracy is the recorded argmax accuracy (a threshold on one class cannot change it), and
 * the slider's positive-vs-rest figures count only where the user named the positive class.
 */
const isMultiClass = (run: TableRun): boolean => run.result.record.test?.multiClass != null;
const positiveMetrics = (run: TableRun): BinaryMetrics | null =>
  positiveApplies(run.result.record.test) ? run.metrics : null;
const intervalsOf = (run: TableRun) => {
  const m = positiveMetrics(run);
  return m ? thresholdIntervals(m) : null;
};
const accuracyOf = (run: TableRun): number | null =>
  isMultiClass(run) ? run.result.record.test!.accuracy : (run.metrics?.accuracy ?? null);
const accuracyInterval = (run: TableRun): Interval | null =>
  isMultiClass(run)
    ? (run.result.record.test!.ci?.accuracy ?? null)
    : run.metrics
      ? thresholdIntervals(run.metrics).accuracy
      : null;

const COLUMNS: Column[] = [
  {
    metric: 'params',
    header: 'Params',
    title: 'All weights, BatchNorm statistics included',
    digits: 0,
    fixed: true,
    value: (r) => count(r, r.result.record.params),
    reference: (x) => x.params,
  },
  {
    metric: 'trainable',
    header: 'Trainable',
    title: 'Weights the optimiser changes',
    digits: 0,
    fixed: true,
    value: (r) => count(r, r.result.record.trainableParams),
  },
  {
    metric: 'bytes',
    header: 'Bytes',
    title: 'Size of weights.bin (float32)',
    digits: 0,
    fixed: true,
    value: (r) => count(r, r.result.record.bytes),
  },
  {
    metric: 'accuracy',
    header: 'Accuracy',
    title:
      'Share of test images classified right (at the threshold; with more than two classes, as their most probable class)',
    digits: 3,
    value: accuracyOf,
    reference: (x) => x.accuracy,
    interval: accuracyInterval,
  },
  {
    metric: 'balanced-accuracy',
    header: 'Balanced acc.',
    title: 'Mean over the classes of the share of each class found',
    digits: 3,
    multiClass: true,
    value: (r) => r.result.record.test?.multiClass?.balancedAccuracy ?? null,
  },
  {
    metric: 'sensitivity',
    header: 'Sensitivity',
    title: 'Share of positive test images found (recall)',
    digits: 3,
    value: (r) => positiveMetrics(r)?.sensitivity ?? null,
    reference: (x) => x.sensitivity,
    interval: (r) => intervalsOf(r)?.sensitivity ?? null,
  },
  {
    metric: 'specificity',
    header: 'Specificity',
    title: 'Share of negative test images cleared',
    digits: 3,
    value: (r) => positiveMetrics(r)?.specificity ?? null,
    reference: (x) => x.specificity,
    interval: (r) => intervalsOf(r)?.specificity ?? null,
  },
  {
    metric: 'auc',
    header: 'AUC',
    title:
      'Area under the ROC curve: threshold-free ranking quality (more than two classes: the mean of each class against the rest)',
    digits: 3,
    value: (r) => r.result.record.test?.auc ?? null,
    reference: (x) => x.auc,
    interval: (r) => r.result.record.test?.ci?.auc ?? null,
  },
  {
    metric: 'f1',
    header: 'F1',
    title: 'Harmonic mean of precision and sensitivity, at the threshold',
    digits: 3,
    value: (r) => positiveMetrics(r)?.f1 ?? null,
  },
  {
    metric: 'val-accuracy',
    header: 'Val acc.',
    title: 'Accuracy on the validation split with the kept weights, at the recorded threshold',
    digits: 3,
    validation: true,
    value: (r) => r.result.record.validation?.accuracy ?? null,
  },
  {
    metric: 'val-auc',
    header: 'Val AUC',
    title: 'AUC on the validation split with the kept weights',
    digits: 3,
    validation: true,
    value: (r) => r.result.record.validation?.auc ?? null,
  },
  {
    metric: 'gap',
    header: 'Val − test',
    title:
      'Validation accuracy minus test accuracy (recorded threshold): above 0.10, the test images differ from the training images',
    digits: 3,
    validation: true,
    value: (r) => valTestGap(r.result.record),
  },
  {
    metric: 'train-time',
    header: 'Train s',
    title: 'Wall time of training, validation included (seconds)',
    digits: 1,
    value: (r) => sec(r.result.record.trainTimeMs),
  },
  {
    metric: 'time-per-epoch',
    header: 's/epoch',
    title: 'Seconds per epoch',
    digits: 2,
    value: (r) => sec(r.result.record.msPerEpoch),
  },
  {
    metric: 'inference-ms',
    header: 'ms/image',
    title: 'Median time to classify one image (batch of 1)',
    digits: 2,
    value: (r) => r.result.record.inference?.msPerImage ?? null,
  },
];

type Sort = { metric: string; descending: boolean } | null;

interface Props {
  models: TableModel[];
  showValidation: boolean;
  showReferences: boolean;
}

function ComparisonTableView({ models, showValidation, showReferences }: Props) {
  const [sort, setSort] = useState<Sort>(null);
  const [expanded, setExpanded] = useState<Record<string, boolean>>({});
  const multiClass = models.some((m) => m.runs.some(isMultiClass));
  const columns = COLUMNS.filter((c) => (showValidation || !c.validation) && (multiClass || !c.multiClass));
  const mean = (m: TableModel, c: Column) => stat(m.runs.map(c.value))?.mean ?? null;
  const column = sort ? columns.find((c) => c.metric === sort.metric) : undefined;
  const sorted = column
    ? [...models].sort((a, b) => {
        const x = mean(a, column);
        const y = mean(b, column);
        if (x == null || y == null) return x == null ? (y == null ? 0 : 1) : -1;
        return sort!.descending ? y - x : x - y;
      })
    : models;
  const toggle = (metric: string) =>
    setSort((s) => (s?.metric === metric ? { metric, descending: !s.descending } : { metric, descending: true }));

  return (
    <div className="table-wrap">
      <table className="comparison" data-testid="comparison-table">
        <thead>
          <tr>
            <th scope="col">Model</th>
            {columns.map((c) => (
              <th
                key={c.metric}
                scope="col"
                className="num"
                title={c.title}
                aria-sort={sort?.metric === c.metric ? (sort.descending ? 'descending' : 'ascending') : 'none'}
              >
                <button type="button" className="sort-button" onClick={() => toggle(c.metric)}>
                  {c.header}
                  <span className="sort-mark" aria-hidden>
                    {sort?.metric === c.metric ? (sort.descending ? '▼' : '▲') : ''}
                  </span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((m) => {
            const open = expanded[m.modelId] ?? false;
            return (
              <Fragment key={m.modelId}>
                <ModelRow
                  model={m}
                  columns={columns}
                  open={open}
                  onToggle={() => setExpanded((e) => ({ ...e, [m.modelId]: !open }))}
                />
                {open && m.runs.map((run) => <SeedRow key={runKeyId(run.result)} run={run} columns={columns} />)}
                {m.ensemble && <EnsembleRow modelId={m.modelId} run={m.ensemble} columns={columns} />}
              </Fragment>
            );
          })}
          {showReferences && REFERENCE_RESULTS.map((r) => <ReferenceRow key={r.id} reference={r} columns={columns} />)}
        </tbody>
      </table>
      <p className="note" data-testid="interval-note">
        Under a run&rsquo;s figure: its 95% interval — Wilson&rsquo;s for accuracy, sensitivity and specificity at this
        threshold, the bootstrap&rsquo;s for AUC. Where two models&rsquo; intervals overlap widely, this test set cannot
        tell which is better.
        {models.some((m) => m.runs.length > 1) &&
          ' With several seeds, a row shows mean ± standard deviation over the seeds; open it for each seed’s interval.'}
        {models.some((m) => m.ensemble) && ENSEMBLE_NOTE}
        {multiClass &&
          ' With more than two classes, accuracy counts each image as its most probable class (its interval is the bootstrap’s), AUC is the mean of each class against the rest, and sensitivity, specificity and F1 stay empty unless a positive class is named in Settings; each class’s own figures stand beside its confusion matrix.'}
      </p>
    </div>
  );
}

function ModelRow({
  model,
  columns,
  open,
  onToggle,
}: {
  model: TableModel;
  columns: Column[];
  open: boolean;
  onToggle: () => void;
}) {
  const { runs } = model;
  const first = runs[0].result.record;
  const several = runs.length > 1;
  const ok = runs.filter((r) => r.result.record.status === 'ok');
  const degenerate = ok.filter((r) => r.result.record.test && isDegenerate(r.result.record.test));
  const status = runs.every((r) => r.result.record.status === first.status) ? first.status : 'mixed';
  return (
    <tr data-model-id={model.modelId} data-status={status} data-runs={runs.length} className={`is-${status}`}>
      <th scope="row">
        <span className="model-name">{model.label}</span>
        <span className="model-meta">
          {first.inputSize}×{first.inputSize}×{first.channels} · {first.backend} · {first.epochsRun}/
          {first.epochsPlanned} ep.
          {several && ` · ${runs.length} seeds (${runs.map((r) => r.result.seed).join(', ')})`}
        </span>
        {several && (
          <button
            type="button"
            className="link-button"
            data-testid={`expand-${model.modelId}`}
            aria-expanded={open}
            onClick={onToggle}
          >
            {open ? 'hide seeds' : 'per seed'}
          </button>
        )}
        {!several && first.status !== 'ok' && (
          <span className={`row-status is-${first.status}`}>
            {first.status}
            {first.error ? `: ${first.error}` : ''}
          </span>
        )}
        {!several && first.status === 'ok' && first.error && <span className="row-status">{first.error}</span>}
        {several && ok.length < runs.length && (
          <span className="row-status is-failed">
            {runs.length - ok.length} of {runs.length} runs did not finish
          </span>
        )}
        {degenerate.length > 0 && (
          <span
            className="tag is-warn"
            data-testid={`degenerate-${model.modelId}`}
            title="Every test image was given the same class: the network collapsed to one answer."
          >
            degenerate: seed {degenerate.map((r) => r.result.seed).join(', ')}
          </span>
        )}
      </th>
      {columns.map((c) => {
        const s = stat(runs.map(c.value));
        const spread = s?.sd != null && !c.fixed;
        const ci = !several && s ? (c.interval?.(runs[0]) ?? null) : null;
        return (
          <td
            key={c.metric}
            className="num"
            data-metric={c.metric}
            data-value={s ? s.mean : undefined}
            data-sd={spread ? s!.sd! : undefined}
            data-ci-low={ci?.low}
            data-ci-high={ci?.high}
            data-missing={s ? undefined : ''}
            title={spread ? `${s!.n} runs: ${format(s!.min, c.digits)} – ${format(s!.max, c.digits)}` : undefined}
          >
            {s ? (spread ? `${format(s.mean, c.digits)} ± ${format(s.sd!, c.digits)}` : format(s.mean, c.digits)) : ''}
            {ci && <IntervalText interval={ci} digits={c.digits} />}
          </td>
        );
      })}
    </tr>
  );
}

function SeedRow({ run, columns }: { run: TableRun; columns: Column[] }) {
  const r = run.result.record;
  return (
    <tr className={`seed-row is-${r.status}`} data-run-id={runKeyId(run.result)} data-status={r.status}>
      <th scope="row">
        <span className="model-meta">
          seed {run.result.seed} · {r.epochsRun}/{r.epochsPlanned} ep.
        </span>
        {r.status !== 'ok' && (
          <span className={`row-status is-${r.status}`}>
            {r.status}
            {r.error ? `: ${r.error}` : ''}
          </span>
        )}
      </th>
      {columns.map((c) => {
        const v = c.value(run);
        const ok = v != null && Number.isFinite(v);
        const ci = ok ? (c.interval?.(run) ?? null) : null;
        return (
          <td
            key={c.metric}
            className="num"
            data-metric={c.metric}
            data-value={ok ? v : undefined}
            data-missing={ok ? undefined : ''}
            data-ci-low={ci?.low}
            data-ci-high={ci?.high}
          >
            {ok ? format(v, c.digits) : ''}
            {ci && <IntervalText interval={ci} digits={c.digits} />}
          </td>
        );
      })}
    </tr>
  );
}

/** A seed ensemble: its own figures (with their intervals), named after the seeds it averages. */
const ENSEMBLE_NOTE =
  ' An “ensemble of seeds” row scores the mean of those seeds’ predicted probabilities as one ' +
  'classifier; it is not part of the mean ± standard deviation.';

function EnsembleRow({ modelId, run, columns }: { modelId: string; run: TableRun; columns: Column[] }) {
  const r = run.result.record;
  return (
    <tr
      className={`ensemble-row is-${r.status}`}
      data-testid={`result-row-${modelId}-ensemble`}
      data-ensemble-of={r.ensembleOf?.join(',')}
      data-status={r.status}
    >
      <th scope="row">
        <span className="model-name">{recordLabel(r)}</span>
        <span className="model-meta">
          mean of the seeds&rsquo; test probabilities · {formatInteger(r.params)} weights in all · no model file
        </span>
      </th>
      {columns.map((c) => {
        const v = c.value(run);
        const ok = v != null && Number.isFinite(v);
        const ci = ok ? (c.interval?.(run) ?? null) : null;
        return (
          <td
            key={c.metric}
            className="num"
            data-metric={c.metric}
            data-value={ok ? v : undefined}
            data-missing={ok ? undefined : ''}
            data-ci-low={ci?.low}
            data-ci-high={ci?.high}
          >
            {ok ? format(v, c.digits) : ''}
            {ci && <IntervalText interval={ci} digits={c.digits} />}
          </td>
        );
      })}
    </tr>
  );
}

function ReferenceRow({ reference: r, columns }: { reference: ReferenceResult; columns: Column[] }) {
  return (
    <tr className="reference-row" data-reference-id={r.id} title={`${r.source}${r.note ? ` — ${r.note}` : ''}`}>
      <th scope="row">
        <span className="model-name">{r.model}</span> <span className="tag">published · {r.short}</span>
        {r.note && <span className="model-meta">{r.note}</span>}
      </th>
      {columns.map((c) => {
        const v = c.reference?.(r) ?? null;
        return (
          <td key={c.metric} className="num" data-metric={c.metric} data-missing={v == null ? '' : undefined}>
            {v == null ? '' : format(v, c.digits)}
          </td>
        );
      })}
    </tr>
  );
}

/** The interval on its own line; the leading space keeps the cell's text "0.912 (0.880–0.940)" when read aloud or copied. */
function IntervalText({ interval, digits }: { interval: Interval; digits: number }) {
  return (
    <span className="ci" title="95% interval">
      {' '}
      <span className="visually-hidden">95% interval </span>({format(interval.low, digits)}–
      {format(interval.high, digits)})
    </span>
  );
}

function format(v: number, digits: number): string {
  return digits === 0 ? formatInteger(v) : v.toFixed(digits);
}

/** The table re-renders only when its models or options change, not when a later part of the Compare step appears. */
export const ComparisonTable = memo(ComparisonTableView);
