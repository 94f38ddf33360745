/**
 * What `compare` and `run` share once they know the experiment: check every option and the output folder, read the
 * backbone weights, read and split the data (refusing other data when replaying a card), pick the backend, run the
 * core's loop, and write results.json, report.md, experiment.json, the models and their model cards into --out.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../lab/backend/select-backend';
import type { DataIdentity } from '../lab/data/data-identity';
import { splitManifest } from '../lab/data/data-identity';
import { requireUsefulSplits, splitCheckInputOf } from '../lab/data/split-check';
import { makeExperimentCard, type CardData, type ExperimentCard } from '../lab/experiment/card';
import { resultsBundle } from '../lab/experiment/results-bundle';
import type { SkippedFile } from '../lab/data/layout';
import { describeEnvironment } from '../lab/experiment/environment';
import { plannedRuns, runExperiment, type FinishedRun } from '../lab/experiment/run-experiment';
import type { Experiment } from '../lab/experiment/schema';
import { experimentProblems } from '../lab/experiment/validate';
import { findModel } from '../lab/registry';
import { renderComparisonTable } from '../lab/report/comparison-table';
import { isEnsemble } from '../lab/report/ensemble-record';
import { renderSeedSummaryTable } from '../lab/report/seed-summary-table';
import { comparisonsOverSeeds } from '../lab/report/comparisons';
import { renderComparisonsText } from '../lab/report/render-comparisons';
import { standardFormatsExporter } from '../lab/export/standard-exporter';
import { takesInputSize } from '../lab/models/input-size';
import { openFileFeatureCache } from '../lab/transfer/node/file-feature-cache';
import { backendLine } from './backend-line';
import { CliError, type CliIO } from './cli-error';
import { prepareData } from './prepare-data';
import { readLabelSpec, type LabelRequest } from './label-table-options';
import type { BudgetRequest } from './budget-options';
import { useQuietCpu } from './quiet-backend';
import { assignWeights, loadCliWeights, preprocessingOption } from './transfer-weights';
import { checkOutDir, writeOutputs, type OutputFiles } from './write-out';

export interface ComparisonRequest {
  readonly experiment: Experiment;
  /** A folder or .zip of class folders (or train/ val/ test/). */
  readonly data: string;
  readonly test?: string;
  readonly out: string;
  readonly json: boolean;
  readonly weights: string[];
  readonly preprocessing?: string;
  readonly featureCache?: string;
  /** A validation or test split too small to measure anything is an error instead of a warning. */
  readonly strict?: boolean;
  /** List the fast kernels on stderr. */
  readonly verbose?: boolean;
  /** A label table giving the classes instead of class folders (read before any image). */
  readonly labels?: LabelRequest | null;
  /** --memory-budget and --subset (default: a quarter of this machine's memory, every image). */
  readonly budget?: BudgetRequest;
  /** Replaying a card: the data it ran on, checked before any image is decoded. */
  readonly replay?: { readonly card: ExperimentCard; readonly allowOtherData: boolean };
}

/** Checks every setting against the schema and the registry; the message names the flag and its bound. */
export function checkExperiment(experiment: Experiment): void {
  const problems = experimentProblems(experiment, { checkModel: registryProblem });
  if (problems.length > 0) throw new CliError(`--${problems[0].flag} ${problems[0].message}`);
  for (const id of experiment.models) {
    const entry = findModel(id);
    if (!takesInputSize(entry, experiment.size)) {
      throw new CliError(
        `--size ${experiment.size} is too small for ${id}: it needs at least ${entry.minSize}×${entry.minSize}`,
      );
    }
  }
}

/** Why an id is not a registry model, or null. */
export function registryProblem(id: string): string | null {
  try {
    findModel(id);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export async function runComparison(request: ComparisonRequest, io: CliIO): Promise<number> {
  const { experiment } = request;
  const log = (line: string) => io.stderr(`${line}\n`);
  // Every option, the weights and the output folder are checked before any image is read.
  checkExperiment(experiment);
  const transferIds = experiment.models.filter((id) => findModel(id).backbone !== null);
  const assignedWeights = assignWeights(transferIds, request.weights);
  const preprocessing = preprocessingOption(request.preprocessing);
  // Building networks to check weights and count bytes runs on cpu (any backend gives the same shapes); training
  // picks its backend below.
  await useQuietCpu();
  if (assignedWeights.size > 0) await loadCliWeights(assignedWeights, preprocessing, log);
  await checkOutDir(request.out, { expectedBytes: expectedOutputBytes(experiment) });
  // Features kept on disk for the next run (a read-only folder is only read); without it, an in-memory cache.
  const featureCache = request.featureCache ? await openFileFeatureCache(request.featureCache, log) : undefined;

  const labels = request.labels ? await readLabelSpec(request.labels) : undefined;
  const data = await prepareData({
    data: request.data,
    test: request.test,
    labels,
    size: experiment.size,
    channels: experiment.channels,
    seed: experiment.seeds[0],
    valFraction: experiment.valFraction,
    testFraction: experiment.testFraction,
    limit: experiment.limit > 0 ? experiment.limit : undefined,
    keepVal: experiment.keepOfficialVal,
    positiveClass: experiment.positiveClass,
    memoryBudget: request.budget?.budget,
    subset: request.budget?.subset,
    log,
    checkIdentity: request.replay
      ? (identity, test) => checkSameData(request.replay!, request, identity, test, log)
      : undefined,
  });
  // One check of the splits' usefulness for the CLI and the page: a warning each, or (--strict) an error.
  const splitProblems = requireUsefulSplits(
    request.data,
    splitCheckInputOf(data.classNames, data.positiveClass, data),
    { strict: request.strict },
  );
  for (const p of splitProblems) log(`WARNING: ${p.message}`);
  const manifest = splitManifest(data, data.identity.root);
  if (request.replay && manifest.hash !== request.replay.card.data.split.hash) {
    log(
      `warning: the split differs from the card's (manifest ${manifest.hash}, card ${request.replay.card.data.split.hash}); metrics will not match it exactly`,
    );
  }
  const selection = await selectBackend(experiment.backend, {
    kernels: experiment.kernels,
    warn: (line) => log(`WARNING: ${line}`),
  });
  log(backendLine(selection, request.verbose === true));

  const total = plannedRuns(experiment).length;
  const finished: FinishedRun[] = [];
  let started = 0;
  let runStart = 0;
  const name = (key: { modelId: string; seed: number }) =>
    isEnsemble(key)
      ? `${key.modelId} ensemble of its seeds`
      : experiment.seeds.length > 1
        ? `${key.modelId} seed ${key.seed}`
        : key.modelId;
  const logged = new Map<string, number>();
  const outcome = await runExperiment(
    experiment,
    data,
    {
      onRunStart: (key) => {
        runStart = Date.now();
        log(`[${++started}/${total}] ${name(key)}`);
      },
      onPhase: (key, phase) => log(`${name(key)}: ${phase}`),
      onFeatureProgress: (key, p) => {
        if (p.cached) return log(`${name(key)}: ${p.split} features from the cache (${p.total} images)`);
        // About every tenth of a split, and its end.
        if (p.done === p.total || p.done - (logged.get(p.split) ?? 0) >= p.total / 10) {
          logged.set(p.split, p.done);
          log(`${name(key)}: backbone pass over ${p.split}: ${p.done}/${p.total}`);
        }
      },
      onEpochEnd: (key, e) =>
        log(
          `${name(key)}: epoch ${e.epoch}/${experiment.epochs}  loss ${e.loss.toFixed(4)}  acc ${e.accuracy.toFixed(3)}` +
            (e.valLoss == null ? '' : `  val_loss ${e.valLoss.toFixed(4)}  val_acc ${e.valAccuracy!.toFixed(3)}`) +
            `  ${e.imagesPerSec.toFixed(1)} img/s`,
        ),
      onRunEnd: (run) => {
        finished.push(run);
        log(
          `${name(run.key)}: ${run.record.status}${run.record.error ? ` — ${run.record.error}` : ''} in ${((Date.now() - runStart) / 1000).toFixed(1)} s`,
        );
      },
    },
    { runOptions: { featureCache }, exporter: standardFormatsExporter() },
  );

  const cardData: CardData = {
    source: request.data,
    kind: /\.zip$/i.test(request.data) ? 'zip' : 'folder',
    classNames: data.classNames,
    identity: data.identity,
    test: request.test && data.testIdentity ? { source: request.test, identity: data.testIdentity } : null,
    testSet: data.testSource,
    split: manifest,
  };
  const card = makeExperimentCard({
    settings: experiment,
    data: cardData,
    environment: describeEnvironment(selection.name, '', selection.kernels),
    results: outcome.records,
    testImages: {
      files: data.test.files.slice(0, data.test.count),
      labels: data.test.labels.subarray(0, data.test.count),
    },
    predictions: finished
      .filter((f) => f.evaluation)
      .map((f) => ({ modelId: f.key.modelId, seed: f.key.seed, probabilities: f.evaluation!.probabilities })),
  });
  await writeOutputs(request.out, outputFiles(card, finished, data.skipped));
  const { records, summary } = outcome;
  const { comparisons } = card;
  io.stdout(
    request.json
      ? `${JSON.stringify({ settings: experiment, results: records, summary, comparisons, comparisonsOverSeeds: comparisonsOverSeeds(comparisons) }, null, 2)}\n`
      : renderComparisonTable(records) + '\n',
  );
  if (!request.json) io.stdout(renderSeedSummaryTable(records)); // with several seeds: mean ± sd, degenerate seeds named
  if (!request.json) io.stdout(renderComparisonsText(comparisons));
  log(
    `wrote ${request.out}/experiment.json, results.json, report.md and ${finished.filter((f) => f.files).length} model(s)`,
  );
  tf.disposeVariables();
  return records.every((r) => r.status === 'ok') ? 0 : 1;
}

/**
 * What --out must have room for: every run's weights, three times over (the lab's files and the stock exports), plus
 * a megabyte for the reports. A model that cannot be measured yet counts as nothing (its run fails with a message).
 */
function expectedOutputBytes(experiment: Experiment): number {
  let bytes = 1 << 20;
  for (const id of experiment.models) {
    try {
      bytes +=
        3 *
        experiment.seeds.length *
        findModel(id).measure({ size: experiment.size, channels: experiment.channels }).bytes;
    } catch {
      // An unloaded backbone: its run reports it.
    }
  }
  return bytes;
}

/** A replay refuses other data (exit 2, one line) unless --allow-other-data. */
function checkSameData(
  replay: NonNullable<ComparisonRequest['replay']>,
  request: ComparisonRequest,
  identity: DataIdentity,
  test: DataIdentity | null,
  log: (line: string) => void,
): void {
  const { card, allowOtherData } = replay;
  const differ = (what: string, path: string, found: DataIdentity, expected: DataIdentity) => {
    const message =
      `${path}: its files differ from the ${what} the card ran on (fingerprint ${found.fingerprint}, ${found.files} images; ` +
      `the card's ${expected.fingerprint}, ${expected.files} images)`;
    if (!allowOtherData) throw new CliError(`${message}; pass --allow-other-data to run on it anyway`);
    log(`warning: ${message}; running anyway (--allow-other-data)`);
  };
  if (identity.fingerprint !== card.data.identity.fingerprint)
    differ('data', request.data, identity, card.data.identity);
  if (card.data.test && !request.test)
    throw new CliError(`the card's test images came from ${card.data.test.source}: give them with --test DIR`);
  if (card.data.test && test && test.fingerprint !== card.data.test.identity.fingerprint)
    differ('test data', request.test!, test, card.data.test.identity);
}

/** Everything --out receives: the results bundle the page's Download all writes too (experiment/results-bundle.ts). */
function outputFiles(
  card: ExperimentCard,
  finished: readonly FinishedRun[],
  skipped: readonly SkippedFile[],
): OutputFiles {
  return resultsBundle(
    card,
    finished.map((run) => ({
      key: run.key,
      record: run.record,
      files: run.files
        ? { 'model.json': run.files.modelJson, 'weights.bin': run.files.weights, ...run.files.extra }
        : null,
    })),
    skipped,
  );
}
