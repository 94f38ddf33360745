import { describe, expect, it } from 'vitest';
import { parseCommandLine, settingsUsage, type OtherOption } from '../../src/cli/experiment-flags';
import { CLI_DEFAULTS, defaultExperiment, EXPERIMENT_FIELDS } from '../../src/lab/experiment/schema';

const others: Record<string, OtherOption> = {
  data: { kind: 'value', help: '' },
  json: { kind: 'switch', help: '' },
  weights: { kind: 'values', help: '' },
};
const parse = (...argv: string[]) => parseCommandLine(argv, others, 'compare');

describe('the command line, read from the experiment schema', () => {
  it("reads settings by their flags, checked against their bounds, and the command's own options", () => {
    const p = parse(
      '--data',
      'x',
      '--epochs',
      '3',
      '--lr=0.01',
      '--seeds',
      '1,2',
      '--augment',
      '--json',
      '--weights',
      'a',
      '--weights',
      'b',
      'pos',
    );
    expect(p.settings).toEqual({ epochs: 3, learningRate: 0.01, seeds: [1, 2], augment: true });
    expect(p.options).toEqual({ data: 'x', json: true, weights: ['a', 'b'] });
    expect(p.positionals).toEqual(['pos']);
  });

  it('reads --adapt-bn as a switch, off when absent, and documents it', () => {
    expect(parse('--adapt-bn').settings).toEqual({ adaptBn: true });
    expect(parse('--epochs', '2').settings.adaptBn).toBeUndefined();
    expect(() => parse('--adapt-bn=yes')).toThrow(/adapt-bn/);
    expect(settingsUsage(defaultExperiment(CLI_DEFAULTS))).toMatch(
      /--adapt-bn +.*BatchNorm statistics re-estimated on its images/,
    );
  });

  it('takes a negative number as the value it is, to refuse it with its bound', () => {
    expect(() => parse('--epochs', '-1')).toThrow(/^--epochs must be a whole number from 1 to 10000 \(got -1\)$/);
    expect(() => parse('--lr', '-0.1')).toThrow(/^--lr must be a number above 0 up to 1 \(got -0\.1\)$/);
  });

  it('reads --seed as --seeds, and a bare --class-weights as balanced', () => {
    expect(parse('--seed', '4').settings).toEqual({ seeds: [4] });
    expect(parse('--class-weights', '--json').settings).toEqual({ classWeights: 'balanced' });
    expect(parse('--class-weights', 'none').settings).toEqual({ classWeights: 'none' });
    expect(parse('--class-weights').settings).toEqual({ classWeights: 'balanced' });
  });

  it('refuses unknown flags, missing values, repeats and values given to switches', () => {
    expect(() => parse('--epoch', '3')).toThrow(/^unknown option --epoch \(see xray-lab compare --help\)$/);
    expect(() => parse('--epochs')).toThrow(/^--epochs needs a value$/);
    expect(() => parse('--epochs', '2', '--epochs', '3')).toThrow(/--epochs is given twice/);
    expect(() => parse('--json=yes')).toThrow(/--json takes no value/);
  });

  it('documents every setting with its default and bound in --help', () => {
    const usage = settingsUsage(defaultExperiment(CLI_DEFAULTS));
    for (const f of EXPERIMENT_FIELDS) expect(usage).toContain(`--${f.flag}`);
    expect(usage).toContain('--epochs N  training epochs (the study: 20) [20]; a whole number from 1 to 10000');
    expect(usage).toContain('[cnn,light-k1,light-k2,light-k3,light-k4,light-k5]');
  });
});
