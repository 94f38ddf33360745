/**
 * Number formatting shared by every report, so the Markdown file, the terminal table and the page show a value
 * the same way. Missing values (null) render as an em dash rather than "0" or "NaN".
 */

/** Shown for a value that does not exist (an undefined ratio, an unmeasured time). */
export const MISSING = '—';

/** A ratio in [0, 1] with `digits` decimals (default 3): 0.8349 → "0.835". */
export function formatRatio(x: number | null | undefined, digits = 3): string {
  return isNumber(x) ? x.toFixed(digits) : MISSING;
}

/**
 * An integer with thousands separators: 21806882 → "21,806,882". Written out rather than toLocaleString so the
 * output is identical whatever locale the browser or Node runs in.
 */
export function formatInteger(n: number | null | undefined): string {
  if (!isNumber(n)) return MISSING;
  const digits = Math.round(Math.abs(n)).toString();
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${grouped}` : grouped;
}

/** A byte count in binary units: 900 → "900 B", 2560 → "2.5 KiB", 88_803_328 → "84.69 MiB". */
export function formatBytes(bytes: number | null | undefined): string {
  if (!isNumber(bytes)) return MISSING;
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(2)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** Milliseconds as a readable duration: 4210 → "4.2 s", 725_000 → "12 min 05 s", 3_900_000 → "1 h 05 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (!isNumber(ms)) return MISSING;
  const seconds = ms / 1000;
  if (seconds < 59.95) return `${seconds.toFixed(1)} s`;
  const totalSeconds = Math.round(seconds);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)} min ${pad2(totalSeconds % 60)} s`;
  const totalMinutes = Math.round(seconds / 60);
  return `${Math.floor(totalMinutes / 60)} h ${pad2(totalMinutes % 60)} min`;
}

/** A plain number with fixed decimals (seconds per epoch, ms per image): (64.33, 1) → "64.3". */
export function formatFixed(x: number | null | undefined, digits: number): string {
  return isNumber(x) ? x.toFixed(digits) : MISSING;
}

/** A ratio with its interval: "0.912 (0.880–0.940)"; just the ratio when there is no interval. */
export function formatWithInterval(
  x: number | null | undefined,
  interval: { readonly low: number; readonly high: number } | null | undefined,
  digits = 3,
): string {
  const point = formatRatio(x, digits);
  if (!isNumber(x) || !interval) return point;
  return `${point} (${interval.low.toFixed(digits)}–${interval.high.toFixed(digits)})`;
}

function isNumber(x: number | null | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

function pad2(n: number): string {
  return n.toString().padStart(2, '0');
}
