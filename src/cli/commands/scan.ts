import { parseArgs } from 'node:util';
import { createBestNodeDecoder } from '../../lab/data/node/decoder-threads';
import { openNodeSource } from '../../lab/data/node/sources';
import { ingest } from '../../lab/data/pipeline';
import { scanSource, type IngestProgress } from '../../lab/data/scan';
import { requireUsefulSplits } from '../../lab/data/split-check';
import { formatSummary } from '../../lab/data/summary-text';
import { CliError, type CliIO } from '../cli-error';
import { channelsOption, floatOption, intOption } from '../options';

export const SCAN_USAGE = `xray-lab scan PATH [--json] [--decode] [--size N] [--channels 1|3] [--seed N]
    [--val-fraction F] [--test-fraction F] [--keep-val] [--positive CLASS] [--limit N] [--strict]
  Reads PATH (a folder, or a .zip such as Kaggle's archive.zip, streamed) the way compare and the page do: classes
  and split folders, every image file hashed (byte-identical copies) and its header checked, then the patient-level
  split. Prints the dataset summary (--json: as JSON). --decode also decodes every image (at --size, default 64)
  to find damaged files a header check cannot. A split whose validation or test part cannot give meaningful metrics
  (no images, fewer than 10, or none of a class) gets a WARNING line; --strict makes it an error (exit 2).`;

/** `xray-lab scan`: the dataset summary of a folder or a zip, without training anything. */
export async function scanCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false }, decode: { type: 'boolean', default: false },
      size: { type: 'string' }, channels: { type: 'string' }, seed: { type: 'string' },
      'val-fraction': { type: 'string' }, 'test-fraction': { type: 'string' }, 'keep-val': { type: 'boolean', default: false },
      positive: { type: 'string' }, limit: { type: 'string' }, help: { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    io.stdout(SCAN_USAGE + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new CliError('give one PATH: a dataset folder or a .zip archive');
  const valFraction = floatOption('val-fraction', values['val-fraction'], 0.1, 0, 0.9);
  const testFraction = floatOption('test-fraction', values['test-fraction'], 0.2, 0, 0.9);
  if (valFraction + testFraction >= 0.95) throw new CliError('--val-fraction plus --test-fraction must leave images for training');
  const format = { size: intOption('size', values.size, 64, 1, 1024), channels: channelsOption(values.channels, 1) };
  const split = { valFraction, testFraction, seed: intOption('seed', values.seed, 1, 0, 2 ** 31 - 1), keepOfficialVal: values['keep-val'] };
  const limit = values.limit == null ? undefined : intOption('limit', values.limit, 0, 1);

  const onProgress = progressLog(io);
  const scanned = await scanSource(await openNodeSource(positionals[0]), { onProgress });
  const decoder = values.decode ? createBestNodeDecoder(limit ?? scanned.layout.entries.length) : null;
  let result;
  try {
    result = await ingest(scanned, { decoder, format, split, limit, positiveClass: values.positive, onProgress });
  } finally {
    decoder?.close();
  }
  io.stdout((values.json ? JSON.stringify(result.summary, null, 2) : formatSummary(result.summary)) + '\n');
  requireUsefulSplits(positionals[0], result.summary, { strict: values.strict });
  return 0;
}

/** A progress line on stderr every 10,000 files listed and every 1,000 read, and when each phase ends. */
function progressLog(io: CliIO): (p: IngestProgress) => void {
  let listed = false;
  return (p) => {
    if (p.phase === 'listing' && p.found > 0 && p.found % 10_000 === 0) io.stderr(`listing: ${p.found} files and folders so far\n`);
    else if (p.phase === 'loading' && !listed) {
      listed = true;
      io.stderr(`found ${p.total} images\n`);
    } else if (p.phase === 'loading' && p.decoded + p.skipped > 0 && (p.decoded + p.skipped) % 1000 === 0) {
      io.stderr(`read ${p.decoded + p.skipped}/${p.total}\n`);
    }
  };
}
