import { describe, expect, it } from 'vitest';
import { patientSplit, stratifiedSubset, type SplitItem } from '../../src/lab/data/split';
import { createRng } from '../../src/lab/util/rng';

/** A Kermany-like population: 1 to 4 images per patient, about 26% NORMAL, in a scrambled file order. */
function population(seed: number): SplitItem[] {
  const rng = createRng(seed);
  const items: SplitItem[] = [];
  for (let p = 0; p < 900; p++) {
    const label = rng.next() < 0.26 ? 0 : 1;
    const n = 1 + rng.int(4);
    for (let i = 0; i < n; i++) items.push({ label, patient: `${label === 0 ? 'IM-' : 'person'}${p}` });
  }
  return items;
}

const share = (items: SplitItem[], positions: number[]): number =>
  positions.filter((p) => items[p].label === 0).length / positions.length;

describe('patientSplit', () => {
  const items = population(3);
  const split = patientSplit(items, { val: 0.1, test: 0.2 }, 42);

  it('uses every image exactly once', () => {
    const all = [...split.train, ...split.val, ...split.test].sort((a, b) => a - b);
    expect(all).toEqual(items.map((_, i) => i));
  });

  it('never puts a patient in two splits', () => {
    const home = new Map<string, string>();
    for (const name of ['train', 'val', 'test'] as const) {
      for (const p of split[name]) {
        const seen = home.get(items[p].patient);
        expect(seen === undefined || seen === name).toBe(true);
        home.set(items[p].patient, name);
      }
    }
  });

  it('hits the target sizes and keeps class proportions', () => {
    const n = items.length;
    expect(split.val.length / n).toBeCloseTo(0.1, 2);
    expect(split.test.length / n).toBeCloseTo(0.2, 2);
    const overall = share(
      items,
      items.map((_, i) => i),
    );
    for (const part of [split.train, split.val, split.test])
      expect(Math.abs(share(items, part) - overall)).toBeLessThan(0.01);
  });

  it('is deterministic by seed and independent of the input order', () => {
    expect(patientSplit(items, { val: 0.1, test: 0.2 }, 42)).toEqual(split);
    expect(patientSplit(items, { val: 0.1, test: 0.2 }, 43)).not.toEqual(split);
    // Reversed input: same patients end up in the same splits.
    const reversed = [...items].reverse();
    const again = patientSplit(reversed, { val: 0.1, test: 0.2 }, 42);
    const valPatients = (s: number[], list: SplitItem[]) => new Set(s.map((p) => list[p].patient));
    expect(valPatients(again.val, reversed)).toEqual(valPatients(split.val, items));
  });

  it('allows empty held-out splits and rejects fractions that leave no training data', () => {
    const none = patientSplit(items, { val: 0, test: 0 }, 1);
    expect(none.train).toHaveLength(items.length);
    expect(() => patientSplit(items, { val: 0.5, test: 0.5 }, 1)).toThrow(RangeError);
    expect(() => patientSplit(items, { val: -0.1, test: 0 }, 1)).toThrow(RangeError);
  });
});

describe('stratifiedSubset', () => {
  const labels = Int32Array.from({ length: 1000 }, (_, i) => (i % 4 === 0 ? 0 : 1)); // 250 / 750

  it('keeps class proportions and picks distinct positions', () => {
    const pick = stratifiedSubset(labels, 100, 7);
    expect(pick).toHaveLength(100);
    expect(new Set(pick).size).toBe(100);
    expect(pick.filter((p) => labels[p] === 0)).toHaveLength(25);
    expect([...pick].sort((a, b) => a - b)).toEqual(pick);
  });

  it('is seeded', () => {
    expect(stratifiedSubset(labels, 50, 7)).toEqual(stratifiedSubset(labels, 50, 7));
    expect(stratifiedSubset(labels, 50, 7)).not.toEqual(stratifiedSubset(labels, 50, 8));
  });

  it('keeps a rare class present and returns everything when n is large', () => {
    const rare = Int32Array.from({ length: 200 }, (_, i) => (i === 5 ? 0 : 1));
    expect(stratifiedSubset(rare, 10, 1)).toContain(5);
    expect(stratifiedSubset(labels, 5000, 1)).toHaveLength(1000);
    expect(stratifiedSubset(labels, 0, 1)).toEqual([]);
  });
});
