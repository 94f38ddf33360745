/**
 * Holm's (1979) step-down correction: p-values of several tests adjusted so that rejecting every adjusted p < α keeps
 * the chance of any false rejection under α, without Bonferroni's loss of power. Same values as R's
 * `p.adjust(p, "holm")`.
 */

/**
 * Holm-adjusted p-values, in the input order; a null (a test that could not be computed) stays null and does not
 * count among the tests.
 */
export function holmAdjust(pValues: readonly (number | null)[]): (number | null)[] {
  const present = pValues.flatMap((p, i) => (p === null ? [] : [{ p, i }])).sort((x, y) => x.p - y.p);
  const adjusted: (number | null)[] = pValues.map(() => null);
  const m = present.length;
  let running = 0;
  present.forEach(({ p, i }, rank) => {
    // The k-th smallest p is multiplied by (m − k + 1); the running maximum keeps the order of the p-values.
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
