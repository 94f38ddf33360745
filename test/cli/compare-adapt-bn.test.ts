/**
 * `xray-lab compare --adapt-bn --json`: every record keeps both metric sets — `test` (adapted) and
 * `testBeforeAdaptation` — with `adaptation: "bn-test"`, and the files written say the same. A transfer model is
 * not adapted and says why.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMobileNetV2Backbone } from '../../src/lab/models/mobilenet-v2';
import { TRANSFER_ADAPTATION_REASON } from '../../src/lab/shift/adapt-batchnorm';
import { kerasWeightsH5 } from '../helpers/keras-h5';
import { runCliCaptured } from '../helpers/run-cli';
import { useCpuBackend } from '../helpers/tf-cpu';
import { writeDataset } from '../helpers/write-dataset';

let root: string;
let data: string;

beforeAll(async () => {
  await useCpuBackend();
  root = await mkdtemp(join(tmpdir(), 'xray-adapt-bn-'));
  data = join(root, 'phantom');
  await writeDataset(data, { perClass: 24, size: 32, seed: 8 });
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('xray-lab compare --adapt-bn', () => {
  it('prints and writes both metric sets for every run, and records the setting', async () => {
    const out = join(root, 'out');
    const { code, stdout, stderr } = await runCliCaptured([
      'compare',
      '--recipe',
      'study',
      '--data',
      data,
      '--models',
      'light-k2',
      '--size',
      '16',
      '--channels',
      '1',
      '--epochs',
      '2',
      '--batch',
      '8',
      '--seeds',
      '1,2',
      '--bootstrap',
      '0',
      '--adapt-bn',
      '--out',
      out,
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const { settings, results, summary } = JSON.parse(stdout);
    expect(settings.adaptBn).toBe(true);
    expect(results).toHaveLength(2);
    for (const r of results) {
      expect(r.adaptation).toBe('bn-test');
      expect(r.adaptationReport).toMatchObject({ status: 'adapted', reason: null });
      expect(r.test.count).toBe(r.testBeforeAdaptation.count);
      for (const set of [r.test, r.testBeforeAdaptation]) {
        expect(set.accuracy).toBeGreaterThanOrEqual(0);
        expect(set.calibration.ece).toBeGreaterThanOrEqual(0);
        expect(set.calibration.bins).toHaveLength(10);
      }
      expect(r.prior.trainingPrevalence).toBeGreaterThan(0);
    }
    expect(summary[0].adaptedRuns).toBe(2);
    expect(summary[0].beforeAdaptation.accuracy.n).toBe(2);

    const file = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(file.settings.adaptBn).toBe(true);
    expect(file.results[0].testBeforeAdaptation).toEqual(results[0].testBeforeAdaptation);
    const card = JSON.parse(await readFile(join(out, 'experiment.json'), 'utf8'));
    expect(card.settings.adaptBn).toBe(true);
    const report = await readFile(join(out, 'report.md'), 'utf8');
    expect(report).toContain('## Test-time BatchNorm adaptation');
    expect(report).toMatch(/\| LightLayers k=2 \| 1 \| bn-test \| \d\.\d{3} → \d\.\d{3} \|/);
  });

  it('leaves adaptation off by default: no second metric set', async () => {
    const { code, stdout, stderr } = await runCliCaptured([
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
      '--bootstrap',
      '0',
      '--out',
      join(root, 'off'),
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const { settings, results } = JSON.parse(stdout);
    expect(settings.adaptBn).toBe(false);
    expect(results[0].adaptation).toBeUndefined();
    expect(results[0].testBeforeAdaptation).toBeUndefined();
    expect(results[0].test.calibration.bins).toHaveLength(10);
  });

  it('does not adapt a transfer model, records why, and keeps its unadapted figures in both places', async () => {
    const mobilenet = buildMobileNetV2Backbone({ size: 32, alpha: 0.35, seed: 5 });
    const weights = join(root, 'mobilenet.h5');
    await writeFile(weights, await kerasWeightsH5(mobilenet));
    mobilenet.dispose();
    const { code, stdout, stderr } = await runCliCaptured([
      'compare',
      '--data',
      data,
      '--models',
      'mobilenet-v2',
      '--weights',
      weights,
      '--size',
      '32',
      '--epochs',
      '2',
      '--batch',
      '8',
      '--bootstrap',
      '0',
      '--adapt-bn',
      '--feature-cache',
      join(root, 'features'),
      '--out',
      join(root, 'transfer'),
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const [r] = JSON.parse(stdout).results;
    expect(r.status).toBe('ok');
    expect(r.adaptation).toBe('none');
    expect(r.adaptationReport.reason).toBe(TRANSFER_ADAPTATION_REASON);
    expect(r.testBeforeAdaptation).toEqual(r.test);
  });
});
