/**
 * A small seeded pseudo-random generator (mulberry32). Every random choice the lab makes — shuffling, splits,
 * subsets, bootstrap resamples, weight-initialiser seeds — draws from one of these, so a seed reproduces a run.
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** The generator's whole state: `rngFromState(state)` continues the same sequence (a training checkpoint). */
  state(): number;
}

export function createRng(seed: number): Rng {
  // Mix the seed once so that nearby seeds (1, 2, 3…) start far apart.
  return rngFromState((Math.imul(seed | 0, 0x9e3779b1) ^ 0x85ebca6b) >>> 0);
}

/** A generator that continues from `state` (what `Rng.state()` returned). */
export function rngFromState(start: number): Rng {
  let state = start >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), state: () => state };
}

/** Fisher–Yates shuffle in place, driven by `rng`. Returns the same array. */
export function shuffleInPlace<T>(items: T[] | Int32Array | Uint32Array, rng: Rng): typeof items {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp as never;
  }
  return items;
}

/** A fresh 31-bit integer seed for a sub-task (an initialiser, an epoch's shuffle) derived from `rng`. */
export function deriveSeed(rng: Rng): number {
  return rng.int(0x7fffffff);
}
