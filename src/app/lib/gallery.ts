/**
 * What the error gallery shows, from the results the page already holds (no network runs here): the test images of
 * one confusion-matrix cell, decided as the matrix decides them, sorted by the model's confidence, a page at a time;
 * and the per-image predictions CSV of a model. Pure, so it is tested in Node and keeps tfjs out of the page.
 */
import { predictedClassAt, renderPredictionsCsv } from '../../lab/report/predictions-csv';
import type { ModelResult } from '../../worker/protocol';

/** One confusion-matrix cell of one run: images of class `trueClass` that the run called `predicted`. */
export interface GalleryCell {
  /** Run id, `<modelId>@<seed>`. */
  runId: string;
  modelId: string;
  seed: number;
  trueClass: number;
  predicted: number;
}

/** One test image of a cell. */
export interface GalleryImage {
  /** Position in the run's test images (the order of its probabilities). */
  index: number;
  file: string;
  label: number;
  /** The run's probability for the class it decided (its confidence in the decision). */
  score: number;
}

/** Images per gallery page: a page is explained in one worker call, so the page never waits on the whole set. */
export const GALLERY_PAGE_SIZE = 12;

/**
 * The class `result` decides for test image `i`: for two classes the decision at `threshold` (as the confusion matrix
 * and the metrics count it), for more classes the most probable one (the stored arg-max matrix).
 */
export function decisionOf(result: ModelResult, i: number, threshold: number): number {
  const k = result.classNames.length;
  const row = result.probabilities.subarray(i * k, (i + 1) * k);
  if (k === 2) return predictedClassAt(row, result.positiveClass, threshold);
  let best = 0;
  for (let c = 1; c < k; c++) if (row[c] > row[best]) best = c;
  return best;
}

/** Test image names of a run: the run's own list when the page has it, else positional names. */
export function testFileNames(result: ModelResult, testImages: { files: string[] } | null): string[] {
  const n = result.labels.length;
  return testImages && testImages.files.length === n
    ? testImages.files
    : Array.from({ length: n }, (_, i) => `test image ${i + 1}`);
}

/** The images of `cell`, most confident first (ties in test order). */
export function cellImages(
  result: ModelResult,
  files: readonly string[],
  cell: Pick<GalleryCell, 'trueClass' | 'predicted'>,
  threshold: number,
): GalleryImage[] {
  const k = result.classNames.length;
  const out: GalleryImage[] = [];
  for (let i = 0; i < result.labels.length; i++) {
    if (result.labels[i] !== cell.trueClass) continue;
    const decided = decisionOf(result, i, threshold);
    if (decided !== cell.predicted) continue;
    out.push({ index: i, file: files[i], label: result.labels[i], score: result.probabilities[i * k + decided] });
  }
  return out.sort((a, b) => b.score - a.score || a.index - b.index);
}

/** Page `page` (from 0) of `images`, and how many pages there are (at least 1). */
export function galleryPage<T>(
  images: readonly T[],
  page: number,
  size = GALLERY_PAGE_SIZE,
): { items: T[]; pages: number; page: number } {
  const pages = Math.max(1, Math.ceil(images.length / size));
  const at = Math.min(Math.max(0, page), pages - 1);
  return { items: images.slice(at * size, (at + 1) * size), pages, page: at };
}

/** The per-image predictions CSV of every run of one model (all its seeds), decided at `threshold`. */
export function modelPredictionsCsv(
  runs: readonly ModelResult[],
  testImages: { files: string[] } | null,
  threshold: number,
): string {
  const scored = runs.filter((r) => r.labels.length > 0);
  if (scored.length === 0) throw new Error('this model has no test predictions to download');
  const first = scored[0];
  return renderPredictionsCsv(
    scored.map((r) => ({
      modelId: r.modelId,
      seed: r.seed,
      files: testFileNames(r, testImages),
      labels: r.labels,
      probabilities: r.probabilities,
    })),
    { classNames: first.classNames, positiveClass: first.positiveClass, threshold },
  );
}
