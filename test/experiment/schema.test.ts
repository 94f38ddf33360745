import { describe, expect, it } from 'vitest';
import {
  CLI_DEFAULTS,
  defaultExperiment,
  EXPERIMENT_FIELDS,
  findField,
  type Experiment,
} from '../../src/lab/experiment/schema';
import { experimentFromParams, experimentToParams } from '../../src/lab/experiment/url-hash';
import {
  experimentFromJson,
  experimentProblems,
  fieldProblem,
  parseFieldText,
} from '../../src/lab/experiment/validate';

describe('the experiment schema', () => {
  it('has one field per setting, each with a distinct JSON key and flag, and defaults that pass their own bounds', () => {
    const keys = EXPERIMENT_FIELDS.map((f) => f.key);
    const flags = EXPERIMENT_FIELDS.map((f) => f.flag);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(flags).size).toBe(flags.length);
    expect(Object.keys(defaultExperiment()).sort()).toEqual([...keys].sort());
    expect(experimentProblems(defaultExperiment())).toEqual([]);
    expect(experimentProblems(defaultExperiment(CLI_DEFAULTS))).toEqual([]);
  });

  it('covers every setting the issue lists', () => {
    for (const name of [
      'models',
      'size',
      'channels',
      'epochs',
      'batch',
      'lr',
      'seeds',
      'val-fraction',
      'test-fraction',
      'keep-val',
      'class-weights',
      'patience',
      'bn-recalibrate',
      'bn-momentum',
      'augment',
      'threshold',
      'positive',
      'bootstrap',
      'head-dropout',
      'head-rank',
      'fine-tune',
      'backend',
      'adapt-bn',
    ]) {
      expect(findField(name), name).toBeDefined();
    }
  });

  it('gives fresh arrays, so changing one experiment does not change the defaults', () => {
    const a = defaultExperiment();
    a.models.push('cnn');
    a.seeds.push(9);
    expect(defaultExperiment().models).toEqual(['cnn', 'light-k2']);
    expect(defaultExperiment().seeds).toEqual([1]);
  });
});

describe('validation', () => {
  const field = (name: string) => findField(name)!;

  it('names the bound and the value refused', () => {
    expect(fieldProblem(field('epochs'), 0)).toBe('must be a whole number from 1 to 10000 (got 0)');
    expect(fieldProblem(field('epochs'), 2.5)).toBe('must be a whole number from 1 to 10000 (got 2.5)');
    expect(fieldProblem(field('lr'), 0)).toBe('must be a number above 0 up to 1 (got 0)');
    expect(fieldProblem(field('bn-momentum'), 1)).toBe('must be a number from 0 below 1 (got 1)');
    expect(fieldProblem(field('channels'), 2)).toBe('must be one of 1, 3 (got 2)');
    expect(fieldProblem(field('seeds'), [1, 1])).toMatch(
      /^must be a list of 1 to 100 different whole numbers from 0 to 2147483647 \(got 1,1\)$/,
    );
    expect(fieldProblem(field('seeds'), [])).toMatch(/got \[\]/);
    expect(fieldProblem(field('models'), [])).toMatch(/non-empty list/);
    expect(fieldProblem(field('models'), ['resnet'], { checkModel: (id) => `unknown model id "${id}"` })).toBe(
      'must name known models: unknown model id "resnet"',
    );
  });

  it('checks the split fractions together', () => {
    const problems = experimentProblems({ ...defaultExperiment(), valFraction: 0.5, testFraction: 0.45 });
    expect(problems).toEqual([
      {
        key: 'testFraction',
        flag: 'test-fraction',
        message: expect.stringMatching(/at least 10% for training .*0\.5 \+ 0\.45/),
      },
    ]);
  });

  it('parses text the way the command line and the URL give it', () => {
    expect(parseFieldText(field('seeds'), '1, 2,3')).toEqual({ value: [1, 2, 3] });
    expect(parseFieldText(field('models'), 'cnn,light-k2')).toEqual({ value: ['cnn', 'light-k2'] });
    expect(parseFieldText(field('epochs'), '-1')).toEqual({
      problem: 'must be a whole number from 1 to 10000 (got -1)',
    });
    expect(parseFieldText(field('epochs'), 'ten')).toEqual({
      problem: 'must be a whole number from 1 to 10000 (got "ten")',
    });
    expect(parseFieldText(field('channels'), '1')).toEqual({ value: 1 });
    expect(parseFieldText(field('augment'), 'true')).toEqual({ value: true });
    expect(parseFieldText(field('positive'), '')).toEqual({ value: null });
  });

  it('reads an experiment from JSON: unknown keys reported, missing keys defaulted, values checked', () => {
    const read = experimentFromJson({ epochs: 3, seeds: [4, 5], colour: 'blue' }, defaultExperiment());
    expect(read.unknownKeys).toEqual(['colour']);
    expect(read.problems).toEqual([]);
    expect(read.experiment).toMatchObject({ epochs: 3, seeds: [4, 5], size: 128 });
    expect(experimentFromJson({ epochs: 0 }, defaultExperiment()).problems[0]).toMatchObject({
      key: 'epochs',
      flag: 'epochs',
    });
  });
});

describe('URL hash parameters', () => {
  it('round-trips every non-default value, keyed by the CLI flag names', () => {
    const changed: Experiment = {
      ...defaultExperiment(),
      models: ['cnn', 'light-k4'],
      size: 64,
      channels: 1,
      epochs: 3,
      batchSize: 16,
      learningRate: 0.01,
      seeds: [3, 4, 5],
      valFraction: 0.15,
      keepOfficialVal: true,
      limit: 500,
      classWeights: 'balanced',
      patience: 2,
      bnRecalibration: 0,
      bnMomentum: 0.9,
      augment: true,
      threshold: 0.3,
      positiveClass: 'NORMAL',
      bootstrap: 0,
      headDropout: 0.25,
      headRank: 8,
      fineTune: 2,
      backend: 'wasm',
    };
    const params = experimentToParams(changed, defaultExperiment());
    expect(Object.fromEntries(params)).toMatchObject({
      size: '64',
      batch: '16',
      lr: '0.01',
      seeds: '3,4,5',
      'keep-val': 'true',
      positive: 'NORMAL',
    });
    const back = experimentFromParams(new URLSearchParams(params), defaultExperiment());
    expect(back.problems).toEqual([]);
    expect(back.experiment).toEqual(changed);
    expect(experimentToParams(defaultExperiment(), defaultExperiment())).toEqual([]);
  });

  it('accepts JSON keys too, keeps defaults for bad values, and hands back what is not a setting', () => {
    const read = experimentFromParams(
      new URLSearchParams('batchSize=16&epochs=0&demoPerClass=30'),
      defaultExperiment(),
    );
    expect(read.experiment.batchSize).toBe(16);
    expect(read.experiment.epochs).toBe(defaultExperiment().epochs);
    expect(read.problems.map((p) => p.key)).toEqual(['epochs']);
    expect([...read.rest]).toEqual([['demoPerClass', '30']]);
  });

  it('carries test-time BatchNorm adaptation as adapt-bn, off unless asked', () => {
    expect(defaultExperiment().adaptBn).toBe(false);
    const on = { ...defaultExperiment(), adaptBn: true };
    const params = experimentToParams(on, defaultExperiment());
    expect(Object.fromEntries(params)).toEqual({ 'adapt-bn': 'true' });
    expect(experimentFromParams(new URLSearchParams(params), defaultExperiment()).experiment.adaptBn).toBe(true);
    expect(
      experimentFromParams(new URLSearchParams('adapt-bn=maybe'), defaultExperiment()).problems.map((p) => p.key),
    ).toEqual(['adaptBn']);
    expect(experimentFromJson({ adaptBn: true }, defaultExperiment()).experiment.adaptBn).toBe(true);
  });
});
