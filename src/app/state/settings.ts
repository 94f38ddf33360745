/**
 * Every setting of the page in one typed object, described by a schema table that drives validation and the URL
 * hash, so an experiment can be shared as a link (`#size=64&models=cnn,light-k2&epochs=3`).
 */
import type { BackendPreference } from '../../worker/protocol';

export interface Settings {
  size: number;
  channels: 1 | 3;
  epochs: number;
  batchSize: number;
  learningRate: number;
  valFraction: number;
  testFraction: number;
  /** Keep the data's own val/ folder instead of carving validation from the pool by patient. */
  keepOfficialVal: boolean;
  classWeights: 'none' | 'balanced';
  earlyStopping: number;
  bnRecalibration: number;
  seed: number;
  backend: BackendPreference;
  demoPerClass: number;
  /** Load at most this many images of a folder or zip (seeded, class-stratified); 0 = all. */
  limit: number;
  /** Seeded flips, small rotations, shifts, zoom, brightness and contrast of training images. */
  augment: boolean;
  /** Transfer models: dropout before the head (0 = the study). */
  headDropout: number;
  /** Transfer models: rank of a LightDense head; 0 = Dense (the study). */
  headLightRank: number;
  /** InceptionV3: epochs that also train mixed9 and mixed10 after the head's; 0 = frozen (the study). */
  fineTuneEpochs: number;
  models: string[];
}

export const DEFAULT_SETTINGS: Settings = {
  size: 128,
  channels: 3,
  epochs: 5,
  batchSize: 32,
  learningRate: 0.001,
  valFraction: 0.15,
  testFraction: 0.2,
  // The core's default: Kermany's val/ folder holds only 16 images, too few to pick the best epoch on.
  keepOfficialVal: false,
  classWeights: 'none',
  earlyStopping: 0,
  // The core's default: re-estimating BatchNorm statistics keeps short runs from collapsing to one class.
  bnRecalibration: 20,
  seed: 1,
  backend: 'auto',
  demoPerClass: 150,
  limit: 0,
  augment: false,
  headDropout: 0,
  headLightRank: 0,
  fineTuneEpochs: 0,
  models: ['cnn', 'light-k2'],
};

type Field =
  | { key: keyof Settings; kind: 'int'; min: number; max: number }
  | { key: keyof Settings; kind: 'float'; min: number; max: number; exclusiveMin?: boolean }
  | { key: keyof Settings; kind: 'enum'; options: readonly (string | number)[] }
  | { key: keyof Settings; kind: 'bool' }
  | { key: keyof Settings; kind: 'list' };

export const SETTINGS_SCHEMA: readonly Field[] = [
  { key: 'size', kind: 'int', min: 8, max: 512 },
  { key: 'channels', kind: 'enum', options: [1, 3] },
  { key: 'epochs', kind: 'int', min: 1, max: 500 },
  { key: 'batchSize', kind: 'int', min: 1, max: 1024 },
  { key: 'learningRate', kind: 'float', min: 0, max: 1, exclusiveMin: true },
  { key: 'valFraction', kind: 'float', min: 0, max: 0.9 },
  { key: 'testFraction', kind: 'float', min: 0, max: 0.9 },
  { key: 'keepOfficialVal', kind: 'bool' },
  { key: 'classWeights', kind: 'enum', options: ['none', 'balanced'] },
  { key: 'earlyStopping', kind: 'int', min: 0, max: 100 },
  { key: 'bnRecalibration', kind: 'int', min: 0, max: 1000 },
  { key: 'seed', kind: 'int', min: 0, max: 2 ** 31 - 1 },
  { key: 'backend', kind: 'enum', options: ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] },
  { key: 'demoPerClass', kind: 'int', min: 4, max: 2000 },
  { key: 'limit', kind: 'int', min: 0, max: 1_000_000 },
  { key: 'augment', kind: 'bool' },
  { key: 'headDropout', kind: 'float', min: 0, max: 0.9 },
  { key: 'headLightRank', kind: 'int', min: 0, max: 256 },
  { key: 'fineTuneEpochs', kind: 'int', min: 0, max: 100 },
  { key: 'models', kind: 'list' },
];

/** Why `value` is not acceptable for `field`, or null. */
function fieldError(field: Field, value: unknown): string | null {
  switch (field.kind) {
    case 'int':
      return Number.isInteger(value) && (value as number) >= field.min && (value as number) <= field.max
        ? null
        : `a whole number from ${field.min} to ${field.max}`;
    case 'float': {
      const v = value as number;
      const lowOk = field.exclusiveMin ? v > field.min : v >= field.min;
      return typeof v === 'number' && Number.isFinite(v) && lowOk && v <= field.max
        ? null
        : `a number ${field.exclusiveMin ? 'above' : 'from'} ${field.min} ${field.exclusiveMin ? 'and at most' : 'to'} ${field.max}`;
    }
    case 'enum':
      return field.options.includes(value as string | number) ? null : `one of ${field.options.join(', ')}`;
    case 'list':
      return Array.isArray(value) ? null : 'a list';
    case 'bool':
      return typeof value === 'boolean' ? null : 'true or false';
  }
}

/** Problems per setting; empty when every value is acceptable. */
export function validateSettings(s: Settings): Partial<Record<keyof Settings, string>> {
  const errors: Partial<Record<keyof Settings, string>> = {};
  for (const field of SETTINGS_SCHEMA) {
    const problem = fieldError(field, s[field.key]);
    if (problem) errors[field.key] = `must be ${problem}`;
  }
  if (!errors.valFraction && !errors.testFraction && s.valFraction + s.testFraction >= 0.9) {
    errors.testFraction = 'validation + test must leave at least 10% for training';
  }
  return errors;
}

/** The settings that differ from the defaults, as a URL hash. */
export function settingsToHash(s: Settings): string {
  const params = new URLSearchParams();
  for (const { key } of SETTINGS_SCHEMA) {
    const value = s[key];
    const fallback = DEFAULT_SETTINGS[key];
    const text = Array.isArray(value) ? value.join(',') : String(value);
    const defaultText = Array.isArray(fallback) ? fallback.join(',') : String(fallback);
    if (text !== defaultText) params.set(key, text);
  }
  const query = params.toString();
  return query === '' ? '' : `#${query}`;
}

/** Reads settings from a URL hash; unknown keys and invalid values are ignored (the default stays). */
export function settingsFromHash(hash: string): Settings {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const out: Settings = { ...DEFAULT_SETTINGS, models: [...DEFAULT_SETTINGS.models] };
  for (const field of SETTINGS_SCHEMA) {
    const raw = params.get(field.key);
    if (raw == null) continue;
    let value: unknown = raw;
    if (field.kind === 'int' || field.kind === 'float') value = Number(raw);
    else if (field.kind === 'enum' && typeof field.options[0] === 'number') value = Number(raw);
    else if (field.kind === 'list') value = raw.split(',').map((s) => s.trim()).filter(Boolean);
    else if (field.kind === 'bool') value = raw === 'true' ? true : raw === 'false' ? false : raw;
    if (fieldError(field, value) == null) (out as unknown as Record<string, unknown>)[field.key] = value;
  }
  return out;
}
