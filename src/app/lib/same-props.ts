/**
 * Prop comparisons for memoised parts of the Compare step whose props are rebuilt on every change of the results
 * (arrays of runs, small matrices): equal when they hold the same things, so that a model finishing re-renders only
 * the parts it changed.
 */

/** Same length and the same items (===) in the same order. */
export function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a === b || (a.length === b.length && a.every((x, i) => x === b[i]));
}

/** Same numbers in the same cells (a confusion matrix rebuilt from the same counts). */
export function sameMatrix(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): boolean {
  return a === b || (a.length === b.length && a.every((row, i) => sameItems(row, b[i])));
}

/** Same keys, each value the same (===) or, where `deep` names the key, equal by `deep[key]`. */
export function sameProps<P extends object>(
  a: P,
  b: P,
  deep: { [K in keyof P]?: (x: P[K], y: P[K]) => boolean } = {},
): boolean {
  const keys = Object.keys(a) as (keyof P)[];
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => {
    const equal = deep[key];
    return a[key] === b[key] || (equal !== undefined && equal(a[key], b[key]));
  });
}
