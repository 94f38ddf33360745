/**
 * The normal and binomial distribution functions the paired tests need, from @stdlib (accurate far into the tails,
 * where a hand-rolled erf or a summed binomial loses the small p-values a test reports).
 */
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantileOf from '@stdlib/stats-base-dists-normal-quantile';

/** Φ⁻¹(p) of the standard normal. */
export function normalQuantile(p: number): number {
  return normalQuantileOf(p, 0, 1);
}

/** P(|Z| ≥ |z|) for a standard normal Z, from the lower tail so tiny p-values keep their digits. */
export function twoSidedNormalP(z: number): number {
  return Math.min(1, 2 * normalCdf(-Math.abs(z), 0, 1));
}

/** P(X ≤ x) for X ~ Binomial(n, p). */
export function binomialLowerTail(x: number, n: number, p: number): number {
  return binomialCdf(x, n, p);
}
