/**
 * Multi-class confusion matrix: how many images of each true class were predicted as each class.
 */

/**
 * Counts (true, predicted) pairs.
 * @param trueLabels class index of each image
 * @param predictedLabels predicted class index of each image (same length)
 * @param numClasses number of classes; every label must be an integer in [0, numClasses)
 * @returns numClasses × numClasses counts; `m[t][p]` = images of true class t predicted as p (rows = truth)
 * @throws on a length mismatch or a label out of range
 */
export function confusionMatrix(
  trueLabels: ArrayLike<number>,
  predictedLabels: ArrayLike<number>,
  numClasses: number,
): number[][] {
  if (trueLabels.length !== predictedLabels.length) {
    throw new Error(`trueLabels has ${trueLabels.length} entries but predictedLabels has ${predictedLabels.length}`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 1)
    throw new Error(`numClasses must be a positive integer, got ${numClasses}`);
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < trueLabels.length; i++) {
    const t = trueLabels[i];
    const p = predictedLabels[i];
    if (!isClass(t, numClasses)) throw new Error(`trueLabels[${i}] = ${t} is not a class index below ${numClasses}`);
    if (!isClass(p, numClasses))
      throw new Error(`predictedLabels[${i}] = ${p} is not a class index below ${numClasses}`);
    matrix[t][p]++;
  }
  return matrix;
}

/** Fraction of the matrix on the diagonal (multi-class accuracy), or null for an empty matrix. */
export function confusionAccuracy(matrix: readonly (readonly number[])[]): number | null {
  let total = 0;
  let correct = 0;
  matrix.forEach((row, t) => {
    row.forEach((count, p) => {
      total += count;
      if (t === p) correct += count;
    });
  });
  return total === 0 ? null : correct / total;
}

function isClass(label: number, numClasses: number): boolean {
  return Number.isInteger(label) && label >= 0 && label < numClasses;
}
