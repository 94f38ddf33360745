/**
 * Runs the PyTorch anchors (bench/anchors/torch_train.py) on the very images the tfjs measurement trained on, in
 * PyTorch's default NCHW layout and in channels-last (NHWC, PyTorch's faster CPU path for these nets), on every
 * logical core unless --torch-threads says otherwise (Debian's torch starts with one thread on a 2-vCPU machine).
 * Skipped with a message where no Python with torch is found; the project itself never needs Python.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchImages, spread, type Spread } from './measure';
import type { TrainBenchOptions } from './options';

const here = dirname(fileURLToPath(import.meta.url));
const SCRIPT = join(here, '..', 'anchors', 'torch_train.py');
const DATA_DIR = join(here, '..', '.build');

/** One PyTorch result line, as torch_train.py prints it. */
export interface TorchResult {
  model: string;
  size: number;
  batch: number;
  env: 'pytorch' | 'pytorch-channels-last';
  backend: 'torch-cpu';
  torch: string;
  threads: number;
  params: number;
  trainImgPerSec: number;
  train: Spread;
  inferImgPerSec: number;
  infer: Spread;
  peakRssMB: number;
}

/** The first interpreter that imports torch (Debian's python3-torch lives in /usr/bin/python3). */
export function findTorchPython(): { python: string; version: string } | null {
  for (const python of [process.env.TORCH_PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean) as string[]) {
    const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (probe.status === 0) return { python, version: probe.stdout.trim() };
  }
  return null;
}

/** Writes the bench's phantom images where torch_train.py --data reads them; returns the path prefix. */
function writeImages(o: TrainBenchOptions): string {
  const set = benchImages(o.batch * o.steps, o.size, o.channels);
  mkdirSync(DATA_DIR, { recursive: true });
  const prefix = join(DATA_DIR, `anchor-${o.size}-${o.channels}-${set.count}`);
  writeFileSync(`${prefix}.pixels`, set.pixels);
  writeFileSync(`${prefix}.labels`, new Uint8Array(set.labels.buffer, set.labels.byteOffset, set.labels.byteLength));
  return prefix;
}

/** Parameter counts of the PyTorch networks, for checking them against the tfjs models. */
export function torchParamCounts(python: string, models: string[], channels: number): Map<string, number> {
  const run = spawnSync(
    python,
    [SCRIPT, '--params-only', '--models', models.join(','), '--channels', String(channels)],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`torch_train.py --params-only failed: ${run.stderr}`);
  const lines = run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { model: string; params: number });
  return new Map(lines.map((l) => [l.model, l.params]));
}

/** Runs both layouts for every model; returns the results, or a reason when PyTorch is unavailable. */
export function runTorch(o: TrainBenchOptions, log: (line: string) => void): TorchResult[] | string {
  const found = findTorchPython();
  if (found == null) {
    return 'PyTorch not found (tried $TORCH_PYTHON, python3, /usr/bin/python3); on Debian: apt-get install python3-torch';
  }
  const prefix = writeImages(o);
  const results: TorchResult[] = [];
  for (const layout of [[], ['--channels-last']]) {
    const threads = o.torchThreads === 'all' ? availableParallelism() : o.torchThreads;
    const args = [
      SCRIPT,
      '--models',
      o.models.join(','),
      '--size',
      String(o.size),
      '--batch',
      String(o.batch),
      '--channels',
      String(o.channels),
      '--repeats',
      String(o.repeats),
      '--data',
      prefix,
      '--threads',
      String(threads),
      ...layout,
    ];
    log(
      `pytorch ${found.version}: ${layout.length ? 'channels-last' : 'NCHW'} ${o.models.join(',')}, ${threads} thread(s)`,
    );
    const run = spawnSync(found.python, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (run.status !== 0) return `torch_train.py failed (exit ${run.status}): ${run.stderr.trim().split('\n').pop()}`;
    for (const line of run.stdout.trim().split('\n')) results.push(JSON.parse(line) as TorchResult);
  }
  return results;
}

/** Pools the results of several rounds per model, size, batch and layout (runs concatenated, spreads recomputed). */
export function poolTorch(results: TorchResult[]): TorchResult[] {
  const byKey = new Map<string, TorchResult>();
  for (const r of results) {
    const key = [r.model, r.size, r.batch, r.env].join('/');
    const seen = byKey.get(key);
    if (seen == null) {
      byKey.set(key, r);
      continue;
    }
    const train = spread([...seen.train.runs, ...r.train.runs]);
    const infer = spread([...seen.infer.runs, ...r.infer.runs]);
    byKey.set(key, {
      ...seen,
      train,
      infer,
      trainImgPerSec: train.median,
      inferImgPerSec: infer.median,
      peakRssMB: Math.max(seen.peakRssMB, r.peakRssMB),
    });
  }
  return [...byKey.values()];
}
