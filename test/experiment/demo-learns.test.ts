/**
 * The page's demo teaches: "Use demo dataset" then "Train" with every page default (the phantom set, 128 px, 5 epochs,
 * batch 32, lr 0.001, seed 1) gives the Conv2D CNN a test AUC ≥ 0.90 and accuracy ≥ 0.80 — trained here in Node on
 * wasm through the run loop the page's worker uses. Only the CNN is trained (the page's second model, light-k2, does
 * not change the CNN's run, and would double the time); `npm run bench -- demo` measures both over three seeds.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { demoData, demoSettings, runDemo } from '../../bench/demo';
import { DEFAULT_SETTINGS, experimentOf } from '../../src/app/state/settings';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { countPerClass } from '../../src/lab/data/image-set';
import type { ExperimentData } from '../../src/lab/experiment/run-types';
import { EXPERIMENT_FIELDS } from '../../src/lab/experiment/schema';

describe('the default demo', () => {
  const settings = demoSettings(1, '', ['cnn']);
  let data: ExperimentData;

  beforeAll(async () => {
    expect((await selectBackend('wasm')).name).toBe('wasm');
    data = demoData(settings);
  });

  it('is the page as it opens: every setting at its default, the CNN among the models', () => {
    const { models, ...rest } = experimentOf(settings);
    const { models: defaultModels, ...defaults } = experimentOf(DEFAULT_SETTINGS);
    expect(rest).toEqual(defaults);
    expect(defaultModels).toContain(models[0]);
    expect(settings.demoPerClass).toBe(DEFAULT_SETTINGS.demoPerClass);
    expect(settings.seeds).toEqual(EXPERIMENT_FIELDS.find((f) => f.key === 'seeds')!.default);
    // Both classes are in every part of the split, so accuracy and AUC are defined.
    for (const part of [data.train, data.val!, data.test]) expect(countPerClass(part).every((n) => n > 0)).toBe(true);
  });

  it('trains a CNN that finds the opacities: test AUC ≥ 0.90 and accuracy ≥ 0.80', async () => {
    const run = await runDemo(settings, data);
    const [cnn] = run.records;
    expect(cnn.status).toBe('ok');
    expect(cnn.epochsRun).toBe(DEFAULT_SETTINGS.epochs);
    console.log(
      `default demo, cnn seed 1: test accuracy ${cnn.test!.accuracy!.toFixed(3)}, AUC ${cnn.test!.auc!.toFixed(3)} ` +
        `on ${cnn.test!.count} images; trained and scored in ${(run.wallMs / 1000).toFixed(1)} s (CPU ${(run.cpuMs / 1000).toFixed(1)} s)`,
    );
    expect(cnn.test!.auc!).toBeGreaterThanOrEqual(0.9);
    expect(cnn.test!.accuracy!).toBeGreaterThanOrEqual(0.8);
    // Learnt, not guessed: it gets images of both classes right, and its training loss fell.
    expect(cnn.test!.confusion.every((row, t) => row[t] > 0)).toBe(true);
    expect(cnn.history!.at(-1)!.loss!).toBeLessThan(cnn.history![0].loss!);
  }, 600_000);
});
