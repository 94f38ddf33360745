/**
 * Prior (label) shift: the evaluation set has another class mix than the training set — say 62.5% PNEUMONIA as in
 * Kermany's test folder instead of the training folder's 74% — while each class looks the same. A classifier's
 * posteriors carry the training mix in them; Saerens, Latinne & Decaestecker (2002, "Adjusting the outputs of a
 * classifier to new a priori probabilities: a simple procedure", Neural Computation 14:21) estimate the new mix from
 * the unlabelled posteriors alone by EM, and correct the posteriors with Bayes' rule:
 *
 *   p'(c|x) = (π'_c / π_c) p(c|x) / Σ_k (π'_k / π_k) p(k|x)          (correction for priors π → π')
 *   π'_c ← mean over images of p'(c|x)                                 (EM step, from π' = π)
 *
 * What it assumes: p(x|c) is unchanged (pure prior shift) and the posteriors are calibrated for the training priors
 * π. Fit a temperature first when they are over-confident; pass the priors the model was trained for (with balanced
 * class weights those are equal, see {@link effectiveTrainingPriors}). Plain numbers, no tfjs.
 */

/** Settings of {@link estimatePriors}. */
export interface PriorEstimateOptions {
  /** Stop when no prior moves by more than this between two iterations (default 1e-6). */
  readonly tolerance?: number;
  /** Give up after this many iterations (default 1,000); `converged` then says false. */
  readonly maxIterations?: number;
}

/** The EM estimate of a set's class priors. */
export interface PriorEstimate {
  /** Estimated prior of each class on the set, summing to 1. */
  readonly priors: number[];
  readonly iterations: number;
  readonly converged: boolean;
}

/** Priors the posteriors of a model trained on `counts` images per class reflect; class weights multiply the counts. */
export function effectiveTrainingPriors(counts: readonly number[], classWeights?: readonly number[] | null): number[] {
  const mass = counts.map((n, c) => n * (classWeights?.[c] ?? 1));
  const total = mass.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new Error('training priors need at least one training image');
  return mass.map((m) => m / total);
}

function checkPriors(priors: readonly number[], numClasses: number, what: string): void {
  if (priors.length !== numClasses) throw new Error(`${what} has ${priors.length} entries for ${numClasses} classes`);
  const sum = priors.reduce((a, b) => a + b, 0);
  if (priors.some((p) => !(p >= 0 && p <= 1)) || Math.abs(sum - 1) > 1e-6) {
    throw new RangeError(
      `${what} must be probabilities summing to 1 (got ${priors.map((p) => p.toFixed(4)).join(', ')})`,
    );
  }
}

/**
 * Posteriors corrected from `trainingPriors` to `newPriors` (row-major, count × numClasses; float64 for the EM).
 * A class with training prior 0 keeps posterior 0.
 */
export function adjustPosteriors(
  probabilities: ArrayLike<number>,
  numClasses: number,
  trainingPriors: readonly number[],
  newPriors: readonly number[],
): Float64Array {
  checkPriors(trainingPriors, numClasses, 'trainingPriors');
  checkPriors(newPriors, numClasses, 'newPriors');
  if (probabilities.length % numClasses !== 0)
    throw new Error(`${probabilities.length} probabilities are not rows of ${numClasses}`);
  const ratio = newPriors.map((p, c) => (trainingPriors[c] > 0 ? p / trainingPriors[c] : 0));
  const out = new Float64Array(probabilities.length);
  for (let row = 0; row < probabilities.length; row += numClasses) {
    let z = 0;
    for (let c = 0; c < numClasses; c++) z += ratio[c] * probabilities[row + c];
    for (let c = 0; c < numClasses; c++) {
      // z = 0 only when every class with a posterior lost its prior: fall back to the new priors themselves.
      out[row + c] = z > 0 ? (ratio[c] * probabilities[row + c]) / z : newPriors[c];
    }
  }
  return out;
}

/**
 * Estimates the class priors of an unlabelled set from a model's posteriors on it (EM, Saerens et al. 2002).
 * @throws on an empty set or priors that are not a distribution over `numClasses`
 */
export function estimatePriors(
  probabilities: ArrayLike<number>,
  numClasses: number,
  trainingPriors: readonly number[],
  options: PriorEstimateOptions = {},
): PriorEstimate {
  const { tolerance = 1e-6, maxIterations = 1000 } = options;
  const n = probabilities.length / numClasses;
  if (!(n >= 1) || !Number.isInteger(n))
    throw new Error(`prior estimation needs at least one row of ${numClasses} probabilities`);
  checkPriors(trainingPriors, numClasses, 'trainingPriors');
  let priors = [...trainingPriors];
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const adjusted = adjustPosteriors(probabilities, numClasses, trainingPriors, priors);
    const next = new Array<number>(numClasses).fill(0);
    for (let i = 0; i < adjusted.length; i++) next[i % numClasses] += adjusted[i];
    for (let c = 0; c < numClasses; c++) next[c] /= n;
    const moved = Math.max(...next.map((p, c) => Math.abs(p - priors[c])));
    priors = next;
    if (moved < tolerance) return { priors, iterations: iteration, converged: true };
  }
  return { priors, iterations: maxIterations, converged: false };
}

/**
 * For two classes: the threshold on the *uncorrected* P(positive) that gives the same decisions as `threshold` on the
 * prior-corrected one. With a = π'/π and b = (1−π')/(1−π) for the positive class, p' ≥ τ ⟺ p ≥ τb / (τb + (1−τ)a).
 */
export function priorShiftThreshold(threshold: number, trainingPrevalence: number, newPrevalence: number): number {
  for (const [name, v] of [
    ['trainingPrevalence', trainingPrevalence],
    ['newPrevalence', newPrevalence],
  ] as const) {
    if (!(v > 0 && v < 1)) throw new RangeError(`${name} must lie strictly between 0 and 1 (got ${v})`);
  }
  const a = newPrevalence / trainingPrevalence;
  const b = (1 - newPrevalence) / (1 - trainingPrevalence);
  return (threshold * b) / (threshold * b + (1 - threshold) * a);
}
