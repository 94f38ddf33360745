/**
 * `compare --ensemble --seeds 1,2 --json`: the seeds' averaged probabilities come out as a record of their own
 * (ensembleOf, no model folder), the summary over seeds leaves it out, and report.md gives it its row.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultRecord } from '../../src/lab/report/result-record';
import type { ModelSummary } from '../../src/lab/report/summary';
import { runCliCaptured } from '../helpers/run-cli';
import { writeDataset } from '../helpers/write-dataset';

let root: string;
let out: string;
let run: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xray-cli-ensemble-'));
  const data = join(root, 'phantom');
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
    '--ensemble',
    '--json',
    '--out',
    out,
  ]);
}, 300_000);
afterAll(() => rm(root, { recursive: true, force: true }));

describe('compare --ensemble --seeds 1,2 --json', () => {
  it('prints the ensemble record after the seeds it averages, outside the summary', () => {
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as { results: ResultRecord[]; summary: ModelSummary[] };
    expect(printed.results.map((r) => [r.modelId, r.ensembleOf ?? r.seed])).toEqual([
      ['light-k1', 1],
      ['light-k1', 2],
      ['light-k1', [1, 2]],
    ]);
    const ensemble = printed.results[2];
    expect(ensemble.status).toBe('ok');
    expect(ensemble.test!.auc).toBeGreaterThanOrEqual(0);
    expect(ensemble.test!.ci!.iterations).toBe(20);
    expect(ensemble.params).toBe(printed.results[0].params * 2);
    expect(printed.summary).toHaveLength(1);
    expect(printed.summary[0].seeds).toEqual([1, 2]);
    expect(printed.summary[0].okRuns).toBe(2);
    expect(run.stderr).toMatch(/^light-k1 ensemble of its seeds: ok/m);
  });

  it('writes its row in report.md and no model folder for it', async () => {
    const report = await readFile(join(out, 'report.md'), 'utf8');
    expect(report).toMatch(/^\| LightLayers k=1 — ensemble of seeds 1, 2 \| 1, 2 \| ensemble \| \d\.\d{3} \|/m);
    expect(report).toMatch(/^\| LightLayers k=1 — ensemble of seeds 1, 2 \| [\d,]+ \|/m);
    expect((await readdir(join(out, 'models', 'light-k1'))).sort()).toEqual(['seed-1', 'seed-2']);
    const csv = (await readFile(join(out, 'predictions.csv'), 'utf8')).trim().split('\n');
    expect(csv[0].endsWith(',model,seed,ensemble_of')).toBe(true);
    expect(csv.filter((line) => line.endsWith(',light-k1,,1 2')).length).toBeGreaterThan(0);
  });
});
