import { createRng } from '../../src/lab/util/rng';

/**
 * Scores with a known truth: x | positive ~ N(+1, 1), x | negative ~ N(−1, 1), so the exact posterior under positive
 * prior π is σ(2x + logit π) — a perfectly calibrated model. `prevalence` sets the drawn class mix (exactly).
 */
export function gaussianScores(
  count: number,
  prevalence: number,
  seed: number,
): { x: Float64Array; labels: Int32Array } {
  const rng = createRng(seed);
  const x = new Float64Array(count);
  const labels = new Int32Array(count);
  const positives = Math.round(count * prevalence);
  for (let i = 0; i < count; i++) {
    const label = i < positives ? 1 : 0;
    // Box–Muller from two uniforms in (0, 1].
    const g = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    labels[i] = label;
    x[i] = (label === 1 ? 1 : -1) + g;
  }
  return { x, labels };
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
export const logit = (p: number): number => Math.log(p / (1 - p));

/** Row-major two-class probabilities [1 − p, p] of the exact posterior under positive prior `prior`. */
export function posteriors(x: Float64Array, prior: number): Float64Array {
  const out = new Float64Array(x.length * 2);
  x.forEach((v, i) => {
    const p = sigmoid(2 * v + logit(prior));
    out[2 * i] = 1 - p;
    out[2 * i + 1] = p;
  });
  return out;
}

/** Two-class logits [0, 2x + logit(prior)] times `scale` (scale > 1 makes an over-confident model). */
export function twoClassLogits(x: Float64Array, prior: number, scale: number): Float64Array {
  const out = new Float64Array(x.length * 2);
  x.forEach((v, i) => {
    out[2 * i + 1] = scale * (2 * v + logit(prior));
  });
  return out;
}

/** Accuracy of "positive when P(positive) ≥ threshold" on row-major two-class probabilities. */
export function accuracyAt(probabilities: ArrayLike<number>, labels: Int32Array, threshold = 0.5): number {
  let hits = 0;
  labels.forEach((y, i) => {
    if ((probabilities[2 * i + 1] >= threshold ? 1 : 0) === y) hits++;
  });
  return hits / labels.length;
}
