import { describe, expect, it } from 'vitest';
import { rocAuc, rocCurve } from '../../src/lab/eval/roc';
import { createRng } from '../../src/lab/util/rng';

// Positives score 0.8, 0.6, 0.4; negatives 0.6, 0.4, 0.2 (two mixed ties).
const truth = [1, 1, 0, 1, 0, 0];
const scores = [0.8, 0.6, 0.6, 0.4, 0.4, 0.2];

/** Mann–Whitney by brute force over all pairs, ties 1/2: an independent O(n²) check. */
function pairwiseAuc(flags: number[], s: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < flags.length; i++) {
    if (flags[i] !== 1) continue;
    for (let j = 0; j < flags.length; j++) {
      if (flags[j] !== 0) continue;
      pairs++;
      wins += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

describe('rocCurve', () => {
  it('puts one point per distinct score, tied groups as one step', () => {
    const points = rocCurve(truth, scores);
    expect(points.map((p) => p.threshold)).toEqual([Number.POSITIVE_INFINITY, 0.8, 0.6, 0.4, 0.2]);
    const expected = [
      [0, 0],
      [0, 1 / 3], // 0.8: one positive
      [1 / 3, 2 / 3], // 0.6: a positive and a negative together (diagonal step)
      [2 / 3, 1], // 0.4: a positive and a negative together
      [1, 1], // 0.2: the last negative
    ];
    points.forEach((p, i) => {
      expect(p.fpr).toBeCloseTo(expected[i][0], 12);
      expect(p.tpr).toBeCloseTo(expected[i][1], 12);
    });
  });

  it('does not depend on input order', () => {
    const perm = [5, 2, 0, 4, 1, 3];
    expect(
      rocCurve(
        perm.map((i) => truth[i]),
        perm.map((i) => scores[i]),
      ),
    ).toEqual(rocCurve(truth, scores));
  });

  it('is empty when a class is missing', () => {
    expect(rocCurve([1, 1], [0.2, 0.4])).toEqual([]);
    expect(rocCurve([], [])).toEqual([]);
  });
});

describe('rocAuc', () => {
  it('matches the tied example worked by hand', () => {
    // Pairs won: 0.8 beats all 3 negatives (3); 0.6 ties 0.6 and beats 0.4, 0.2 (2.5); 0.4 ties 0.4, beats 0.2 (1.5).
    expect(rocAuc(truth, scores)).toBeCloseTo(7 / 9, 12);
    // Trapezoids under the curve above: 0 + 1/6 + 5/18 + 1/3 = 7/9.
  });

  it('is 1 for a perfect ranking and 0 for an inverted one', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.3, 0.35, 0.9])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.3, 0.35, 0.9])).toBe(0);
  });

  it('is exactly 0.5 for a constant classifier', () => {
    expect(rocAuc([1, 0, 0, 1, 1, 0, 1], new Array(7).fill(0.625))).toBe(0.5);
    expect(rocAuc([true, false, false], [1, 1, 1])).toBe(0.5);
  });

  it('is null with a single class', () => {
    expect(rocAuc([0, 0, 0], [0.1, 0.5, 0.9])).toBeNull();
    expect(rocAuc([], [])).toBeNull();
  });

  it('handles infinite scores', () => {
    expect(rocAuc([1, 0, 1, 0], [Infinity, -Infinity, Infinity, 0])).toBe(1);
  });

  it('agrees with the pairwise count on random tied data', () => {
    const rng = createRng(7);
    for (let trial = 0; trial < 5; trial++) {
      const flags = Array.from({ length: 200 }, () => (rng.next() < 0.4 ? 1 : 0));
      // Rounding to one decimal makes many ties across classes.
      const s = flags.map((f) => Math.round((rng.next() + 0.3 * f) * 10) / 10);
      expect(rocAuc(flags, s)).toBeCloseTo(pairwiseAuc(flags, s), 12);
    }
  });
});
