import { CliError } from './cli-error';

/** Parses a whole number option and checks its range; the message names the option. */
export function intOption(name: string, raw: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw == null) return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) throw new CliError(`--${name} must be a whole number (got "${raw}")`);
  if (value < min || value > max) {
    throw new CliError(`--${name} must be ${max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`} (got ${value})`);
  }
  return value;
}

/** Parses a number option in [min, max] (exclusive bounds when `exclusive`). */
export function floatOption(name: string, raw: string | undefined, fallback: number, min: number, max: number, exclusive = false): number {
  if (raw == null) return fallback;
  const value = Number(raw);
  const inRange = exclusive ? value > min && value < max : value >= min && value <= max;
  if (raw.trim() === '' || !Number.isFinite(value) || !inRange) {
    throw new CliError(`--${name} must be a number ${exclusive ? 'strictly ' : ''}between ${min} and ${max} (got "${raw}")`);
  }
  return value;
}

/** 1 or 3 image channels. */
export function channelsOption(raw: string | undefined, fallback: 1 | 3): 1 | 3 {
  if (raw == null) return fallback;
  if (raw !== '1' && raw !== '3') throw new CliError(`--channels must be 1 (grey) or 3 (RGB) (got "${raw}")`);
  return Number(raw) as 1 | 3;
}
