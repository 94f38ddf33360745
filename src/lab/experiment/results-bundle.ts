/**
 * The results bundle: every file an experiment's results are handed over in, laid out once for the CLI's `--out`
 * and the page's "Download all", so the two cannot drift apart. experiment.json (the card), results.json, report.md,
 * predictions.csv, skipped.csv (the files the data's reading left out, and why), and per run a folder
 * (`models/<id>/`, or `models/<id>/seed-<n>/` with several seeds) with its model files in every format and its model
 * card. A seed ensemble has no model: no folder, only its record and predictions. Framework-free and tfjs-free: the
 * page's main thread calls it too.
 */
import type { SkippedFile } from '../data/layout';
import type { RunKey } from './run-control';
import { renderExperimentCard, type ExperimentCard } from './card';
import { renderModelCard } from './model-card';
import { csvField, renderPredictionsCsv } from '../report/predictions-csv';
import { renderMarkdownReport } from '../report/render-markdown';
import { renderResultsJson } from '../report/render-json';
import { isEnsemble } from '../report/ensemble-record';
import type { ResultRecord } from '../report/result-record';

export type BundleFile = string | Uint8Array;

/** One run as the bundle takes it. */
export interface BundleRun {
  readonly key: RunKey;
  readonly record: ResultRecord;
  /**
   * Its model files by path inside its folder: the lab's model.json and weights.bin and the standard formats
   * (stock/model.json, stock/weights.bin, model.h5, model.onnx); null when the run left no model (it failed).
   */
  readonly files: Readonly<Record<string, BundleFile>> | null;
}

/** Where a run's files go. */
export function runFolder(key: RunKey, seeds: readonly number[]): string {
  return `models/${key.modelId}${seeds.length > 1 ? `/seed-${key.seed}` : ''}`;
}

/** Path → contents of the whole bundle. */
export function resultsBundle(
  card: ExperimentCard,
  runs: readonly BundleRun[],
  skipped: readonly SkippedFile[],
): Map<string, BundleFile> {
  const files = new Map<string, BundleFile>();
  for (const run of runs.filter((r) => !isEnsemble(r.record))) {
    const dir = runFolder(run.key, card.settings.seeds);
    for (const [path, contents] of Object.entries(run.files ?? {})) files.set(`${dir}/${path}`, contents);
    files.set(`${dir}/model-card.md`, renderModelCard(card, run.record));
  }
  const meta = {
    title: 'X-Ray Lab comparison',
    data: card.data.source,
    test: card.data.testSet,
    fingerprint: card.data.identity.fingerprint,
    counts: { train: card.data.split.train.length, val: card.data.split.val.length, test: card.data.split.test.length },
    classes: card.data.classNames,
    skippedFiles: skipped.length,
    backend: card.environment.backend,
    environment: card.environment,
  };
  files.set('experiment.json', renderExperimentCard(card));
  files.set('results.json', renderResultsJson(card.results, meta, card.settings, undefined, card.comparisons));
  files.set(
    'report.md',
    renderMarkdownReport(card.results, { ...meta, settings: card.settings }, { comparisons: card.comparisons }),
  );
  const predictions = predictionsCsv(card);
  if (predictions) files.set('predictions.csv', predictions);
  if (skipped.length > 0)
    files.set(
      'skipped.csv',
      `path,reason\n${skipped.map((s) => `${csvField(s.path)},${csvField(s.reason)}`).join('\n')}\n`,
    );
  return files;
}

/** One row per test image and run, from the card's test probabilities; null when no run was scored. */
function predictionsCsv(card: ExperimentCard): string | null {
  const { files, labels } = card.testImages;
  const runs = card.predictions.filter(
    (p) => files.length > 0 && p.probabilities.length === files.length * card.data.classNames.length,
  );
  if (runs.length === 0) return null;
  const classNames = card.data.classNames;
  const named = card.results.find((r) => r.positiveClass != null)?.positiveClass;
  const positiveClass =
    named != null && classNames.includes(named) ? classNames.indexOf(named) : Math.min(1, classNames.length - 1);
  const ensembleOf = (p: { modelId: string; seed: number }) =>
    card.results.find((r) => r.modelId === p.modelId && r.seed === p.seed && r.ensembleOf)?.ensembleOf;
  return renderPredictionsCsv(
    runs.map((p) => ({
      modelId: p.modelId,
      seed: p.seed,
      ensembleOf: ensembleOf(p),
      files,
      labels,
      probabilities: p.probabilities,
    })),
    { classNames, positiveClass, threshold: card.settings.threshold },
  );
}
