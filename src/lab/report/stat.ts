/**
 * One metric over repeated runs (seeds): mean, sample standard deviation, minimum and maximum. Framework-free.
 */

/** A metric over the runs that have it. `sd` is the sample standard deviation (n − 1), null for fewer than 2. */
export interface Stat {
  readonly n: number;
  readonly mean: number;
  readonly sd: number | null;
  readonly min: number;
  readonly max: number;
}

/** Mean, sample sd, min and max of the finite values, or null when there are none. */
export function stat(values: readonly (number | null | undefined)[]): Stat | null {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (xs.length === 0) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length < 2 ? null : Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
  return { n: xs.length, mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
}
