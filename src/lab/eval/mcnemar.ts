/**
 * McNemar's exact test of two classifiers' accuracies on the same images: only the discordant images carry
 * information (those A gets right and B wrong, and the reverse). Under "equally accurate" each discordant image is a
 * fair coin, so the count A wins is Binomial(onlyA + onlyB, ½); the two-sided p is that of `binom.test` in R.
 */
import { binomialLowerTail } from './distributions';

/**
 * Two-sided exact p of McNemar's test.
 * @param onlyA images A classifies right and B wrong
 * @param onlyB images B classifies right and A wrong
 * @returns 1 when there is no discordant image (nothing tells the models apart)
 */
export function mcnemarExactP(onlyA: number, onlyB: number): number {
  if (!Number.isInteger(onlyA) || !Number.isInteger(onlyB) || onlyA < 0 || onlyB < 0) {
    throw new Error(`discordant counts must be whole numbers ≥ 0 (got ${onlyA}, ${onlyB})`);
  }
  const n = onlyA + onlyB;
  if (n === 0) return 1;
  // Binomial(n, ½) is symmetric, so the two-sided p doubles the smaller tail (capped at 1 when onlyA = onlyB).
  return Math.min(1, 2 * binomialLowerTail(Math.min(onlyA, onlyB), n, 0.5));
}

/** Correctness per image of two classifiers, counted into McNemar's discordant cells. */
export function discordantCounts(
  correctA: ArrayLike<boolean>,
  correctB: ArrayLike<boolean>,
): { onlyA: number; onlyB: number } {
  if (correctA.length !== correctB.length)
    throw new Error(`A has ${correctA.length} images but B has ${correctB.length}`);
  let onlyA = 0;
  let onlyB = 0;
  for (let i = 0; i < correctA.length; i++) {
    if (correctA[i] && !correctB[i]) onlyA++;
    else if (correctB[i] && !correctA[i]) onlyB++;
  }
  return { onlyA, onlyB };
}
