/**
 * An experiment card's runs as saved runs: each record with its test probabilities, so the page's table, threshold
 * slider, ROC curves and confusion matrices work for an opened card as for runs trained here, and an opened project
 * can be kept in the browser's store like one trained here.
 */
import type { ExperimentCard } from '../experiment/card';
import { rocCurve } from '../eval/roc';
import type { SavedRun } from './saved-project';

export function runsFromCard(card: ExperimentCard): Omit<SavedRun, 'files'>[] {
  const classNames = [...card.data.classNames];
  const labels = Int32Array.from(card.testImages.labels);
  return card.results.map((record) => {
    const positiveClass = Math.max(0, classNames.indexOf(record.positiveClass ?? ''));
    const kept = card.predictions.find((p) => p.modelId === record.modelId && p.seed === record.seed);
    const probabilities = kept ? Float32Array.from(kept.probabilities) : new Float32Array(0);
    const width = classNames.length;
    const scores = Float32Array.from(
      { length: probabilities.length / width },
      (_, i) => probabilities[i * width + positiveClass],
    );
    const positives = Int32Array.from(labels, (l) => (l === positiveClass ? 1 : 0));
    const roc =
      kept && scores.length === labels.length && new Set(positives).size === 2 ? rocCurve(positives, scores) : [];
    return {
      modelId: record.modelId,
      seed: record.seed,
      record,
      classNames,
      positiveClass,
      probabilities,
      labels: kept ? labels : new Int32Array(0),
      roc,
    };
  });
}
