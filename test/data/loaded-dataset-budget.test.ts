/**
 * The data budget before decoding: the subset that keeps every class, whole patients and the official splits, the
 * estimate of the decoded bytes against a budget, and the plan over two sources (the CLI's --data and --test).
 */
import { describe, expect, it } from 'vitest';
import { budgetSubset, largestSubsetWithin, type SubsetEntry } from '../../src/lab/data/budget-subset';
import { countInventory, estimateDecode } from '../../src/lab/data/decode-estimate';
import { planDecode, planLoad } from '../../src/lab/data/decode-plan';
import type { Layout, LayoutEntry, SplitName } from '../../src/lab/data/layout';
import { patientId } from '../../src/lab/data/patient-id';

/**
 * Kermany-like listed images: NORMAL patients `IM-<n>` with 1–3 images, PNEUMONIA patients `person<n>` with 1–5,
 * and a third, rare class; patients dealt into train/ and test/ folders (or none) by number.
 */
function kermanyLike(options: { splits?: boolean; patients?: number; first?: number } = {}): LayoutEntry[] {
  const first = options.first ?? 1;
  const patients = first - 1 + (options.patients ?? 60);
  const entries: LayoutEntry[] = [];
  const split = (p: number): SplitName | undefined => (options.splits ? (p % 5 === 0 ? 'test' : 'train') : undefined);
  for (let p = first; p <= patients; p++) {
    for (let j = 1; j <= 1 + (p % 3); j++)
      entries.push(entry(`NORMAL/IM-${String(p).padStart(4, '0')}-000${j}.jpeg`, 'NORMAL', 0, split(p)));
    for (let j = 1; j <= 1 + (p % 5); j++)
      entries.push(entry(`PNEUMONIA/person${p}_bacteria_${j}.jpeg`, 'PNEUMONIA', 1, split(p)));
  }
  for (let p = first; p < first + 3; p++) entries.push(entry(`RARE/rare-${p}.jpeg`, 'RARE', 2, split(p * 5)));
  return entries.sort((a, b) => (a.path < b.path ? -1 : 1));
}

function entry(path: string, className: string, label: number, split?: SplitName): LayoutEntry {
  return split ? { path, className, label, split } : { path, className, label };
}

const CLASSES = ['NORMAL', 'PNEUMONIA', 'RARE'];

function layoutOf(entries: LayoutEntry[]): Layout {
  return {
    classNames: CLASSES,
    entries,
    skipped: [],
    hasSplits: entries.some((e) => e.split),
    prefix: '',
    nestedCopy: '',
  };
}

/** Patients that are in `chosen` only in part. */
function brokenPatients(entries: readonly SubsetEntry[], chosen: readonly number[]): string[] {
  const taken = new Set(chosen);
  const byPatient = new Map<string, boolean[]>();
  entries.forEach((e, i) => {
    const key = e.patient ?? patientId(e.path);
    byPatient.set(key, [...(byPatient.get(key) ?? []), taken.has(i)]);
  });
  return [...byPatient].filter(([, t]) => t.some(Boolean) && !t.every(Boolean)).map(([k]) => k);
}

describe('the budget subset', () => {
  const entries = kermanyLike({ splits: true });

  it('keeps every class, takes patients whole and keeps each official split in proportion', () => {
    const n = Math.round(entries.length / 4);
    const chosen = budgetSubset(entries, n, 7);
    expect(brokenPatients(entries, chosen)).toEqual([]);
    const counts = countInventory(
      chosen.map((i) => entries[i]),
      CLASSES.length,
    );
    expect(counts.perClass.every((c) => c > 0)).toBe(true);
    // Whole patients cost a few images either way: within a handful of the request, and never empty.
    expect(Math.abs(chosen.length - n)).toBeLessThanOrEqual(5);
    const all = countInventory(entries, CLASSES.length);
    const share = (c: typeof all, s: 'train' | 'test') => c.perSplit[s] / c.images;
    expect(share(counts, 'test')).toBeCloseTo(share(all, 'test'), 1);
    expect(counts.perSplit.test).toBeGreaterThan(0);
    expect(counts.perSplit.pool + counts.perSplit.val).toBe(0);
    // Official splits are kept: each chosen image still has its own split.
    for (const i of chosen) expect(entries[i].split).toBe(entries[i].split === 'test' ? 'test' : 'train');
  });

  it('is the same for the same seed, whatever order the files were listed in, and another for another seed', () => {
    const n = 60;
    const a = budgetSubset(entries, n, 3).map((i) => entries[i].path);
    const reversed = [...entries].reverse();
    const b = budgetSubset(reversed, n, 3).map((i) => reversed[i].path);
    expect(new Set(b)).toEqual(new Set(a));
    const c = budgetSubset(entries, n, 4).map((i) => entries[i].path);
    expect(new Set(c)).not.toEqual(new Set(a));
  });

  it("keeps a table's patients whole (its keys, not the file names)", () => {
    const tabled: SubsetEntry[] = Array.from({ length: 90 }, (_, i) => ({
      path: `images/${String(i).padStart(5, '0')}.png`,
      label: i % 2,
      patient: `key-${Math.floor(i / 6)}`,
    }));
    const chosen = budgetSubset(tabled, 30, 1);
    expect(brokenPatients(tabled, chosen)).toEqual([]);
    expect(chosen.length % 6).toBe(0);
    expect(chosen.length).toBeLessThanOrEqual(30);
  });

  it('keeps every image when asked for as many or more, and refuses a negative size', () => {
    expect(budgetSubset(entries, entries.length, 1)).toHaveLength(entries.length);
    expect(() => budgetSubset(entries, -1, 1)).toThrow(RangeError);
  });

  it('largestSubsetWithin stays within the limit, and gives up when not one image per class fits', () => {
    for (const max of [3, 10, 41, 97]) {
      const found = largestSubsetWithin(entries, max, 2)!;
      expect(found.positions.length).toBeLessThanOrEqual(max);
      expect(found.positions).toEqual(budgetSubset(entries, found.request, 2));
      expect(new Set(found.positions.map((i) => entries[i].label)).size).toBe(3);
    }
    expect(largestSubsetWithin(entries, 2, 2)).toBeNull();
  });
});

describe('the decode estimate', () => {
  const entries = kermanyLike();

  it('counts size² × channels bytes per image and says it fits when it does', () => {
    const bytes = entries.length * 64 * 64 * 3;
    const e = estimateDecode({
      entries,
      classNames: CLASSES,
      size: 64,
      channels: 3,
      budget: { bytes, name: 'memory budget' },
      seed: 1,
    });
    expect(e.decodedBytes).toBe(bytes);
    expect(e.fits).toBe(true);
    expect(e.subset).toBeNull();
    expect(e.all.images).toBe(entries.length);
    expect(e.all.perClass.reduce((a, b) => a + b)).toBe(entries.length);
    expect(e.all.patients).toBe(60 + 60 + 3);
    expect(e.line).toMatch(
      new RegExp(`^${entries.length} images at 64×64×3 need 3.72 MB decoded; memory budget 3.72 MB: fits$`),
    );
  });

  it('over the budget, offers the largest subset that fits, a smaller size and grey', () => {
    const perImage = 128 * 128 * 3;
    const budget = { bytes: perImage * 100, name: 'dataset budget', note: 'set on the page' };
    const e = estimateDecode({ entries, classNames: CLASSES, size: 128, channels: 3, budget, seed: 5 });
    expect(e.fits).toBe(false);
    expect(e.subset!.images).toBeLessThanOrEqual(100);
    expect(e.subset!.images).toBeGreaterThan(90);
    expect(e.subset!.decodedBytes).toBe(e.subset!.images * perImage);
    expect(e.subset!.perClass.every((c) => c > 0)).toBe(true);
    expect(budgetSubset(entries, e.subset!.request, 5)).toHaveLength(e.subset!.images);
    // 100 images' worth at 128² RGB holds every image at 64² RGB or 128² grey only if they are few enough.
    expect(e.smallerSize).toBe(entries.length * 64 * 64 * 3 <= budget.bytes ? 64 : e.smallerSize);
    expect(e.greyFits).toBe(entries.length * 128 * 128 <= budget.bytes);
    expect(e.line).toContain('dataset budget 4.92 MB (set on the page): over it by');
    expect(e.line).toContain(`a subset of ${e.subset!.images} images fits`);
  });

  it('holds counts only: no file name or patient reaches the estimate', () => {
    const e = estimateDecode({
      entries,
      classNames: CLASSES,
      size: 128,
      channels: 1,
      budget: { bytes: 1e5, name: 'memory budget' },
      seed: 1,
    });
    const text = JSON.stringify(e);
    expect(text).not.toMatch(/person|IM-|\.jpeg/);
  });

  it('caps a budget above one buffer at what one buffer holds, and says so', () => {
    const e = estimateDecode({
      entries,
      classNames: CLASSES,
      size: 16,
      channels: 1,
      budget: { bytes: 1e12, name: 'memory budget' },
      seed: 1,
    });
    expect(e.limitBytes).toBe(2 ** 32 - 1);
    expect(e.line).toContain('one buffer holds at most 4.29 GB');
  });
});

describe('the decode plan', () => {
  it('takes the asked subset and says whether it fits', () => {
    const entries = kermanyLike({ splits: true });
    const common = { classNames: CLASSES, size: 32, channels: 1 as const, seed: 9 };
    const plan = planDecode({ ...common, entries, budget: { bytes: 50 * 32 * 32, name: 'memory budget' }, subset: 40 });
    expect(plan.chosen!.positions).toEqual(budgetSubset(entries, 40, 9));
    expect(plan.chosen!.fits).toBe(true);
    expect(plan.chosen!.line).toMatch(
      /^subset 40 \(seed 9\): \d+ images \(NORMAL \d+, PNEUMONIA \d+, RARE \d+; train \d+, test \d+\), \d+ patients, each whole/,
    );
    const tooMany = planDecode({
      ...common,
      entries,
      budget: { bytes: 10 * 32 * 32, name: 'memory budget' },
      subset: 40,
    });
    expect(tooMany.chosen!.fits).toBe(false);
    expect(planDecode({ ...common, entries, budget: { bytes: 1e9, name: 'b' } }).chosen).toBeNull();
  });

  it('over --data and --test: one budget, the test source counted as the test split, paths given back per source', () => {
    const data = kermanyLike();
    const test = kermanyLike({ patients: 20, first: 100 });
    const plan = planLoad(
      [
        { layout: layoutOf(data), select: {} },
        { layout: layoutOf(test), select: { allAs: 'test', onlySplits: ['test'] } },
      ],
      { classNames: CLASSES, size: 16, channels: 1, seed: 1, budget: { bytes: 1e9, name: 'b' }, subset: 80 },
    );
    expect(plan.estimate.all.images).toBe(data.length + test.length);
    expect(plan.estimate.all.perSplit).toMatchObject({ pool: data.length, test: test.length });
    const [fromData, fromTest] = plan.only;
    expect(fromData!.size + fromTest!.size).toBe(plan.chosen!.counts.images);
    expect([...fromData!].every((p) => data.some((e) => e.path === p))).toBe(true);
    expect([...fromTest!].every((p) => test.some((e) => e.path === p))).toBe(true);
    // The test source keeps its share of the subset.
    expect(fromTest!.size / plan.chosen!.counts.images).toBeCloseTo(test.length / (data.length + test.length), 1);
  });

  it('estimates what --limit leaves, as ingest would load it', () => {
    const entries = kermanyLike({ splits: true });
    const plan = planLoad([{ layout: layoutOf(entries), select: { limit: 50, split: { seed: 2 } } }], {
      classNames: CLASSES,
      size: 16,
      channels: 1,
      seed: 2,
      budget: { bytes: 1e9, name: 'b' },
    });
    const tests = entries.filter((e) => e.split === 'test').length;
    expect(plan.estimate.all.images).toBe(50 + tests);
    expect(plan.only).toEqual([undefined]);
  });
});
