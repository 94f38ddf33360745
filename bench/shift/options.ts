/**
 * Options of `npm run bench -- shift`. Unknown flags and bad values throw with a message naming the flag.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface ShiftBenchOptions {
  /** A folder of class folders (or a .zip); 'phantom' = generated phantom X-rays (no download, for smoke runs). */
  data: string;
  models: string[];
  size: number;
  channels: 1 | 3;
  epochs: number;
  seeds: number[];
  batch: number;
  learningRate: number;
  /** Seeded, class-stratified subset of the data (keeps the run short). */
  limit: number;
  /** Patient-level shares held out for validation (best epoch, temperature) and for the shifted test sets. */
  valFraction: number;
  testFraction: number;
  /** Also measure MobileNetV2 transfer from this TF.js model folder (../shared/models/mobilenet-v2-0.35-imagenet). */
  transfer: string | null;
  json: boolean;
  write: boolean;
}

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_DATA = join(REPO, '..', 'shared', 'data', 'chest-xray-224', 'train');
export const DEFAULT_TRANSFER = join(REPO, '..', 'shared', 'models', 'mobilenet-v2-0.35-imagenet');

export const DEFAULT_SHIFT_OPTIONS: ShiftBenchOptions = {
  data: DEFAULT_DATA,
  models: ['light-k4', 'cnn'],
  size: 64,
  channels: 1,
  epochs: 5,
  seeds: [1, 2, 3],
  batch: 32,
  learningRate: 1e-3,
  limit: 2400,
  valFraction: 0.1,
  testFraction: 0.25,
  transfer: null,
  json: false,
  write: true,
};

export const SHIFT_USAGE = `usage: npm run bench -- shift [options]
  --data PATH          class folders or .zip (default ../shared/data/chest-xray-224/train); 'phantom' = generated X-rays
  --models a,b         model ids (default light-k4,cnn; none: only --transfer)
  --size N             image side (default 64)      --channels 1|3   (default 1)
  --epochs N           (default 5)                  --seeds 1,2,3    model seeds (default 1,2,3)
  --batch N            (default 32)                 --lr X           (default 0.001)
  --limit N            seeded class-stratified subset (default 2400)
  --val-fraction X     (default 0.1)                --test-fraction X  held-out part, shifted (default 0.25)
  --transfer           also MobileNetV2 transfer at --size, its backbone adapted (weights: --transfer-path,
                       default ../shared/models/mobilenet-v2-0.35-imagenet)
  --json               print one JSON object per row instead of the table
  --no-write           do not write bench/results/shift-<timestamp>.json`;

function number(flag: string, raw: string | undefined, check: (n: number) => boolean, what: string): number {
  const n = Number(raw);
  if (raw == null || raw === '' || !check(n)) throw new Error(`${flag} needs ${what} (got ${raw})`);
  return n;
}
const whole = (flag: string, raw: string | undefined) =>
  number(flag, raw, (n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1');
const share = (flag: string, raw: string | undefined) =>
  number(flag, raw, (n) => n > 0 && n < 1, 'a number between 0 and 1');

/** Parses the suite's arguments (everything after `shift`). */
export function parseShiftArgs(argv: string[]): ShiftBenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      data: { type: 'string' },
      models: { type: 'string' },
      size: { type: 'string' },
      channels: { type: 'string' },
      epochs: { type: 'string' },
      seeds: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      limit: { type: 'string' },
      'val-fraction': { type: 'string' },
      'test-fraction': { type: 'string' },
      transfer: { type: 'boolean' },
      'transfer-path': { type: 'string' },
      json: { type: 'boolean' },
      'no-write': { type: 'boolean' },
    },
  });
  const o: ShiftBenchOptions = { ...DEFAULT_SHIFT_OPTIONS };
  if (values.data != null) o.data = values.data;
  if (values.models != null) {
    o.models =
      values.models === 'none'
        ? []
        : values.models
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
    if (values.models !== 'none' && o.models.length === 0)
      throw new Error('--models needs a comma-separated list (or none, with --transfer)');
  }
  if (values.size != null) o.size = whole('--size', values.size);
  if (values.channels != null) {
    const c = whole('--channels', values.channels);
    if (c !== 1 && c !== 3) throw new Error(`--channels must be 1 or 3 (got ${c})`);
    o.channels = c;
  }
  if (values.epochs != null) o.epochs = whole('--epochs', values.epochs);
  if (values.seeds != null)
    o.seeds = values.seeds.split(',').map((s) => number('--seeds', s.trim(), Number.isInteger, 'integers'));
  if (values.batch != null) o.batch = whole('--batch', values.batch);
  if (values.lr != null) o.learningRate = number('--lr', values.lr, (n) => n > 0, 'a positive number');
  if (values.limit != null) o.limit = whole('--limit', values.limit);
  if (values['val-fraction'] != null) o.valFraction = share('--val-fraction', values['val-fraction']);
  if (values['test-fraction'] != null) o.testFraction = share('--test-fraction', values['test-fraction']);
  if (values.transfer || values['transfer-path'] != null) o.transfer = values['transfer-path'] ?? DEFAULT_TRANSFER;
  if (values.json) o.json = true;
  if (values['no-write']) o.write = false;
  return o;
}
