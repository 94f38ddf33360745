/**
 * Live learning curves: loss and accuracy per model (train and validation, one pair of lines per seed), and every
 * run's validation loss on one chart. x counts epochs; x = 0 is the untrained network (the first batch for training,
 * a full pass for validation), so even a one-epoch run draws a line.
 */
import { runKeyId, type RunKey } from '../../lab/experiment/run-control';
import type { ModelInfo } from '../../worker/protocol';
import type { RunProgress } from '../state/lab-state';
import type { ChartSpec } from '../lib/chart-spec';
import { VisChart } from './VisChart';

type Metric = 'loss' | 'accuracy';

/** Train and validation values by epoch, with the running value of the epoch in progress at the end. */
function curve(run: RunProgress, metric: Metric): { train: (number | null)[]; val: (number | null)[] } {
  const train: (number | null)[] = [run.start ? run.start[metric] : null, ...run.history.map((h) => h[metric])];
  const val: (number | null)[] = [
    run.startVal ? run.startVal[metric] : null,
    ...run.history.map((h) => (metric === 'loss' ? h.valLoss : h.valAccuracy)),
  ];
  const p = run.progress;
  if (run.phase === 'training' && p && p.epoch > run.history.length) {
    train.push(p[metric]);
    val.push(null);
  }
  return { train, val };
}

function lineSpec(runs: RunProgress[], metric: Metric): ChartSpec {
  const several = runs.length > 1;
  const series: string[] = [];
  const values: (number | null)[][] = [];
  for (const run of runs) {
    const { train, val } = curve(run, metric);
    series.push(several ? `train, seed ${run.seed}` : 'train', several ? `validation, seed ${run.seed}` : 'validation');
    values.push(train, val);
  }
  return {
    kind: 'line',
    series,
    values,
    xLabel: 'epoch',
    xType: 'ordinal',
    yLabel: metric,
    ...(metric === 'accuracy' ? { yDomain: [0, 1] as [number, number] } : {}),
  };
}

interface Props {
  queue: RunKey[];
  runs: Record<string, RunProgress>;
  models: ModelInfo[];
}

const hasCurve = (run: RunProgress | undefined): run is RunProgress =>
  run != null && (run.start != null || run.startVal != null || run.history.length > 0);

export function TrainingCharts({ queue, runs, models }: Props) {
  const label = (id: string) => models.find((m) => m.id === id)?.label ?? id;
  const shown = queue.map((k) => runs[runKeyId(k)]).filter(hasCurve);
  if (shown.length === 0) return null;
  const several = new Set(shown.map((r) => r.seed)).size > 1;
  const modelIds = [...new Set(shown.map((r) => r.modelId))];
  const overlay: ChartSpec = {
    kind: 'line',
    xLabel: 'epoch',
    xType: 'ordinal',
    yLabel: 'validation loss',
    series: shown.map((r) => (several ? `${label(r.modelId)} · seed ${r.seed}` : label(r.modelId))),
    values: shown.map((r) => [r.startVal?.loss ?? null, ...r.history.map((h) => h.valLoss)]),
  };
  return (
    <div className="charts">
      <figure className="chart-card is-wide">
        <figcaption>Validation loss of every {several ? 'run' : 'model'}</figcaption>
        <VisChart
          spec={overlay}
          height={220}
          label="Validation loss of every run by epoch"
          testId="chart-val-loss-overlay"
        />
      </figure>
      <div className="chart-grid">
        {modelIds.map((id) => {
          const mine = shown.filter((r) => r.modelId === id);
          return (
            <figure key={id} className="chart-card" data-testid={`charts-${id}`} data-seeds={mine.length}>
              <figcaption>
                {label(id)}
                {mine.length > 1 ? ` (${mine.length} seeds)` : ''}
              </figcaption>
              <div className="chart-pair">
                <VisChart
                  spec={lineSpec(mine, 'loss')}
                  height={170}
                  label={`${label(id)} loss by epoch`}
                  testId={`chart-loss-${id}`}
                  minIntervalMs={1500}
                />
                <VisChart
                  spec={lineSpec(mine, 'accuracy')}
                  height={170}
                  label={`${label(id)} accuracy by epoch`}
                  testId={`chart-accuracy-${id}`}
                  minIntervalMs={1500}
                />
              </div>
            </figure>
          );
        })}
      </div>
    </div>
  );
}
