/**
 * Live learning curves: loss and accuracy per model (train and validation), and every model's validation loss on
 * one chart. x counts epochs; x = 0 is the untrained network (the first batch for training, a full pass for
 * validation), so even a one-epoch run draws a line.
 */
import type { ModelInfo } from '../../worker/protocol';
import type { ModelRun } from '../state/lab-state';
import { VisChart, type ChartSpec } from './VisChart';

type Metric = 'loss' | 'accuracy';

/** Train and validation values by epoch, with the running value of the epoch in progress at the end. */
function curve(run: ModelRun, metric: Metric): { train: (number | null)[]; val: (number | null)[] } {
  const train: (number | null)[] = [run.start ? run.start[metric] : null, ...run.history.map((h) => h[metric])];
  const val: (number | null)[] = [run.startVal ? run.startVal[metric] : null, ...run.history.map((h) => (metric === 'loss' ? h.valLoss : h.valAccuracy))];
  const p = run.progress;
  if (run.phase === 'training' && p && p.epoch > run.history.length) {
    train.push(p[metric]);
    val.push(null);
  }
  return { train, val };
}

function lineSpec(run: ModelRun, metric: Metric): ChartSpec {
  const { train, val } = curve(run, metric);
  return {
    kind: 'line', series: ['train', 'validation'], values: [train, val], xLabel: 'epoch', xType: 'ordinal', yLabel: metric,
    ...(metric === 'accuracy' ? { yDomain: [0, 1] as [number, number] } : {}),
  };
}

interface Props {
  queue: string[];
  runs: Record<string, ModelRun>;
  models: ModelInfo[];
}

export function TrainingCharts({ queue, runs, models }: Props) {
  const label = (id: string) => models.find((m) => m.id === id)?.label ?? id;
  const shown = queue.filter((id) => runs[id] && (runs[id].start || runs[id].startVal || runs[id].history.length > 0));
  if (shown.length === 0) return null;
  const overlay: ChartSpec = {
    kind: 'line', xLabel: 'epoch', xType: 'ordinal', yLabel: 'validation loss',
    series: shown.map(label),
    values: shown.map((id) => [runs[id].startVal?.loss ?? null, ...runs[id].history.map((h) => h.valLoss)]),
  };
  return (
    <div className="charts">
      <figure className="chart-card is-wide">
        <figcaption>Validation loss of every model</figcaption>
        <VisChart spec={overlay} height={220} label="Validation loss of every model by epoch" testId="chart-val-loss-overlay" />
      </figure>
      <div className="chart-grid">
        {shown.map((id) => (
          <figure key={id} className="chart-card" data-testid={`charts-${id}`}>
            <figcaption>{label(id)}</figcaption>
            <div className="chart-pair">
              <VisChart spec={lineSpec(runs[id], 'loss')} height={170} label={`${label(id)} loss by epoch`} testId={`chart-loss-${id}`} minIntervalMs={1500} />
              <VisChart spec={lineSpec(runs[id], 'accuracy')} height={170} label={`${label(id)} accuracy by epoch`} testId={`chart-accuracy-${id}`} minIntervalMs={1500} />
            </div>
          </figure>
        ))}
      </div>
    </div>
  );
}
