/**
 * Temperature scaling (Guo et al. 2017): one number T divides every logit, softmax(z / T). It leaves the ranking (and
 * so the AUC and the argmax) unchanged and only makes the probabilities less (T > 1) or more (T < 1) confident.
 * T is fitted on validation logits by minimising their mean negative log-likelihood. Plain numbers, no tfjs.
 *
 * The fit is a golden-section search over β = 1/T: the NLL is convex in β (a log-sum-exp of linear functions of β
 * minus a linear term), so the search is exact up to its tolerance and deterministic (no random start).
 */

/** Searched range of T; a fit at an end of it is flagged (see {@link TemperatureFit.atBound}). */
export const TEMPERATURE_RANGE = { min: 0.05, max: 20 } as const;

/** A fitted temperature and what it did to the validation NLL. */
export interface TemperatureFit {
  readonly temperature: number;
  /** Mean NLL of the validation logits as they are (T = 1). */
  readonly nllBefore: number;
  /** Mean NLL at the fitted T (never above nllBefore, up to the search tolerance). */
  readonly nllAfter: number;
  /** True when the optimum lies at an end of TEMPERATURE_RANGE: e.g. a validation set the model separates perfectly
   * keeps lowering its NLL as T → 0, and the fitted T then says "as confident as allowed", not a measured value. */
  readonly atBound: boolean;
  readonly count: number;
}

/** Mean negative log-likelihood of softmax(logits · beta) against `labels`. */
export function meanNll(logits: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number, beta = 1): number {
  const n = labels.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const row = i * numClasses;
    let top = 0;
    for (let c = 1; c < numClasses; c++) if (logits[row + c] > logits[row + top]) top = c;
    const max = beta * logits[row + top];
    // log1p keeps the tiny losses of confident, correct images distinguishable (a separable set's NLL keeps falling).
    let rest = 0;
    for (let c = 0; c < numClasses; c++) if (c !== top) rest += Math.exp(beta * logits[row + c] - max);
    sum += max + Math.log1p(rest) - beta * logits[row + labels[i]];
  }
  return sum / n;
}

/**
 * Fits T on row-major `logits` (count × numClasses) with their true `labels`.
 * @throws on an empty set, a size mismatch, a label out of range or a non-finite logit
 */
export function fitTemperature(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
  tolerance = 1e-6,
): TemperatureFit {
  const n = labels.length;
  if (n === 0) throw new Error('temperature scaling needs at least one validation image');
  if (logits.length !== n * numClasses) throw new Error(`expected ${n} × ${numClasses} logits, got ${logits.length}`);
  for (let i = 0; i < n; i++) {
    if (!(Number.isInteger(labels[i]) && labels[i] >= 0 && labels[i] < numClasses))
      throw new Error(`label ${labels[i]} of image ${i} is not a class index below ${numClasses}`);
  }
  for (let i = 0; i < logits.length; i++)
    if (!Number.isFinite(logits[i])) throw new Error(`logit ${i} is ${logits[i]}`);

  const f = (beta: number) => meanNll(logits, labels, numClasses, beta);
  const invPhi = (Math.sqrt(5) - 1) / 2;
  let lo = 1 / TEMPERATURE_RANGE.max;
  let hi = 1 / TEMPERATURE_RANGE.min;
  let a = hi - invPhi * (hi - lo);
  let b = lo + invPhi * (hi - lo);
  let fa = f(a);
  let fb = f(b);
  while (hi - lo > tolerance * Math.max(1, a)) {
    // On a tie keep the larger β: a separable set's NLL flattens towards 0 as T → 0, and that is where it points.
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - invPhi * (hi - lo);
      fa = f(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + invPhi * (hi - lo);
      fb = f(b);
    }
  }
  let beta = (lo + hi) / 2;
  const nllBefore = f(1);
  let nllAfter = f(beta);
  // Convexity makes the search exact; this only guards against a flat NLL where T = 1 is as good.
  if (nllBefore <= nllAfter) {
    beta = 1;
    nllAfter = nllBefore;
  }
  const near = (x: number, y: number) => Math.abs(x - y) <= 1e-3 * y;
  return {
    temperature: 1 / beta,
    nllBefore,
    nllAfter,
    count: n,
    atBound: near(beta, 1 / TEMPERATURE_RANGE.max) || near(beta, 1 / TEMPERATURE_RANGE.min),
  };
}

/** softmax(logits / temperature), row-major, in float32 like the lab's other probabilities. */
export function applyTemperature(logits: ArrayLike<number>, numClasses: number, temperature: number): Float32Array {
  if (!(temperature > 0 && Number.isFinite(temperature)))
    throw new RangeError(`temperature must be a positive number (got ${temperature})`);
  const out = new Float32Array(logits.length);
  for (let row = 0; row < logits.length; row += numClasses) {
    let max = -Infinity;
    for (let c = 0; c < numClasses; c++) max = Math.max(max, logits[row + c] / temperature);
    let z = 0;
    for (let c = 0; c < numClasses; c++) z += Math.exp(logits[row + c] / temperature - max);
    for (let c = 0; c < numClasses; c++) out[row + c] = Math.exp(logits[row + c] / temperature - max) / z;
  }
  return out;
}
