import { CliError, type CliIO } from './cli-error';
import { modelsCommand, MODELS_USAGE } from './commands/models';

const USAGE = `xray-lab — train and compare chest X-ray classifiers (Conv2D, LightLayers, transfer learning)

Commands:
  ${MODELS_USAGE.split('\n').join('\n  ')}
  ${'compare'} --data DIR … — train and compare models; see \`xray-lab compare --help\`
  ${'run'} EXPERIMENT.json --data DIR — replay an experiment card; see \`xray-lab run --help\`
  ${'explain'} — Grad-CAM heat maps of a saved model over images; see \`xray-lab explain --help\`
  ${'export-pytorch'} EXPERIMENT.json --out DIR — the experiment as a PyTorch project (torchrun / DDP); see \`xray-lab export-pytorch --help\`
  ${'scan'} PATH [--json] — the dataset summary of a folder or a .zip; see \`xray-lab scan --help\`
  ${'preview'} PATH… --out DIR [--size N] — the pixels the networks receive, as PNGs; see \`xray-lab preview --help\`
  ${'project'} FILE.zip [--json] [--out DIR] — the results and models of a project saved by the page

Errors print one line and exit with code 2.`;

type Command = (argv: string[], io: CliIO) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  models: async () => modelsCommand,
  compare: async () => (await import('./commands/compare')).compareCommand,
  run: async () => (await import('./commands/run')).runCommand,
  explain: async () => (await import('./commands/explain')).explainCommand,
  'export-pytorch': async () => (await import('./commands/export-pytorch')).exportPytorchCommand,
  scan: async () => (await import('./commands/scan')).scanCommand,
  preview: async () => (await import('./commands/preview')).previewCommand,
  project: async () => (await import('./commands/project')).projectCommand,
};

/** Runs the CLI in-process and returns its exit code (tests call this directly; bin/xray-lab.mjs wraps it). */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name == null || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(USAGE + '\n');
    return name == null ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr(`xray-lab: unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    return 2;
  }
  try {
    return await (
      await load()
    )(rest, io);
  } catch (err) {
    io.stderr(`xray-lab ${name}: ${describeError(err)}\n`);
    return err instanceof CliError || isUserError(err) ? 2 : 1;
  }
}

/** Errors caused by the input (bad option, bad data) rather than by a bug. */
function isUserError(err: unknown): boolean {
  const e = err as { code?: string; name?: string };
  return (
    e?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
    e?.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ||
    e?.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' ||
    [
      'DataError',
      'InputSizeError',
      'UnknownModelError',
      'RangeError',
      'BackboneNotLoadedError',
      'WeightsFormatError',
      'WeightsMismatchError',
      'WeightsDownloadError',
    ].includes(e?.name ?? '')
  );
}

function describeError(err: unknown): string {
  return (err as Error)?.message?.split('\n')[0] ?? String(err);
}
