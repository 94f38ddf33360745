/**
 * Prior shift built from a labelled set: a seeded resample with another share of positive images (without
 * replacement, so no image counts twice). Same seed, same set → same images.
 */
import { selectImages, type ImageSet } from '../data/image-set';
import { createRng, shuffleInPlace } from '../util/rng';

export interface ResampleOptions {
  /** Label index of the positive class; every other class counts as negative. */
  readonly positiveClass: number;
  /** Wanted share of positive images, in [0, 1]. */
  readonly prevalence: number;
  readonly seed: number;
  /** Images wanted; default the most the set allows at that prevalence without repeating an image. */
  readonly count?: number;
}

/**
 * A subset of `set` with `prevalence` positives (rounded to whole images), in the set's original order.
 * @throws RangeError when the set has too few positives or negatives for the prevalence and count asked
 */
export function resampleToPrevalence(set: ImageSet, options: ResampleOptions): ImageSet {
  const { positiveClass, prevalence, seed } = options;
  if (!(prevalence >= 0 && prevalence <= 1)) throw new RangeError(`prevalence must lie in [0, 1] (got ${prevalence})`);
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let i = 0; i < set.count; i++) (set.labels[i] === positiveClass ? positives : negatives).push(i);
  const most = Math.floor(
    Math.min(
      prevalence > 0 ? positives.length / prevalence : Infinity,
      prevalence < 1 ? negatives.length / (1 - prevalence) : Infinity,
    ),
  );
  const count = options.count ?? most;
  const wantPositive = Math.round(count * prevalence);
  const wantNegative = count - wantPositive;
  if (!Number.isInteger(count) || count < 1 || wantPositive > positives.length || wantNegative > negatives.length) {
    throw new RangeError(
      `cannot draw ${count} images at prevalence ${prevalence}: the set has ${positives.length} positive ` +
        `and ${negatives.length} negative images (at most ${most} at that prevalence)`,
    );
  }
  const rng = createRng(seed);
  const picked = [
    ...(shuffleInPlace(positives, rng) as number[]).slice(0, wantPositive),
    ...(shuffleInPlace(negatives, rng) as number[]).slice(0, wantNegative),
  ].sort((a, b) => a - b);
  return selectImages(set, picked);
}
