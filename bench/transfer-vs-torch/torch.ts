/**
 * Runs the PyTorch backbones (bench/anchors/torch_backbones.py) with as many threads as tfjs's wasm had, so each
 * ratio compares the same cores. Skipped with a reason where no Python with torch and torchvision is found.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackboneId } from '../../src/lab/transfer/backbones';
import { findTorchPython } from '../train/torch';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'anchors', 'torch_backbones.py');

/** One line of torch_backbones.py. */
export interface TorchBackboneResult {
  backbone: BackboneId;
  size: number;
  batch: number;
  features: number;
  layout: 'nchw' | 'channels-last';
  torch: string;
  torchvision: string;
  threads: number;
  params: number;
  imagesPerSec: number;
  runs: number[];
}

export interface TorchRequest {
  backbones: BackboneId[];
  batch: number;
  batches: number;
  threads: number;
  channelsLast: boolean;
}

/** The results, or why there are none. */
export function runTorchBackbones(request: TorchRequest, log: (line: string) => void): TorchBackboneResult[] | string {
  const found = findTorchPython();
  if (found == null) {
    return (
      'PyTorch not found (tried $TORCH_PYTHON, python3, /usr/bin/python3); ' +
      'on Debian: apt-get install python3-torchvision'
    );
  }
  const args = [
    SCRIPT,
    '--backbones',
    request.backbones.join(','),
    '--batch',
    String(request.batch),
    '--batches',
    String(request.batches),
    '--threads',
    String(request.threads),
    ...(request.channelsLast ? ['--channels-last'] : []),
  ];
  log(`pytorch ${found.version}: ${request.backbones.join(',')}, ${request.threads} thread(s)`);
  const run = spawnSync(found.python, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) return `torch_backbones.py failed (exit ${run.status}): ${run.stderr.trim().split('\n').pop()}`;
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as TorchBackboneResult);
}
