/**
 * Turns measurements into result rows (ours next to the stock kernels and PyTorch), the printed table, the JSON
 * lines of `--json`, and the bench/results/train-<timestamp>.json record.
 */
import { spread, type Measurement, type Spread } from './measure';
import type { BenchEnv } from './options';
import type { TorchResult } from './torch';

/** Figures of one kernel set (or of PyTorch) for one model/size/batch/backend/env. */
export interface Figures {
  trainImgPerSec: number | null;
  train: Spread | null;
  trainError: string | null;
  inferImgPerSec: number | null;
  infer: Spread | null;
  inferError: string | null;
}

/** One JSON line of `--json`: our kernels, with the stock kernels and PyTorch alongside. */
export interface BenchRow extends Figures {
  model: string;
  size: number;
  batch: number;
  channels: number;
  backend: string;
  env: BenchEnv | TorchResult['env'];
  params: number;
  steps: number;
  repeats: number;
  fastKernels: string[];
  /** wasm: XNNPACK's threads; null elsewhere. */
  threads: number | null;
  /** Peak resident memory of the process that ran it (Node: whole process so far; Chromium: the page's renderer). */
  peakRssMB: number | null;
  numTensors: Measurement['numTensors'] | null;
  /** Whether numTensors was the same after every epoch and back to its start after training. */
  tensorsFlat: boolean | null;
  stock: Figures | null;
  trainVsStock: number | null;
  inferVsStock: number | null;
  /**
   * ours / PyTorch per PyTorch layout ('pytorch' = default NCHW, 'pytorch-channels-last'): medians, and best runs
   * (max/max), the steadier figure on a shared machine where interference only ever slows a run down.
   */
  vsTorch: Record<
    string,
    { train: number | null; infer: number | null; trainBest: number | null; inferBest: number | null }
  >;
  note?: string;
}

export function figures(m: Measurement | null): Figures | null {
  if (m == null) return null;
  return {
    trainImgPerSec: m.train?.median ?? null,
    train: m.train,
    trainError: m.trainError,
    inferImgPerSec: m.infer?.median ?? null,
    infer: m.infer,
    inferError: m.inferError,
  };
}

const ratio = (a: number | null, b: number | null | undefined): number | null => (a != null && b ? a / b : null);

export function makeRow(
  ours: Measurement,
  stock: Measurement | null,
  env: BenchEnv,
  peakRssMB: number | null,
  note?: string,
): BenchRow {
  const r = ours.request;
  const own = figures(ours)!;
  const stockFigures = figures(stock);
  const n = ours.numTensors;
  const flat =
    n.afterEpoch.length > 0 ? n.afterEpoch.every((v) => v === n.afterEpoch[0]) && n.after === n.before : null;
  return {
    model: r.model,
    size: r.size,
    batch: r.batch,
    channels: r.channels,
    backend: r.backend,
    env,
    params: ours.params,
    steps: r.steps,
    repeats: r.repeats,
    fastKernels: ours.fastKernels,
    threads: ours.threads,
    ...own,
    peakRssMB,
    numTensors: n,
    tensorsFlat: flat,
    stock: stockFigures,
    trainVsStock: ratio(own.trainImgPerSec, stockFigures?.trainImgPerSec),
    inferVsStock: ratio(own.inferImgPerSec, stockFigures?.inferImgPerSec),
    vsTorch: {},
    ...(note ? { note } : {}),
  };
}

/** PyTorch results as rows of their own, and ours/PyTorch on every tfjs row of the same model, size and batch. */
export function torchRows(rows: BenchRow[], torch: TorchResult[]): BenchRow[] {
  for (const row of rows) {
    for (const t of torch.filter((t) => t.model === row.model && t.size === row.size && t.batch === row.batch)) {
      row.vsTorch[t.env] = {
        train: ratio(row.trainImgPerSec, t.trainImgPerSec),
        infer: ratio(row.inferImgPerSec, t.inferImgPerSec),
        trainBest: ratio(row.train?.max ?? null, t.train.max),
        inferBest: ratio(row.infer?.max ?? null, t.infer.max),
      };
    }
  }
  return torch.map((t) => ({
    model: t.model,
    size: t.size,
    batch: t.batch,
    channels: rows[0]?.channels ?? 3,
    backend: t.backend,
    env: t.env,
    params: t.params,
    steps: 0,
    repeats: t.train.runs.length,
    fastKernels: [],
    threads: t.threads,
    trainImgPerSec: t.trainImgPerSec,
    train: t.train,
    trainError: null,
    inferImgPerSec: t.inferImgPerSec,
    infer: t.infer,
    inferError: null,
    peakRssMB: t.peakRssMB,
    numTensors: null,
    tensorsFlat: null,
    stock: null,
    trainVsStock: null,
    inferVsStock: null,
    vsTorch: {},
    note: `torch ${t.torch}, ${t.threads} thread(s)`,
  }));
}

/** Pools two spreads' runs (null when neither has any). */
function pool(a: Spread | null, b: Spread | null): Spread | null {
  const runs = [...(a?.runs ?? []), ...(b?.runs ?? [])];
  return runs.length > 0 ? spread(runs) : null;
}

function poolFigures<T extends Figures>(a: T, b: Figures): T {
  const train = pool(a.train, b.train);
  const infer = pool(a.infer, b.infer);
  return {
    ...a,
    train,
    infer,
    trainImgPerSec: train?.median ?? null,
    inferImgPerSec: infer?.median ?? null,
    trainError: a.trainError ?? b.trainError,
    inferError: a.inferError ?? b.inferError,
  };
}

/** Merges the rows of several rounds that measured the same model/size/batch/backend/env into one row each. */
export function poolRounds(rows: BenchRow[]): BenchRow[] {
  const byKey = new Map<string, BenchRow>();
  for (const row of rows) {
    const key = [row.model, row.size, row.batch, row.backend, row.env].join('/');
    const seen = byKey.get(key);
    if (seen == null) {
      byKey.set(key, row);
      continue;
    }
    const merged = poolFigures(seen, row);
    merged.stock = seen.stock && row.stock ? poolFigures(seen.stock, row.stock) : (seen.stock ?? row.stock);
    merged.peakRssMB = Math.max(seen.peakRssMB ?? 0, row.peakRssMB ?? 0) || null;
    merged.tensorsFlat = seen.tensorsFlat === null ? row.tensorsFlat : seen.tensorsFlat && row.tensorsFlat !== false;
    merged.trainVsStock = ratio(merged.trainImgPerSec, merged.stock?.trainImgPerSec);
    merged.inferVsStock = ratio(merged.inferImgPerSec, merged.stock?.inferImgPerSec);
    byKey.set(key, merged);
  }
  return [...byKey.values()];
}

const num = (v: number | null | undefined, digits = 1): string => (v == null ? '—' : v.toFixed(digits));
const x = (v: number | null | undefined): string => (v == null ? '—' : `${v.toFixed(2)}×`);
const range = (s: Spread | null): string => (s == null ? '—' : `${num(s.min)}/${num(s.median)}/${num(s.max)}`);

/** The printed table: img/s as min/median/max over the repeats. */
export function formatTable(rows: BenchRow[]): string {
  const head = [
    'model',
    'size',
    'batch',
    'backend',
    'env',
    'train img/s min/med/max',
    'stock train',
    'ours/stock',
    'infer img/s min/med/max',
    'stock infer',
    'ours/stock',
    'train ours/PyTorch NCHW, NHWC: median (best)',
    'peak RSS MB',
    'numTensors',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const stockTrain = r.stock == null ? '—' : r.stock.trainImgPerSec != null ? range(r.stock.train) : 'cannot train';
    const vs = (env: string) => `${x(r.vsTorch[env]?.train)} (${x(r.vsTorch[env]?.trainBest)})`;
    const torch = Object.keys(r.vsTorch).length === 0 ? '—' : `${vs('pytorch')}, ${vs('pytorch-channels-last')}`;
    const tensors =
      r.numTensors == null
        ? '—'
        : `${r.numTensors.before}→[${r.numTensors.afterEpoch.join(',')}]→${r.numTensors.after}${r.tensorsFlat ? ' flat' : ''}`;
    const train = r.trainImgPerSec == null ? `error` : range(r.train);
    const backend = r.threads != null && r.threads > 1 ? `${r.backend}×${r.threads}` : r.backend;
    lines.push(
      `| ${[
        r.model,
        r.size,
        r.batch,
        backend,
        r.env,
        train,
        stockTrain,
        x(r.trainVsStock),
        range(r.infer),
        r.stock ? range(r.stock.infer) : '—',
        x(r.inferVsStock),
        torch,
        num(r.peakRssMB, 0),
        tensors,
      ].join(' | ')} |`,
    );
  }
  const notes = rows.flatMap((r) => [
    ...(r.trainError ? [`${r.model} ${r.backend}/${r.env}: ${r.trainError}`] : []),
    ...(r.stock?.trainError ? [`${r.model} ${r.backend}/${r.env} stock kernels: ${r.stock.trainError}`] : []),
    ...(r.note ? [`${r.model} ${r.backend}/${r.env}: ${r.note}`] : []),
  ]);
  return [...lines, ...(notes.length ? ['', ...notes.map((n) => `- ${n}`)] : [])].join('\n');
}

/** "light-k5 wasm: Chromium/Node 0.97× (median)": the page's training speed against Node's, per model and backend. */
export function chromiumVsNode(rows: readonly BenchRow[]): string[] {
  const notes: string[] = [];
  for (const page of rows.filter((r) => r.env === 'chromium')) {
    const node = rows.find(
      (r) =>
        r.env === 'node' &&
        r.model === page.model &&
        r.backend === page.backend &&
        r.size === page.size &&
        r.batch === page.batch,
    );
    const ratio = node?.trainImgPerSec && page.trainImgPerSec ? page.trainImgPerSec / node.trainImgPerSec : null;
    if (ratio != null)
      notes.push(`${page.model} ${page.backend}: Chromium/Node ${ratio.toFixed(2)}× (training img/s, medians)`);
  }
  return notes;
}
