/**
 * ROC curves resampled on a common grid of false-positive rates. tfjs-vis's linechart plots every series against
 * its index, so curves with different points can only share a chart once they share x values: x = 0..100 reads as
 * FPR in percent. Linear interpolation between operating points is the ROC's own (convex-combination) line.
 */
import type { RocPoint } from '../../lab/eval/roc';

export const ROC_GRID_STEPS = 100;

/** TPR at FPR = i / steps for i = 0..steps; at a vertical jump the upper value counts. */
export function rocOnGrid(points: readonly RocPoint[], steps = ROC_GRID_STEPS): number[] {
  const out: number[] = [];
  if (points.length === 0) return out;
  let j = 0;
  for (let i = 0; i <= steps; i++) {
    const x = i / steps;
    // Advance to the last point with fpr <= x (the top of any vertical run there).
    while (j + 1 < points.length && points[j + 1].fpr <= x + 1e-12) j++;
    const a = points[j];
    const b = points[j + 1];
    if (!b || b.fpr === a.fpr) out.push(a.tpr);
    else out.push(a.tpr + ((x - a.fpr) / (b.fpr - a.fpr)) * (b.tpr - a.tpr));
  }
  return out;
}
