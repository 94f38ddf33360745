/**
 * Command-line options of `npm run bench -- transfer --vs-torch`, parsed without dependencies so the page bundle and
 * the tests can share the types. Unknown flags and bad values throw with a message naming the flag.
 */
import type { BackboneId } from '../../src/lab/transfer/backbones';

export type TransferEnv = 'node' | 'chromium';

export interface TransferVsTorchOptions {
  backbones: BackboneId[];
  envs: TransferEnv[];
  /** Images per forward pass. */
  batch: number;
  /** Timed forward passes per backbone and environment, after one untimed warm-up pass. */
  batches: number;
  /** Images in the study's training folder: the end-to-end estimate runs the backbone over all of them once. */
  images: number;
  /** Head epochs on cached features in that estimate (the study: 20, batch 64). */
  headEpochs: number;
  headBatch: number;
  /** Folder (or model.json) of the MobileNetV2 α 0.35 ImageNet weights; random weights when it cannot be read. */
  mobilenetWeights: string;
  /** PyTorch's memory layout: its default NCHW, or channels-last (NHWC, as tfjs). */
  torchChannelsLast: boolean;
  vsTorch: boolean;
  json: boolean;
  /** Write bench/results/transfer-vs-torch-<timestamp>.json (default true). */
  write: boolean;
}

/** The shared MobileNetV2 α 0.35 export, read in place next to the repository. */
export const SHARED_MOBILENET = '../shared/models/mobilenet-v2-0.35-imagenet';

export const DEFAULT_OPTIONS: TransferVsTorchOptions = {
  backbones: ['mobilenet-v2', 'inception-v3'],
  envs: ['node', 'chromium'],
  batch: 32,
  batches: 3,
  images: 5216,
  headEpochs: 20,
  headBatch: 64,
  mobilenetWeights: SHARED_MOBILENET,
  torchChannelsLast: false,
  vsTorch: true,
  json: false,
  write: true,
};

/** Input side each backbone is timed at: the size its ImageNet weights were trained at. */
export const BACKBONE_SIZE: Readonly<Record<BackboneId, number>> = { 'mobilenet-v2': 224, 'inception-v3': 299 };

export const USAGE = `usage: npm run bench -- transfer --vs-torch [options]
  --backbones a,b       mobilenet-v2,inception-v3 (default both; MobileNetV2 α 0.35 at 224 px, InceptionV3 at 299 px)
  --env node|chromium|both   where tfjs runs, on wasm (default both)
  --batch N             images per forward pass (default 32)
  --batches N           timed forward passes after one warm-up pass (default 3)
  --images N            images of the end-to-end InceptionV3 estimate (default 5216, the study's training folder)
  --head-epochs N       head epochs on cached features in that estimate (default 20)
  --head-batch N        their batch size (default 64)
  --mobilenet-weights PATH   MobileNetV2 α 0.35 weights (default ${SHARED_MOBILENET})
  --torch-channels-last PyTorch in channels-last (NHWC) instead of its default NCHW
  --no-torch            tfjs only
  --json                one JSON line per backbone and environment
  --no-write            do not write bench/results/transfer-vs-torch-<timestamp>.json`;

function positiveInt(flag: string, raw: string | undefined): number {
  const n = Number(raw);
  if (raw == null || !Number.isInteger(n) || n < 1) {
    throw new Error(`${flag} needs a whole number ≥ 1 (got '${raw}')`);
  }
  return n;
}

function list<T extends string>(flag: string, raw: string | undefined, allowed: readonly T[]): T[] {
  if (raw == null || raw === '') throw new Error(`${flag} needs a comma-separated list of ${allowed.join(', ')}`);
  return raw.split(',').map((item) => {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new Error(`${flag}: '${item}' is not one of ${allowed.join(', ')}`);
    }
    return item as T;
  });
}

/** Parses the suite's arguments (without `--vs-torch` itself, which only routes here). */
export function parseTransferVsTorchArgs(argv: readonly string[]): TransferVsTorchOptions {
  const o: TransferVsTorchOptions = { ...DEFAULT_OPTIONS };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--backbones':
        o.backbones = list(flag, value(), ['mobilenet-v2', 'inception-v3'] as const);
        break;
      case '--env': {
        const env = value();
        if (env === 'both') o.envs = ['node', 'chromium'];
        else o.envs = list(flag, env, ['node', 'chromium'] as const);
        break;
      }
      case '--batch':
        o.batch = positiveInt(flag, value());
        break;
      case '--batches':
        o.batches = positiveInt(flag, value());
        break;
      case '--images':
        o.images = positiveInt(flag, value());
        break;
      case '--head-epochs':
        o.headEpochs = positiveInt(flag, value());
        break;
      case '--head-batch':
        o.headBatch = positiveInt(flag, value());
        break;
      case '--mobilenet-weights': {
        const path = value();
        if (path == null || path === '') throw new Error(`${flag} needs a path`);
        o.mobilenetWeights = path;
        break;
      }
      case '--torch-channels-last':
        o.torchChannelsLast = true;
        break;
      case '--no-torch':
        o.vsTorch = false;
        break;
      case '--json':
        o.json = true;
        break;
      case '--no-write':
        o.write = false;
        break;
      default:
        throw new Error(`unknown option '${argv[i]}' (see --help)`);
    }
  }
  return o;
}
