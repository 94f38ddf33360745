import { createBestNodeDecoder } from '../../lab/data/node/decoder-threads';
import { planLoad } from '../../lab/data/decode-plan';
import { defaultMemoryBudget } from '../../lab/data/node/memory-budget';
import { openNodeSource } from '../../lab/data/node/sources';
import { ingest } from '../../lab/data/pipeline';
import { scanSource, type IngestProgress } from '../../lab/data/scan';
import { requireUsefulSplits } from '../../lab/data/split-check';
import { formatSummary } from '../../lab/data/summary-text';
import { CliError, type CliIO } from '../cli-error';
import { CLI_DEFAULTS, defaultExperiment, findField, splitOf, type Experiment } from '../../lab/experiment/schema';
import { experimentProblems } from '../../lab/experiment/validate';
import { parseCommandLine, settingsUsage, type OtherOption } from '../experiment-flags';
import { optionsUsage } from './compare';
import { LABEL_OPTIONS, labelRequestOf, readLabelSpec } from '../label-table-options';

/** The settings scan reads (the same flags, bounds and defaults as compare and the page); others are refused. */
const SCAN_SETTINGS: readonly (keyof Experiment)[] = [
  'size',
  'channels',
  'seeds',
  'valFraction',
  'testFraction',
  'keepOfficialVal',
  'positiveClass',
  'limit',
];

const SCAN_OPTIONS: Record<string, OtherOption> = {
  json: { kind: 'switch', help: 'print the summary as JSON' },
  decode: { kind: 'switch', help: 'also decode every image (at --size) to find damaged files a header check cannot' },
  strict: {
    kind: 'switch',
    help: 'a validation or test split too small to measure is an error (exit 2), not a warning',
  },
  ...LABEL_OPTIONS,
  help: { kind: 'switch', help: 'this text' },
};

export const SCAN_USAGE = `xray-lab scan PATH [options] [settings]
  Reads PATH (a folder, or a .zip such as Kaggle's archive.zip, streamed) the way compare and the page do: classes
  and split folders (or, with --labels, a label table's classes, patients and official splits), every image file hashed (byte-identical copies) and its header checked, then the patient-level
  split. Prints the dataset summary (--json: as JSON); first, on stderr, what compare would decode (the images at
  --size and --channels against its default memory budget, and the --subset that fits when they do not). A split
  whose validation or test part cannot give meaningful metrics (no images, fewer than 10, or none of a class) gets
  a WARNING line; --strict makes it an error (exit 2).
  Options:
${optionsUsage(SCAN_OPTIONS)}
  Settings (compare's names, bounds and defaults; the first of --seeds deals the split):
${settingsUsage(defaultExperiment(CLI_DEFAULTS))
  .split('\n')
  .filter((line) =>
    SCAN_SETTINGS.some(
      (k) => line.startsWith(`    --${findField(k)!.flag} `) || line === `    --${findField(k)!.flag}`,
    ),
  )
  .join('\n')}`;

/** `xray-lab scan`: the dataset summary of a folder or a zip, without training anything. */
export async function scanCommand(argv: string[], io: CliIO): Promise<number> {
  const { settings, options, positionals } = parseCommandLine(argv, SCAN_OPTIONS, 'scan');
  if (options.help) {
    io.stdout(SCAN_USAGE + '\n');
    return 0;
  }
  const unused = (Object.keys(settings) as (keyof Experiment)[]).find((k) => !SCAN_SETTINGS.includes(k));
  if (unused)
    throw new CliError(
      `--${findField(unused)!.flag} is a training setting; scan does not use it (see xray-lab scan --help)`,
    );
  if (positionals.length !== 1) throw new CliError('give one PATH: a dataset folder or a .zip archive');
  const experiment = defaultExperiment({ ...CLI_DEFAULTS, ...settings });
  const problems = experimentProblems(experiment);
  if (problems.length > 0) throw new CliError(`--${problems[0].flag} ${problems[0].message}`);
  const format = { size: experiment.size, channels: experiment.channels };
  const split = splitOf(experiment);
  const limit = experiment.limit > 0 ? experiment.limit : undefined;

  const labelRequest = labelRequestOf(options);
  const labels = labelRequest ? await readLabelSpec(labelRequest) : undefined;
  const onProgress = progressLog(io);
  const scanned = await scanSource(await openNodeSource(positionals[0]), { onProgress, labels });
  // What compare would decode (the same images at --size and --channels) against its default memory budget.
  const { estimate } = planLoad([{ layout: scanned.layout, select: { split, limit } }], {
    classNames: scanned.layout.classNames,
    size: format.size,
    channels: format.channels,
    budget: defaultMemoryBudget(),
    seed: split.seed,
  });
  io.stderr(`for compare: ${estimate.line}\n`);
  const decoder = options.decode ? createBestNodeDecoder(limit ?? scanned.layout.entries.length) : null;
  let result;
  try {
    result = await ingest(scanned, {
      decoder,
      format,
      split,
      limit,
      positiveClass: experiment.positiveClass ?? undefined,
      onProgress,
    });
  } finally {
    decoder?.close();
  }
  io.stdout((options.json ? JSON.stringify(result.summary, null, 2) : formatSummary(result.summary)) + '\n');
  requireUsefulSplits(positionals[0], result.summary, { strict: options.strict === true });
  return 0;
}

/** A progress line on stderr every 10,000 files listed and every 1,000 read, and when each phase ends. */
function progressLog(io: CliIO): (p: IngestProgress) => void {
  let listed = false;
  return (p) => {
    if (p.phase === 'listing' && p.found > 0 && p.found % 10_000 === 0)
      io.stderr(`listing: ${p.found} files and folders so far\n`);
    else if (p.phase === 'loading' && !listed) {
      listed = true;
      io.stderr(`found ${p.total} images\n`);
    } else if (p.phase === 'loading' && p.decoded + p.skipped > 0 && (p.decoded + p.skipped) % 1000 === 0) {
      io.stderr(`read ${p.decoded + p.skipped}/${p.total}\n`);
    }
  };
}
