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
