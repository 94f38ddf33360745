import { readFile } from 'node:fs/promises';
import { parseExperimentCard } from '../../lab/experiment/card';
import { CliError, type CliIO } from '../cli-error';
import { parseCommandLine } from '../experiment-flags';
import { registryProblem, runComparison } from '../run-comparison';
import { DATA_OPTIONS, optionsUsage } from './compare';
import { replayLabelRequest } from '../label-table-options';
import { budgetRequestOf } from '../budget-options';

const RUN_OPTIONS = {
  ...DATA_OPTIONS,
  'allow-other-data': { kind: 'switch' as const, help: "run even when DIR's files differ from those the card ran on" },
};

export const RUN_USAGE = `xray-lab run EXPERIMENT.json --data DIR [options]
  Runs exactly the experiment of a card (experiment.json from the page's "Download all" or compare --out): the same
  models, seeds, settings and split. Refuses (exit 2) when DIR's files differ from the card's unless
  --allow-other-data. On the same backend with the same data, the metrics equal the card's.
  Options:
${optionsUsage(RUN_OPTIONS)}`;

export async function runCommand(argv: string[], io: CliIO): Promise<number> {
  const { settings, options, positionals } = parseCommandLine(argv, RUN_OPTIONS, 'run');
  if (options.help) {
    io.stdout(RUN_USAGE + '\n');
    return 0;
  }
  const given = Object.keys(settings);
  if (given.length > 0)
    throw new CliError(
      `run replays the card's settings: --${given[0]} cannot change them (edit the card, or use compare)`,
    );
  if (positionals.length !== 1) throw new CliError('give one EXPERIMENT.json (see xray-lab run --help)');
  if (typeof options.data !== 'string') throw new CliError('--data DIR is required: the data the card ran on');
  const path = positionals[0];
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new CliError(`${path}: cannot read (${err.code ?? err.message})`);
  });
  let card;
  try {
    card = parseExperimentCard(text, path, { checkModel: registryProblem });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  return runComparison(
    {
      experiment: card.settings,
      data: options.data,
      test: options.test as string | undefined,
      out: (options.out as string | undefined) ?? 'xray-lab-results',
      json: options.json === true,
      weights: (options.weights as string[] | undefined) ?? [],
      preprocessing: options.preprocessing as string | undefined,
      featureCache: options['feature-cache'] as string | undefined,
      strict: options.strict === true,
      verbose: options.verbose === true,
      labels: replayLabelRequest(options, card.data.identity.table),
      budget: budgetRequestOf(options),
      replay: { card, allowOtherData: options['allow-other-data'] === true },
    },
    io,
  );
}
