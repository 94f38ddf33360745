/**
 * `npm run bench -- transfer --vs-torch` without running a network: argument parsing, the JSON rows (ratio against
 * PyTorch at the same thread count) and the end-to-end estimate's arithmetic, on made-up measurements.
 */
import { describe, expect, it } from 'vitest';
import type { EnvResult } from '../../bench/transfer-vs-torch/environment';
import type { BackboneMeasurement } from '../../bench/transfer-vs-torch/measure';
import { DEFAULT_OPTIONS, parseTransferVsTorchArgs } from '../../bench/transfer-vs-torch/options';
import { endToEndEstimates, makeRows } from '../../bench/transfer-vs-torch/report';
import type { TorchBackboneResult } from '../../bench/transfer-vs-torch/torch';

describe('transfer --vs-torch arguments', () => {
  it("has the issue's defaults and takes the small-run options", () => {
    expect(parseTransferVsTorchArgs([])).toEqual(DEFAULT_OPTIONS);
    expect(DEFAULT_OPTIONS).toMatchObject({
      backbones: ['mobilenet-v2', 'inception-v3'],
      envs: ['node', 'chromium'],
      batch: 32,
      images: 5216,
      headEpochs: 20,
    });
    expect(
      parseTransferVsTorchArgs([
        '--batches',
        '1',
        '--backbones',
        'mobilenet-v2',
        '--env',
        'node',
        '--json',
        '--batch=4',
        '--no-torch',
      ]),
    ).toMatchObject({
      batches: 1,
      backbones: ['mobilenet-v2'],
      envs: ['node'],
      json: true,
      batch: 4,
      vsTorch: false,
    });
  });

  it('rejects unknown flags and bad values with the flag in the message', () => {
    expect(() => parseTransferVsTorchArgs(['--fast'])).toThrow(/unknown option '--fast'/);
    expect(() => parseTransferVsTorchArgs(['--batches', '0'])).toThrow(/--batches/);
    expect(() => parseTransferVsTorchArgs(['--backbones', 'resnet'])).toThrow(/'resnet' is not one of/);
  });
});

type Id = BackboneMeasurement['backbone'];

const measured = (backbone: Id, imagesPerSec: number, threads: number): BackboneMeasurement => ({
  backbone,
  size: backbone === 'inception-v3' ? 299 : 224,
  batch: 32,
  backend: 'wasm',
  threads,
  weights: 'random',
  params: 1,
  features: backbone === 'inception-v3' ? 2048 : 1280,
  imagesPerSec,
  runs: [imagesPerSec],
});

const torch = (backbone: Id, imagesPerSec: number, threads: number): TorchBackboneResult => ({
  backbone,
  size: 0,
  batch: 32,
  features: 0,
  layout: 'nchw',
  torch: '1',
  torchvision: '1',
  threads,
  params: 1,
  imagesPerSec,
  runs: [imagesPerSec],
});

describe('transfer --vs-torch report', () => {
  const envs: EnvResult[] = [
    {
      env: 'node',
      backbones: [measured('mobilenet-v2', 60, 2), measured('inception-v3', 8, 2)],
      failures: [],
      head: { request: { images: 5216, features: 2048, epochs: 20, batch: 64 }, ms: 4000 },
    },
    { env: 'chromium', backbones: [measured('inception-v3', 5, 4)], failures: [], head: null },
  ];
  const theirs = [torch('mobilenet-v2', 50, 2), torch('inception-v3', 10, 2), torch('inception-v3', 20, 1)];

  it('pairs each figure with PyTorch at the same threads, and has no ratio without one', () => {
    expect(makeRows(envs, theirs)).toEqual([
      { backbone: 'mobilenet-v2', env: 'node', imagesPerSec: 60, torchImagesPerSec: 50, ratio: 1.2 },
      { backbone: 'inception-v3', env: 'node', imagesPerSec: 8, torchImagesPerSec: 10, ratio: 0.8 },
      { backbone: 'inception-v3', env: 'chromium', imagesPerSec: 5, torchImagesPerSec: null, ratio: null },
    ]);
  });

  it('estimates the InceptionV3 run as one pass over the images plus the measured head epochs', () => {
    const [node, ...rest] = endToEndEstimates(envs, theirs);
    expect(rest).toEqual([]); // Chromium timed no head epochs
    expect(node).toMatchObject({ env: 'node', images: 5216, headEpochs: 20, headSec: 4 });
    expect(node.backbonePassSec).toBeCloseTo(5216 / 8, 9);
    expect(node.totalSec).toBeCloseTo(5216 / 8 + 4, 9);
    expect(node.torchBackbonePassSec).toBeCloseTo(5216 / 10, 9);
  });
});
