import * as tf from '@tensorflow/tfjs';
import { MODEL_REGISTRY } from '../../lab/registry';
import { formatBytes, formatInteger } from '../../lab/report/format';
import { findField } from '../../lab/experiment/schema';
import { CliError, type CliIO } from '../cli-error';
import { parseCommandLine, type OtherOption } from '../experiment-flags';
import { useQuietCpu } from '../quiet-backend';

/** One line of `xray-lab models`. Sizes are null where the model cannot be built at the requested input. */
export interface ModelListing {
  id: string;
  label: string;
  /** Where the page lists it: cnn, lightlayers or transfer. */
  group: string;
  params: number | null;
  trainableParams: number | null;
  bytes: number | null;
  minSize: number;
  /** Why sizes are missing (too small an input, backbone not loaded). */
  error?: string;
  /** A remark on the counts (transfer models: frozen backbone). */
  note?: string;
  description: string;
}

const MODELS_OPTIONS: Record<string, OtherOption> = {
  json: { kind: 'switch', help: 'print the listing as JSON' },
  help: { kind: 'switch', help: 'this text' },
};

export const MODELS_USAGE = `xray-lab models [--size N] [--channels 1|3] [--json]
  Lists every model of the registry with its parameters and float32 weight bytes at the given input (default the
  study's 299×299×3; --size and --channels take compare's bounds).`;

export async function modelsCommand(argv: string[], io: CliIO): Promise<number> {
  const { settings, options, positionals } = parseCommandLine(argv, MODELS_OPTIONS, 'models');
  if (options.help) {
    io.stdout(MODELS_USAGE + '\n');
    return 0;
  }
  const other = Object.keys(settings).find((k) => k !== 'size' && k !== 'channels');
  if (other)
    throw new CliError(
      `--${findField(other)!.flag} does not change a model's size; models takes --size and --channels`,
    );
  if (positionals.length > 0)
    throw new CliError(`unexpected argument "${positionals[0]}" (see xray-lab models --help)`);
  // The study's input unless asked otherwise: the listing is for comparing with its published counts.
  const size = settings.size ?? 299;
  const channels = settings.channels ?? 3;
  await useQuietCpu(); // building models only: any backend gives the same counts
  const listings = listModels(size, channels);
  if (options.json) {
    io.stdout(JSON.stringify(listings, null, 2) + '\n');
  } else {
    io.stdout(renderListings(listings, size, channels));
  }
  return 0;
}

export function listModels(size: number, channels: 1 | 3): ModelListing[] {
  return MODEL_REGISTRY.map((entry) => {
    const base = {
      id: entry.id,
      label: entry.label,
      group: entry.group,
      minSize: entry.minSize,
      description: entry.description,
    };
    try {
      const measured = entry.measure({ size, channels });
      const listing: ModelListing = { ...base, ...measured };
      if (entry.backbone) {
        listing.note =
          channels === 3
            ? 'ImageNet backbone (frozen) + trained head; weights must be loaded to train'
            : 'ImageNet backbones take 3 channels: grey images are repeated into RGB';
      }
      return listing;
    } catch (err) {
      return { ...base, params: null, trainableParams: null, bytes: null, error: (err as Error).message };
    } finally {
      tf.disposeVariables();
    }
  });
}

function renderListings(listings: ModelListing[], size: number, channels: number): string {
  const rows = listings.map((l) => [
    l.id,
    formatInteger(l.params),
    formatInteger(l.trainableParams),
    formatBytes(l.bytes),
    l.error ?? l.note ?? '',
  ]);
  const header = ['model', 'params', 'trainable', 'weights', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [`Models at ${size}×${size}×${channels}`, line(header), ...rows.map(line)].join('\n') + '\n';
}
