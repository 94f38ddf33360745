/**
 * Per-image predictions as CSV (RFC 4180 quoting, one header row): which images each run got right and wrong, for a
 * spreadsheet or a script. One row per image and run:
 *
 *   file,true_class,score_NORMAL,score_PNEUMONIA,predicted_class,model,seed
 *
 * The predicted class is the decision at the run's threshold, as the metrics count it: the positive class when its
 * probability is ≥ the threshold, otherwise the most probable other class. When a seed ensemble is among the runs, a
 * last column `ensemble_of` names the seeds it averages ("1 2 3") on its rows, whose `seed` is left empty; single
 * runs leave it empty.
 */

/** One run's test predictions, as the evaluation keeps them. */
export interface RunPredictions {
  readonly modelId: string;
  readonly seed: number;
  /** A seed ensemble: the seeds whose probabilities it averages. */
  readonly ensembleOf?: readonly number[];
  /** The test images, in set order. */
  readonly files: readonly string[];
  /** True class of each image. */
  readonly labels: ArrayLike<number>;
  /** files.length × classNames.length softmax probabilities, row-major. */
  readonly probabilities: ArrayLike<number>;
}

export interface PredictionsCsvOptions {
  readonly classNames: readonly string[];
  readonly positiveClass: number;
  /** Positive when P(positive) ≥ threshold (default 0.5). */
  readonly threshold?: number;
  /** Decimals of the scores (default 6). */
  readonly digits?: number;
}

/** The decision at `threshold` for one image's probabilities (see the module note). */
export function predictedClassAt(probabilities: ArrayLike<number>, positiveClass: number, threshold: number): number {
  if (probabilities[positiveClass] >= threshold) return positiveClass;
  let best = -1;
  for (let c = 0; c < probabilities.length; c++) {
    if (c !== positiveClass && (best < 0 || probabilities[c] > probabilities[best])) best = c;
  }
  return best;
}

/** Quotes a field when it holds a comma, a quote or a line break (quotes doubled), as RFC 4180 says. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * The CSV of one or more runs over the same classes (every model × seed of a comparison in one file, or one run).
 * @throws RangeError naming the run whose arrays do not fit together, or a positive class / threshold out of range
 */
export function renderPredictionsCsv(runs: readonly RunPredictions[], options: PredictionsCsvOptions): string {
  const { classNames, positiveClass, threshold = 0.5, digits = 6 } = options;
  const k = classNames.length;
  if (!(Number.isInteger(positiveClass) && positiveClass >= 0 && positiveClass < k)) {
    throw new RangeError(`positive class ${positiveClass} is outside 0..${k - 1}`);
  }
  if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`threshold must be between 0 and 1 (got ${threshold})`);
  const ensembles = runs.some((r) => r.ensembleOf);
  const header = [
    'file',
    'true_class',
    ...classNames.map((c) => `score_${c}`),
    'predicted_class',
    'model',
    'seed',
    ...(ensembles ? ['ensemble_of'] : []),
  ];
  const lines = [header.map(csvField).join(',')];
  for (const run of runs) {
    const n = run.files.length;
    if (run.labels.length !== n || run.probabilities.length !== n * k) {
      throw new RangeError(
        `${run.modelId} (seed ${run.seed}): ${n} files, ${run.labels.length} labels and ` +
          `${run.probabilities.length} probabilities do not fit ${k} classes`,
      );
    }
    for (let i = 0; i < n; i++) {
      const row = Array.from({ length: k }, (_, c) => run.probabilities[i * k + c]);
      const label = run.labels[i];
      if (!(label >= 0 && label < k))
        throw new RangeError(
          `${run.modelId} (seed ${run.seed}): ${run.files[i]} has class ${label}, outside 0..${k - 1}`,
        );
      const fields = [
        run.files[i],
        classNames[label],
        ...row.map((p) => p.toFixed(digits)),
        classNames[predictedClassAt(row, positiveClass, threshold)],
        run.modelId,
        run.ensembleOf ? '' : String(run.seed),
        ...(ensembles ? [run.ensembleOf ? run.ensembleOf.join(' ') : ''] : []),
      ];
      lines.push(fields.map(csvField).join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}
