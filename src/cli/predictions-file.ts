/**
 * predictions.csv for `compare --out` / `run --out`: one row per test image and run (file, true class, score per class,
 * predicted class at the experiment's threshold, model, seed), as the page's per-model download writes it.
 */
import type { ExperimentCard } from '../lab/experiment/card';
import type { FinishedRun } from '../lab/experiment/run-experiment';
import { renderPredictionsCsv } from '../lab/report/predictions-csv';

/** The CSV of every evaluated run, or null when no run was evaluated (nothing trained, or no test images). */
export function predictionsCsvOf(card: ExperimentCard, finished: readonly FinishedRun[]): string | null {
  const evaluated = finished.flatMap((f) => (f.evaluation && f.evaluation.count > 0 ? [{ key: f.key, evaluation: f.evaluation }] : []));
  if (evaluated.length === 0) return null;
  const { classNames, positiveClass } = evaluated[0].evaluation;
  return renderPredictionsCsv(
    evaluated.map(({ key, evaluation }) => ({
      modelId: key.modelId, seed: key.seed, files: card.testImages.files, labels: evaluation.labels, probabilities: evaluation.probabilities,
    })),
    { classNames, positiveClass, threshold: card.settings.threshold },
  );
}
