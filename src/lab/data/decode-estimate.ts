/**
 * Before any pixel is decoded: how many bytes the decoded images will take at the chosen input size and channels,
 * whether that fits the data budget (the CLI's memory budget, the page's dataset budget), and — when it does not —
 * the largest budget subset that does (budget-subset.ts), a smaller size that would, and whether grey would. From
 * the listed files alone (counts per class, official split and patient), so the answer comes in seconds even for
 * NIH-sized sets. Framework-free; counts only, no file names, so the estimate can be shown and sent anywhere.
 */
import { largestSubsetWithin, type SubsetEntry } from './budget-subset';
import type { SplitName } from './layout';
import { formatBytes, MAX_STORE_BYTES, storeBytes, suggestSize } from './memory';
import { splitGroupKeys } from './split-groups';

/** What the decoded images may take, and what to call that budget in a message. */
export interface DataBudget {
  readonly bytes: number;
  /** `memory budget`, `dataset budget`: how the line names it. */
  readonly name: string;
  /** Where it comes from, shown after it in brackets (`a quarter of this machine's 16 GB`). */
  readonly note?: string;
}

/** Counts of a set of listed images. */
export interface InventoryCounts {
  readonly images: number;
  /** In label order. */
  readonly perClass: number[];
  /** Images per official split; `pool` counts those without one (dealt into train / val / test later). */
  readonly perSplit: Record<SplitName | 'pool', number>;
  readonly patients: number;
}

/** The budget subset: its counts, the request that selects it (`--subset N`, the worker's `subset`), its bytes. */
export interface SubsetEstimate extends InventoryCounts {
  readonly request: number;
  readonly decodedBytes: number;
}

export interface DecodeEstimate {
  readonly size: number;
  readonly channels: 1 | 3;
  readonly classNames: readonly string[];
  /** Every image that would be decoded. */
  readonly all: InventoryCounts;
  readonly decodedBytes: number;
  readonly budget: DataBudget;
  /** The budget as applied: never above what one buffer can hold. */
  readonly limitBytes: number;
  readonly fits: boolean;
  /** When it does not fit: the largest budget subset that does; null when it fits or no subset can. */
  readonly subset: SubsetEstimate | null;
  /** When it does not fit: the largest common input size below `size` at which every image fits, or null. */
  readonly smallerSize: number | null;
  /** When it does not fit with 3 channels: whether 1 (grey) would. */
  readonly greyFits: boolean;
  /** The estimate in one line, for the CLI's stderr and the page. */
  readonly line: string;
}

export interface EstimateInput {
  /** The images that would be decoded (after any `--limit`). */
  readonly entries: readonly SubsetEntry[];
  readonly classNames: readonly string[];
  readonly size: number;
  readonly channels: 1 | 3;
  readonly budget: DataBudget;
  /** Seeds the subset (the split's seed). */
  readonly seed: number;
}

/** Counts per class, official split and patient (a table's keys, else the file names') of `entries`. */
export function countInventory(entries: readonly SubsetEntry[], classCount: number): InventoryCounts {
  const perClass = new Array<number>(classCount).fill(0);
  const perSplit: Record<SplitName | 'pool', number> = { train: 0, val: 0, test: 0, pool: 0 };
  for (const e of entries) {
    perClass[e.label]++;
    perSplit[e.split ?? 'pool']++;
  }
  const patients = new Set(
    splitGroupKeys(
      entries.map((e) => e.path),
      [],
      entries.map((e) => e.patient),
    ),
  ).size;
  return { images: entries.length, perClass, perSplit, patients };
}

/** The estimate of decoding `entries` at size × size × channels against the budget; see the module comment. */
export function estimateDecode(input: EstimateInput): DecodeEstimate {
  const { entries, classNames, size, channels, budget, seed } = input;
  const all = countInventory(entries, classNames.length);
  const decodedBytes = storeBytes(entries.length, size, channels);
  const limitBytes = Math.max(0, Math.min(budget.bytes, MAX_STORE_BYTES));
  const fits = decodedBytes <= limitBytes;
  let subset: SubsetEstimate | null = null;
  let smallerSize: number | null = null;
  let greyFits = false;
  if (!fits) {
    const largest = largestSubsetWithin(entries, limitBytes / storeBytes(1, size, channels), seed);
    if (largest) {
      const counts = countInventory(
        largest.positions.map((i) => entries[i]),
        classNames.length,
      );
      subset = { ...counts, request: largest.request, decodedBytes: storeBytes(counts.images, size, channels) };
    }
    smallerSize = suggestSize(entries.length, size, channels, limitBytes);
    greyFits = channels === 3 && storeBytes(entries.length, size, 1) <= limitBytes;
  }
  const base = {
    size,
    channels,
    classNames,
    all,
    decodedBytes,
    budget,
    limitBytes,
    fits,
    subset,
    smallerSize,
    greyFits,
  };
  return { ...base, line: estimateLine(base) };
}

/** A count with thousands separators, as every data-budget line writes it. */
export const formatCount = (n: number): string => n.toLocaleString('en-US');

/**
 * `5,216 images at 224×224×3 need 785 MB decoded; memory budget 500 MB: over by 285 MB; a subset of 3,180 images
 * fits (…)`. Says what fits in words; each surface adds how to ask for it (a flag, a button).
 */
function estimateLine(e: Omit<DecodeEstimate, 'line'>): string {
  const notes = [
    ...(e.budget.note ? [e.budget.note] : []),
    ...(e.budget.bytes > e.limitBytes ? [`one buffer holds at most ${formatBytes(e.limitBytes)}`] : []),
  ];
  const head =
    `${formatCount(e.all.images)} images at ${e.size}×${e.size}×${e.channels} need ${formatBytes(e.decodedBytes)} decoded; ` +
    `${e.budget.name} ${formatBytes(e.budget.bytes)}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
  if (e.fits) return `${head}: fits`;
  const ways: string[] = [];
  if (e.subset)
    ways.push(
      `a subset of ${formatCount(e.subset.images)} images fits (${formatBytes(e.subset.decodedBytes)}; every class, whole patients, official splits kept)`,
    );
  if (e.smallerSize !== null) ways.push(`all of them fit at ${e.smallerSize}×${e.smallerSize}`);
  if (e.greyFits) ways.push('all of them fit in 1 channel (grey)');
  if (ways.length === 0) ways.push('not even one image per class fits');
  return `${head}: over it by ${formatBytes(e.decodedBytes - e.limitBytes)}; ${ways.join('; ')}`;
}
