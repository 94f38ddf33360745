import { CLI_DEFAULTS, defaultExperiment } from '../../lab/experiment/schema';
import { CliError, type CliIO } from '../cli-error';
import { parseCommandLine, settingsUsage, type OtherOption } from '../experiment-flags';
import { runComparison } from '../run-comparison';
import { LABEL_OPTIONS, labelRequestOf } from '../label-table-options';
import { BUDGET_OPTIONS, budgetRequestOf } from '../budget-options';

/** Options of compare (and run) besides the experiment's settings. */
export const DATA_OPTIONS: Record<string, OtherOption> = {
  data: { kind: 'value', help: 'DIR or .zip: one folder per class, or train/ val/ test/ folders' },
  test: {
    kind: 'value',
    help: "DIR or .zip of test images (default: the data's test/ folder, else a patient-level part of --data)",
  },
  out: {
    kind: 'value',
    help: 'folder for results.json, report.md, experiment.json and the models [./xray-lab-results]',
  },
  json: { kind: 'switch', help: 'print {settings, results, summary} as JSON instead of the table' },
  weights: {
    kind: 'values',
    help: '[ID=]PATH: ImageNet weights for a transfer model (.h5, TF.js model.json, or a folder)',
  },
  preprocessing: { kind: 'value', help: 'keras|tf-hub: the pixel range the weights expect' },
  'feature-cache': { kind: 'value', help: 'DIR keeping backbone features for the next run' },
  strict: {
    kind: 'switch',
    help: 'a validation or test split too small to measure (under 10 images, or none of a class) is an error, not a warning',
  },
  verbose: { kind: 'switch', help: "list the backend's fast kernels on stderr" },
  ...LABEL_OPTIONS,
  ...BUDGET_OPTIONS,
  help: { kind: 'switch', help: 'this text' },
};

export function optionsUsage(options: Record<string, OtherOption>): string {
  return Object.entries(options)
    .map(([name, o]) => `    --${name}${o.kind === 'switch' ? '' : ' …'}  ${o.help}`)
    .join('\n');
}

export const COMPARE_USAGE = `xray-lab compare --data DIR [options] [settings]
  Trains every model of --models with every seed of --seeds on DIR, evaluates each on the same held-out test images,
  prints the comparison table (--json: the records and a per-model summary over seeds), and writes results.json,
  report.md, experiment.json (the experiment card, replayable with \`xray-lab run\`) and the models with a model card
  each into --out. Progress goes to stderr. Transfer models (inception-v3, mobilenet-v2) need --weights.
  Before decoding, one line says what the decoded images will take against --memory-budget; over it, compare stops
  (exit 2) and names a --subset N that fits (every class, whole patients, official splits kept), which it then takes.
  Options:
${optionsUsage(DATA_OPTIONS)}
  Settings (the same names, bounds and defaults as the page; [default]):
${settingsUsage(defaultExperiment(CLI_DEFAULTS))}
    --seed N  the same as --seeds N`;

export async function compareCommand(argv: string[], io: CliIO): Promise<number> {
  const { settings, options, positionals } = parseCommandLine(argv, DATA_OPTIONS, 'compare');
  if (options.help) {
    io.stdout(COMPARE_USAGE + '\n');
    return 0;
  }
  if (positionals.length > 0)
    throw new CliError(`unexpected argument "${positionals[0]}" (see xray-lab compare --help)`);
  if (typeof options.data !== 'string')
    throw new CliError('--data DIR is required (a folder of class folders, or of train/ val/ test/)');
  return runComparison(
    {
      experiment: defaultExperiment({ ...CLI_DEFAULTS, ...settings }),
      data: options.data,
      test: options.test as string | undefined,
      out: (options.out as string | undefined) ?? 'xray-lab-results',
      json: options.json === true,
      weights: (options.weights as string[] | undefined) ?? [],
      preprocessing: options.preprocessing as string | undefined,
      featureCache: options['feature-cache'] as string | undefined,
      strict: options.strict === true,
      verbose: options.verbose === true,
      labels: labelRequestOf(options),
      budget: budgetRequestOf(options),
    },
    io,
  );
}
