import { createRng, shuffleInPlace, type Rng } from '../util/rng';

/** Shares of the images held out for validation and test; training gets the rest. */
export interface SplitFractions {
  readonly val: number;
  readonly test: number;
}

/** What the split needs to know of one image. */
export interface SplitItem {
  readonly label: number;
  readonly patient: string;
}

/** Positions (indices into the input) of the images in each split, ascending. */
export interface SplitResult {
  readonly train: number[];
  readonly val: number[];
  readonly test: number[];
}

function checkFractions({ val, test }: SplitFractions): void {
  const ok = (f: number): boolean => Number.isFinite(f) && f >= 0 && f < 1;
  if (!ok(val) || !ok(test) || val + test >= 1) {
    throw new RangeError(`split fractions must be ≥ 0 and leave some training data (got val ${val}, test ${test})`);
  }
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Seeded, patient-level, stratified split. Whole patients are dealt out class by class, in a seeded random order,
 * each to the split furthest below its target image count for that class, so no patient appears in two splits and
 * every split keeps roughly the class proportions of the whole. A patient with images in several classes (not the
 * case in Kermany's data) is dealt with the class most of its images carry.
 */
export function patientSplit(items: readonly SplitItem[], fractions: SplitFractions, seed: number): SplitResult {
  checkFractions(fractions);
  const byPatient = new Map<string, number[]>();
  items.forEach((item, i) => {
    const list = byPatient.get(item.patient);
    if (list) list.push(i);
    else byPatient.set(item.patient, [i]);
  });

  const byClass = new Map<number, string[]>();
  for (const [patient, positions] of byPatient) {
    const label = majorityLabel(positions.map((p) => items[p].label));
    const list = byClass.get(label);
    if (list) list.push(patient);
    else byClass.set(label, [patient]);
  }

  const rng = createRng(seed);
  const shares = [1 - fractions.val - fractions.test, fractions.val, fractions.test];
  const out: number[][] = [[], [], []];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    // Sort before shuffling so the result depends on the seed only, not on the order the files were listed in.
    const patients = shuffleInPlace((byClass.get(label) as string[]).sort(byString), rng) as string[];
    const total = patients.reduce((n, p) => n + (byPatient.get(p) as number[]).length, 0);
    const targets = shares.map((s) => s * total);
    const counts = [0, 0, 0];
    for (const patient of patients) {
      const positions = byPatient.get(patient) as number[];
      let best = 0;
      for (let s = 1; s < 3; s++) if (targets[s] - counts[s] > targets[best] - counts[best]) best = s;
      counts[best] += positions.length;
      out[best].push(...positions);
    }
  }
  const [train, val, test] = out.map((list) => list.sort((a, b) => a - b));
  return { train, val, test };
}

/** The label most of `labels` carry; the lowest on a tie. */
export function majorityLabel(labels: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  let best = labels[0];
  for (const [label, n] of counts) {
    const bestN = counts.get(best) as number;
    if (n > bestN || (n === bestN && label < best)) best = label;
  }
  return best;
}

/**
 * `n` positions drawn without replacement, seeded, with each class's share kept (largest-remainder rounding; every
 * class present gets at least one image when `n` allows). For `--limit N`. Returns positions ascending; all
 * positions when `n` ≥ the number of labels.
 */
export function stratifiedSubset(labels: ArrayLike<number>, n: number, seed: number): number[] {
  const total = labels.length;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`subset size must be a whole number ≥ 0 (got ${n})`);
  if (n >= total) return Array.from({ length: total }, (_, i) => i);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < total; i++) {
    const list = byClass.get(labels[i]);
    if (list) list.push(i);
    else byClass.set(labels[i], [i]);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const quotas = proportionalQuotas(
    classes.map((c) => (byClass.get(c) as number[]).length),
    n,
  );
  const rng: Rng = createRng(seed);
  const picked: number[] = [];
  classes.forEach((c, k) => {
    const positions = shuffleInPlace(byClass.get(c) as number[], rng) as number[];
    picked.push(...positions.slice(0, quotas[k]));
  });
  return picked.sort((a, b) => a - b);
}

/** Splits `n` over groups of the given sizes in proportion (largest remainder), at least 1 each when n allows. */
export function proportionalQuotas(sizes: number[], n: number): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  const exact = sizes.map((s) => (s * n) / total);
  const quotas = exact.map(Math.floor);
  const order = sizes.map((_, i) => i).sort((a, b) => exact[b] - quotas[b] - (exact[a] - quotas[a]) || a - b);
  for (let left = n - quotas.reduce((a, b) => a + b, 0), k = 0; left > 0; left--, k++) quotas[order[k]]++;
  if (n >= sizes.length) {
    // A rare class may round to zero: take one image from the largest quota instead.
    for (let i = 0; i < sizes.length; i++) {
      if (quotas[i] > 0) continue;
      const donor = quotas.indexOf(Math.max(...quotas));
      quotas[donor]--;
      quotas[i]++;
    }
  }
  return quotas;
}
