/**
 * The subset offered when a dataset's decoded images would not fit the data budget. Unlike `--limit` (a class-
 * stratified draw from the pool, image by image, the test folder kept whole), it shrinks every part alike: each
 * (official split, class) stratum keeps its share, every class keeps at least one image, and a patient's images are
 * taken all or none — so the split that follows still keeps patients on one side, and the official test set stays
 * the official test set, only smaller. Chosen from the listed files alone (before anything is decoded), seeded.
 */
import type { SplitName } from './layout';
import { createRng, shuffleInPlace } from '../util/rng';
import { majorityLabel, proportionalQuotas } from './split';
import { splitGroupKeys } from './split-groups';

/** What the subset needs to know of one listed image (a LayoutEntry has all of it). */
export interface SubsetEntry {
  readonly path: string;
  readonly label: number;
  /** The official split (a split folder, a table's list or column); absent: the pool, split later. */
  readonly split?: SplitName;
  /** A label table's patient key; absent: the patient read from the file name. */
  readonly patient?: string;
}

/** A patient's images: taken all or none. */
interface Unit {
  readonly members: number[];
  /** The stratum most of its images are in (the first such, in stratum order, on a tie). */
  readonly home: number;
}

const stratumName = (e: SubsetEntry): string => `${e.split ?? 'pool'}\u0000${e.label}`;

/**
 * Positions (ascending) of a seeded subset of about `n` of `entries`: each (official split, class) stratum gets its
 * share of `n` (largest remainder, at least one image each when `n` allows), filled with whole patients in a seeded
 * order — a patient too large for what is left of its stratum's share is passed over for a smaller one. Every class
 * first gets its smallest patient (so a class is never left out, even past `n` when `n` is that small); whatever
 * the shares leave unused is then filled with whole patients of any stratum, round-robin, up to `n`. All positions
 * when `n` ≥ the number of entries.
 */
export function budgetSubset(entries: readonly SubsetEntry[], n: number, seed: number): number[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`subset size must be a whole number ≥ 0 (got ${n})`);
  if (n >= entries.length) return entries.map((_, i) => i);

  const strataNames = [...new Set(entries.map(stratumName))].sort();
  const stratumOf = new Map(strataNames.map((name, s) => [name, s]));
  const stratumSizes = new Array<number>(strataNames.length).fill(0);
  for (const e of entries) stratumSizes[stratumOf.get(stratumName(e))!]++;
  const quotas = proportionalQuotas(stratumSizes, n);

  // Patients: a table's keys, else the file names' (the same keys the split uses).
  const keys = splitGroupKeys(
    entries.map((e) => e.path),
    [],
    entries.map((e) => e.patient),
  );
  const byPatient = new Map<string, number[]>();
  keys.forEach((key, i) => {
    const list = byPatient.get(key);
    if (list) list.push(i);
    else byPatient.set(key, [i]);
  });
  // Sorted by key before shuffling, so the subset depends on the seed and the files, not on the listing order.
  const patientKeys = [...byPatient.keys()].sort();
  const unitsOf: Unit[][] = strataNames.map(() => []);
  for (const key of patientKeys) {
    const members = byPatient.get(key)!;
    const unit = { members, home: majorityLabel(members.map((i) => stratumOf.get(stratumName(entries[i]))!)) };
    unitsOf[unit.home].push(unit);
  }
  const rng = createRng(seed);
  for (const units of unitsOf) shuffleInPlace(units, rng);

  const taken = new Set<Unit>();
  const inStratum = quotas.map(() => 0);
  let total = 0;
  const take = (unit: Unit): void => {
    taken.add(unit);
    inStratum[unit.home] += unit.members.length;
    total += unit.members.length;
  };
  // Every class first: its smallest patient (the first of the smallest in the seeded order), so no share's
  // rounding or large patients can leave a class out.
  const labelOf = strataNames.map((name) => Number(name.slice(name.indexOf('\u0000') + 1)));
  const smallest = new Map<number, Unit>();
  unitsOf.forEach((units, s) => {
    for (const unit of units) {
      const best = smallest.get(labelOf[s]);
      if (!best || unit.members.length < best.members.length) smallest.set(labelOf[s], unit);
    }
  });
  for (const label of [...smallest.keys()].sort((a, b) => a - b)) take(smallest.get(label)!);
  // Each stratum up to its share.
  unitsOf.forEach((units, s) => {
    for (const unit of units) {
      if (taken.has(unit) || inStratum[s] + unit.members.length > quotas[s] || total + unit.members.length > n)
        continue;
      take(unit);
    }
  });
  // What the shares left (patients too large for one) goes to whole patients of any stratum, one stratum at a time.
  const next = unitsOf.map(() => 0);
  for (let progress = true; progress && total < n;) {
    progress = false;
    unitsOf.forEach((units, s) => {
      // A patient passed over never fits later: what is left only shrinks.
      while (next[s] < units.length && (taken.has(units[next[s]]) || units[next[s]].members.length > n - total))
        next[s]++;
      if (next[s] < units.length) {
        take(units[next[s]++]);
        progress = true;
      }
    });
  }
  return [...taken].flatMap((u) => u.members).sort((a, b) => a - b);
}

/**
 * The largest subset whose image count stays within `maxImages`: the request `n` to give budgetSubset (or
 * `--subset`) and the positions it selects. Null when even one image of every class is over `maxImages`.
 */
export function largestSubsetWithin(
  entries: readonly SubsetEntry[],
  maxImages: number,
  seed: number,
): { readonly request: number; readonly positions: number[] } | null {
  const classes = new Set(entries.map((e) => e.label)).size;
  let n = Math.min(Math.floor(maxImages), entries.length);
  while (n >= classes) {
    const positions = budgetSubset(entries, n, seed);
    if (positions.length <= maxImages) return { request: n, positions };
    // Whole patients (or a class's smallest one) took it past the limit: ask for that much less.
    n -= positions.length - Math.floor(maxImages);
  }
  return null;
}
