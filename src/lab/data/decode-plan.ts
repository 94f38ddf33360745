/**
 * What to decode, decided before decoding: the estimate of everything listed against the data budget
 * (decode-estimate.ts) and, when a budget subset is asked for (`--subset N`, the worker's `subset`), which images
 * it keeps and whether they fit. The CLI and the worker both plan here, then load only the chosen paths.
 */
import { budgetSubset, type SubsetEntry } from './budget-subset';
import {
  countInventory,
  estimateDecode,
  formatCount,
  type DecodeEstimate,
  type EstimateInput,
  type InventoryCounts,
} from './decode-estimate';
import type { Layout } from './layout';
import { formatBytes, storeBytes } from './memory';
import { entriesToLoad, type IngestOptions } from './pipeline';

export interface DecodePlanInput extends EstimateInput {
  /** A budget subset of about this many images; 0 or absent: every image. */
  readonly subset?: number;
}

/** The subset asked for. */
export interface ChosenSubset {
  /** Positions in the planned entries, ascending. */
  readonly positions: number[];
  readonly counts: InventoryCounts;
  readonly decodedBytes: number;
  readonly fits: boolean;
  /** Its counts in one line (classes, official splits, patients, bytes). */
  readonly line: string;
}

export interface DecodePlan {
  /** Of every listed image. */
  readonly estimate: DecodeEstimate;
  /** Null when no subset was asked for (or it would keep every image). */
  readonly chosen: ChosenSubset | null;
}

/** Estimates `input.entries` and, with `input.subset`, chooses the budget subset; see the module comment. */
export function planDecode(input: DecodePlanInput): DecodePlan {
  const estimate = estimateDecode(input);
  const request = input.subset ?? 0;
  if (request <= 0 || request >= input.entries.length) return { estimate, chosen: null };
  const positions = budgetSubset(input.entries, request, input.seed);
  const counts = countInventory(
    positions.map((i) => input.entries[i]),
    input.classNames.length,
  );
  const decodedBytes = storeBytes(counts.images, input.size, input.channels);
  return {
    estimate,
    chosen: {
      positions,
      counts,
      decodedBytes,
      fits: decodedBytes <= estimate.limitBytes,
      line: subsetLine(request, input.seed, counts, input.classNames, decodedBytes),
    },
  };
}

/** `subset 300 (seed 1): 297 images (NORMAL 150, PNEUMONIA 147; pool 240, test 57), 120 patients, each whole; 304 kB decoded`. */
function subsetLine(
  request: number,
  seed: number,
  counts: InventoryCounts,
  classNames: readonly string[],
  decodedBytes: number,
): string {
  const classes = classNames.map((name, c) => `${name} ${formatCount(counts.perClass[c])}`).join(', ');
  const splits = (['pool', 'train', 'val', 'test'] as const)
    .filter((s) => counts.perSplit[s] > 0)
    .map((s) => `${s} ${formatCount(counts.perSplit[s])}`)
    .join(', ');
  return (
    `subset ${request} (seed ${seed}): ${formatCount(counts.images)} images (${classes}; ${splits}), ` +
    `${formatCount(counts.patients)} patients, each whole; ${formatBytes(decodedBytes)} decoded`
  );
}

/** One source to load: its layout and the selection its `ingest` call will get. */
export interface PlanPart {
  readonly layout: Layout;
  readonly select: Pick<IngestOptions, 'onlySplits' | 'limit' | 'allAs' | 'split'>;
}

export interface LoadPlan extends DecodePlan {
  /** Per part, the paths to give its `ingest` call as `only`; undefined: every image its selection holds. */
  readonly only: (ReadonlySet<string> | undefined)[];
}

/**
 * The plan over one or more sources decoded for one run (the CLI's --data and --test): estimated and subset
 * together, since their images share one budget. A part loaded `allAs` a split counts as that official split.
 */
export function planLoad(parts: readonly PlanPart[], common: Omit<DecodePlanInput, 'entries'>): LoadPlan {
  const selected = parts.map((part) => entriesToLoad(part.layout, part.select));
  // Paths of later parts get a folder of their own, so equal relative paths in two sources stay two images.
  const entries: SubsetEntry[] = selected.flatMap((list, k) =>
    list.map((e) => {
      const split = parts[k].select.allAs ?? e.split;
      return { path: k === 0 ? e.path : `~part${k}/${e.path}`, label: e.label, split, patient: e.patient };
    }),
  );
  const plan = planDecode({ ...common, entries });
  if (!plan.chosen) return { ...plan, only: parts.map(() => undefined) };
  const starts = selected.map((_, k) => selected.slice(0, k).reduce((n, list) => n + list.length, 0));
  const only = selected.map(() => new Set<string>());
  for (const position of plan.chosen.positions) {
    let k = selected.length - 1;
    while (starts[k] > position) k--;
    only[k].add(selected[k][position - starts[k]].path);
  }
  return { ...plan, only };
}
