import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PNG } from 'pngjs';
import { isDataError } from '../../lab/data/errors';
import { skipReason } from '../../lab/data/file-kinds';
import { decodeFile, type DecodedFile } from '../../lab/data/node/decode';
import { readImageHeader } from '../../lab/data/image-header';
import { readDatasetFile } from '../../lab/data/node/read-file';
import { toSquare } from '../../lab/data/resize';
import { CLI_DEFAULTS, defaultExperiment, type Experiment } from '../../lab/experiment/schema';
import { experimentProblems } from '../../lab/experiment/validate';
import { CliError, type CliIO } from '../cli-error';
import { parseCommandLine, type OtherOption } from '../experiment-flags';
import { optionsUsage } from './compare';

const PREVIEW_OPTIONS: Record<string, OtherOption> = {
  out: { kind: 'value', help: 'DIR: the folder the PNGs are written to (made if missing)' },
  json: {
    kind: 'switch',
    help: 'print per file its format, transfer syntax, photometric interpretation, bits and window',
  },
  help: { kind: 'switch', help: 'this text' },
};

/** The settings preview reads: the stored image's size and channels, as compare stores them. */
const PREVIEW_SETTINGS: readonly (keyof Experiment)[] = ['size', 'channels'];

export const PREVIEW_USAGE = `xray-lab preview PATH… --out DIR [--size N] [--channels 1|3] [--json]
  Writes DIR/<file name without extension>.png for every image PATH names (a JPEG, PNG or DICOM file, or a folder
  of them): exactly the 8-bit N×N pixels the networks receive from compare and run (DICOM after its display
  pipeline: rescale, window or VOI LUT, MONOCHROME1 inverted). A file that cannot be read gets one line on stderr
  and the others go on; the exit code is then 2.
  Options:
${optionsUsage(PREVIEW_OPTIONS)}
    --size N  side of the square image (default ${defaultExperiment(CLI_DEFAULTS).size})
    --channels 1|3  grey, or grey repeated as RGB (default ${defaultExperiment(CLI_DEFAULTS).channels})`;

/** What --json says of one file: technical facts only (no DICOM header text). */
export interface PreviewRecord {
  readonly file: string;
  readonly output: string;
  readonly format: DecodedFile['format'];
  readonly width: number;
  readonly height: number;
  /** Bits per sample: the PNG's or JPEG's depth, a DICOM's bits stored. */
  readonly bits: number;
  /** Channels decoded (a DICOM is always 1: colour ones are refused). */
  readonly channels: number;
  readonly transferSyntax: string | null;
  readonly transferSyntaxUid: string | null;
  readonly photometric: string | null;
  readonly bitsAllocated: number | null;
  readonly signed: boolean | null;
  /** DICOM: the VOI step applied (window centre, width and function, or the VOI LUT); null for JPEG and PNG. */
  readonly window: unknown;
}

/** `xray-lab preview`: the network's view of image files, as PNGs. */
export async function previewCommand(argv: string[], io: CliIO): Promise<number> {
  const { settings, options, positionals } = parseCommandLine(argv, PREVIEW_OPTIONS, 'preview');
  if (options.help) {
    io.stdout(PREVIEW_USAGE + '\n');
    return 0;
  }
  const unused = (Object.keys(settings) as (keyof Experiment)[]).find((k) => !PREVIEW_SETTINGS.includes(k));
  if (unused)
    throw new CliError(`preview takes --size and --channels only of the settings (see xray-lab preview --help)`);
  if (positionals.length === 0) throw new CliError('give at least one PATH: an image file or a folder of them');
  if (typeof options.out !== 'string' || options.out === '')
    throw new CliError('--out DIR is needed: the folder the PNGs are written to');
  const experiment = defaultExperiment({ ...CLI_DEFAULTS, ...settings });
  const problems = experimentProblems(experiment);
  if (problems.length > 0) throw new CliError(`--${problems[0].flag} ${problems[0].message}`);
  const { size, channels } = experiment;

  const files = await inputsOf(positionals);
  const outputs = outputNames(files);
  await mkdir(options.out, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
    throw new CliError(`--out ${options.out}: cannot create the folder (${err.code ?? err.message})`);
  });
  const records: PreviewRecord[] = [];
  let failed = 0;
  for (const file of files) {
    try {
      const bytes = await readDatasetFile(file, file);
      const decoded = await decodeFile(bytes, file);
      // The pipeline's own resize (node/decode.ts: createNodeDecoder), so the PNG is what the store holds.
      const pixels = toSquare(decoded.image, size, channels, 'stretch');
      const output = join(options.out, outputs.get(file)!);
      await writeFile(output, pngOf(pixels, size, channels));
      records.push(recordOf(file, output, decoded, readImageHeader(bytes, file).bitDepth));
    } catch (err) {
      if (!isDataError(err)) throw err;
      failed++;
      io.stderr(`xray-lab preview: ${err.message.split('\n')[0]}\n`);
    }
  }
  if (options.json) io.stdout(JSON.stringify(records, null, 2) + '\n');
  else for (const r of records) io.stdout(`${r.output}  ${describe(r)}\n`);
  if (failed > 0) io.stderr(`xray-lab preview: ${failed} of ${files.length} files could not be read\n`);
  return failed > 0 ? 2 : 0;
}

/** The files the positionals name: files as given, folders walked for the files a dataset would load. */
async function inputsOf(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => {
      throw new CliError(`${path}: no such file or folder`);
    });
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const entries = await readdir(path, { recursive: true, withFileTypes: true });
    const found = entries
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name))
      .filter((f) => skipReason(f.slice(path.length).replace(/^[\\/]+/, '')) === null)
      .sort();
    if (found.length === 0) throw new CliError(`${path}: no image files in this folder`);
    files.push(...found);
  }
  return files;
}

/** DIR/<name without its image extension>.png per file; two files that would share a name are refused. */
function outputNames(files: readonly string[]): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Map<string, string>();
  for (const file of files) {
    const name = `${basename(file).replace(/\.(dcm|dicom|jpe?g|png)$/i, '')}.png`;
    const other = taken.get(name);
    if (other !== undefined && other !== file)
      throw new CliError(`${other} and ${file} would both be written as ${name}; preview them separately`);
    taken.set(name, file);
    names.set(file, name);
  }
  return names;
}

function pngOf(pixels: Uint8Array, size: number, channels: 1 | 3): Buffer {
  const png = new PNG({
    width: size,
    height: size,
    colorType: channels === 1 ? 0 : 2,
    inputColorType: channels === 1 ? 0 : 2,
    inputHasAlpha: false,
  });
  png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  return PNG.sync.write(png, {
    colorType: channels === 1 ? 0 : 2,
    inputColorType: channels === 1 ? 0 : 2,
    inputHasAlpha: false,
  });
}

function recordOf(file: string, output: string, decoded: DecodedFile, bits: number): PreviewRecord {
  const d = decoded.dicom;
  return {
    file,
    output,
    format: decoded.format,
    width: decoded.image.width,
    height: decoded.image.height,
    bits,
    transferSyntax: d?.transferSyntax ?? null,
    transferSyntaxUid: d?.transferSyntaxUid ?? null,
    channels: decoded.image.channels,
    photometric: d?.photometric ?? null,
    bitsAllocated: d?.bitsAllocated ?? null,
    signed: d?.signed ?? null,
    window: d ? d.voi : null,
  };
}

function describe(r: PreviewRecord): string {
  if (r.format !== 'dicom')
    return `${r.format.toUpperCase()} ${r.width}×${r.height}, ${r.channels} channel(s), ${r.bits}-bit`;
  const w = r.window as {
    kind: string;
    center?: number;
    width?: number;
    fn?: string;
    source?: string;
    entries?: number;
  };
  const voi =
    w.kind === 'voi-lut'
      ? `VOI LUT (${w.entries} entries)`
      : `window ${w.center}/${w.width} ${w.fn}${w.source === 'min-max' ? ' (robust min–max)' : ''}`;
  return `DICOM ${r.width}×${r.height}, ${r.transferSyntax}, ${r.photometric}, ${r.bits} bits stored, ${voi}`;
}
