/**
 * `compare` with several seeds, as a user reads it: mean ± sd per model on stdout, one readable backend line on
 * stderr (kernel names only with --verbose), and `explain` pointed at the model folder naming its seed folders.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/run-cli';
import { writeDataset } from '../helpers/write-dataset';

let root: string;
let data: string;
let out: string;
let run: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xray-cli-seeds-'));
  data = join(root, 'phantom');
  out = join(root, 'out');
  await writeDataset(data, { perClass: 16, size: 16, seed: 5, format: 'png' });
  run = await runCliCaptured([
    'compare',
    '--data',
    data,
    '--models',
    'light-k1',
    '--size',
    '16',
    '--channels',
    '1',
    '--epochs',
    '1',
    '--batch',
    '8',
    '--seeds',
    '1,2',
    '--bootstrap',
    '20',
    '--backend',
    'wasm',
    '--out',
    out,
  ]);
}, 300_000);
afterAll(() => rm(root, { recursive: true, force: true }));

describe('compare --seeds 1,2', () => {
  it('prints mean ± sd per model after the per-run rows', () => {
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    const perRun = lines.filter((l) => /^LightLayers k=1 · seed [12] /.test(l));
    expect(perRun).toHaveLength(2);
    const title = lines.indexOf('Mean ± sample standard deviation over seeds (runs that finished):');
    expect(title).toBeGreaterThan(lines.indexOf(perRun[1]));
    const summary = lines.slice(title).find((l) => l.startsWith('LightLayers k=1'))!;
    expect(summary).toMatch(/^LightLayers k=1\s+1,2\s+2\/2\s+\d\.\d{3} ± \d\.\d{3}/);
    // The summary's degenerate column agrees with the warnings printed for degenerate seeds.
    const warned = lines
      .filter((l) => l.startsWith('WARNING: LightLayers k=1 seed '))
      .map((l) => Number(/seed (\d+)/.exec(l)![1]));
    expect(summary.endsWith(warned.length === 0 ? 'none' : warned.map((s) => `seed ${s}`).join(', '))).toBe(true);
  });

  it('names the backend in one short line, without the kernel list', () => {
    const backend = run.stderr.split('\n').filter((l) => l.startsWith('backend: '));
    expect(backend).toEqual([
      expect.stringMatching(/^backend: wasm \(with the lab's \d+ fast training kernels; --verbose lists them\)$/),
    ]);
    expect(backend[0].length).toBeLessThan(100);
  });

  it('explain on the model folder names its seed folders', async () => {
    const model = join(out, 'models', 'light-k1');
    const { code, stderr } = await runCliCaptured([
      'explain',
      '--model',
      model,
      '--images',
      join(data, 'NORMAL'),
      '--out',
      join(root, 'heat'),
      '--backend',
      'wasm',
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `--model ${model}: the run had 2 seeds, so each has its own model: give one of ${join(model, 'seed-1')}, ${join(model, 'seed-2')}`,
    );
  });

  it('explain --verbose lists the kernels, and a seed folder works', async () => {
    const { code, stderr } = await runCliCaptured([
      'explain',
      '--model',
      join(out, 'models', 'light-k1', 'seed-2'),
      '--images',
      join(data, 'NORMAL'),
      '--out',
      join(root, 'heat'),
      '--backend',
      'wasm',
      '--verbose',
    ]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^backend: wasm \(fast kernels: \w+(, \w+)+\)$/m);
  }, 120_000);
});
