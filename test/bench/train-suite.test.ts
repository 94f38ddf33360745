/**
 * `npm run bench -- train`: argument parsing, and one tiny run in Node (1 step at 16×16) whose --json lines carry
 * the documented fields. No timing is asserted: this machine is shared and noisy; speed lives in the benchmark.
 */
import { describe, expect, it } from 'vitest';
import { runTrainSuite } from '../../bench/train/index';
import { DEFAULT_OPTIONS, parseTrainArgs } from '../../bench/train/options';

describe('bench train arguments', () => {
  it("has the issue's defaults and parses every flag", () => {
    expect(parseTrainArgs([])).toEqual(DEFAULT_OPTIONS);
    expect(DEFAULT_OPTIONS).toMatchObject({
      models: ['light-k5', 'cnn'],
      size: 128,
      batch: 32,
      backends: ['wasm'],
      envs: ['node'],
    });
    const o = parseTrainArgs([
      '--models',
      'cnn',
      '--size=64',
      '--batch',
      '8',
      '--backend',
      'wasm,cpu',
      '--env',
      'both',
      '--steps',
      '2',
      '--repeats',
      '5',
      '--rounds',
      '3',
      '--json',
      '--vs-torch',
      '--no-stock',
      '--no-write',
      '--channels',
      '1',
    ]);
    expect(o).toMatchObject({
      models: ['cnn'],
      size: 64,
      batch: 8,
      backends: ['wasm', 'cpu'],
      envs: ['node', 'chromium'],
      steps: 2,
      repeats: 5,
      rounds: 3,
      json: true,
      vsTorch: true,
      stock: false,
      write: false,
      channels: 1,
    });
  });

  it('takes thread counts and Chromium flags', () => {
    expect(
      parseTrainArgs(['--wasm-threads', '1', '--torch-threads', '2', '--chromium-flags', '--use-angle=vulkan  --foo']),
    ).toMatchObject({
      wasmThreads: 1,
      torchThreads: 2,
      chromiumFlags: ['--use-angle=vulkan', '--foo'],
    });
    expect(parseTrainArgs(['--wasm-threads', 'auto', '--torch-threads', 'all'])).toMatchObject({
      wasmThreads: 'auto',
      torchThreads: 'all',
    });
    expect(() => parseTrainArgs(['--wasm-threads', '0'])).toThrow(/--wasm-threads/);
  });

  it('rejects unknown flags and bad values with the flag in the message', () => {
    expect(() => parseTrainArgs(['--speed'])).toThrow(/unknown option '--speed'/);
    expect(() => parseTrainArgs(['--size', '0'])).toThrow(/--size/);
    expect(() => parseTrainArgs(['--backend', 'tpu'])).toThrow(/'tpu' is not one of/);
    expect(() => parseTrainArgs(['--env', 'firefox'])).toThrow(/--env/);
  });
});

describe('bench train --json in Node', () => {
  it('prints one JSON object per model with the documented fields and flat tensor counts, rounds pooled', async () => {
    let out = '';
    const code = await runTrainSuite(
      [
        '--models',
        'light-k5',
        '--size',
        '16',
        '--batch',
        '2',
        '--steps',
        '1',
        '--repeats',
        '1',
        '--rounds',
        '2',
        '--json',
        '--no-write',
      ],
      { out: (text) => (out += text), log: () => undefined },
    );
    expect(code).toBe(0);
    const rows = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows).toHaveLength(1);
    const row = rows[0];
    expect(row).toMatchObject({ model: 'light-k5', size: 16, batch: 2, backend: 'wasm', env: 'node', repeats: 1 });
    for (const key of ['trainImgPerSec', 'inferImgPerSec', 'peakRssMB']) expect(row[key]).toBeGreaterThan(0);
    // Two rounds of one timed epoch each, pooled into one row.
    expect(row.train.runs).toHaveLength(2);
    expect(row.train.min).toBeLessThanOrEqual(row.train.max);
    expect(row.tensorsFlat).toBe(true);
    expect(row.numTensors.afterEpoch).toHaveLength(2);
    // Stock wasm has no filter gradient: the row says so instead of a number.
    expect(row.stock.trainImgPerSec).toBeNull();
    expect(row.stock.trainError).toMatch(/Conv2DBackpropFilter/);
    expect(row.stock.inferImgPerSec).toBeGreaterThan(0);
  });

  it('returns 2 on bad arguments', async () => {
    expect(await runTrainSuite(['--size', 'big'], { out: () => undefined, log: () => undefined })).toBe(2);
  });
});
