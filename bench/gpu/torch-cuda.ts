/** PyTorch-CUDA's training images/s for the same models (bench/anchors/torch_cuda_train.py), where CUDA exists. */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTorchPython } from '../train/torch';
import type { GpuBenchOptions } from './options';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'anchors', 'torch_cuda_train.py');

export interface TorchCudaResult {
  model: string;
  size: number;
  batch: number;
  device: string;
  torch: string;
  params: number;
  trainImgPerSec: number;
  train: { min: number; median: number; max: number; runs: number[] };
}

/** The results, or why PyTorch-CUDA was not measured. */
export function runTorchCuda(o: GpuBenchOptions, log: (line: string) => void): TorchCudaResult[] | string {
  const found = findTorchPython();
  if (found == null) return 'PyTorch not found (tried $TORCH_PYTHON, python3, /usr/bin/python3)';
  log(`pytorch ${found.version}: CUDA ${o.models.join(',')}`);
  const args = [
    SCRIPT,
    '--models',
    o.models.join(','),
    '--size',
    String(o.size),
    '--batch',
    String(o.batch),
    '--steps',
    String(o.steps),
    '--repeats',
    String(o.repeats),
  ];
  const run = spawnSync(found.python, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) {
    return `torch_cuda_train.py failed (exit ${run.status}): ${run.stderr.trim().split('\n').pop()}`;
  }
  type NoCuda = { cuda: false; reason: string };
  const lines = run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as TorchCudaResult | NoCuda);
  const off = lines.find((l): l is NoCuda => 'cuda' in l && l.cuda === false);
  return off != null ? off.reason : (lines as TorchCudaResult[]);
}
