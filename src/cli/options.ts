import { CliError } from './cli-error';

/** Parses a number option in [min, max] (exclusive bounds when `exclusive`). */
export function floatOption(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
  exclusive = false,
): number {
  if (raw == null) return fallback;
  const value = Number(raw);
  const inRange = exclusive ? value > min && value < max : value >= min && value <= max;
  if (raw.trim() === '' || !Number.isFinite(value) || !inRange) {
    throw new CliError(
      `--${name} must be a number ${exclusive ? 'strictly ' : ''}between ${min} and ${max} (got "${raw}")`,
    );
  }
  return value;
}

/** Parses a whole-number option in [min, max]; undefined when not given. */
export function wholeNumberOption(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw == null) return undefined;
  const value = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new CliError(`--${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}
