/**
 * The experiment card (experiment.json): one portable file that says what was run (the schema's settings), on
 * which data (its identity and the split manifest), where (lab and tfjs versions, backend, browser or Node), and
 * what came out (every run's record, the per-model summary and each run's test probabilities). The page's
 * "Download all" and the CLI's `--out` write it; `xray-lab run` replays it; the page opens it and shows its results.
 * Framework-free and tfjs-free: the page's main thread reads it too.
 */
import type { KernelChoice } from '../backend/fast-training/kernel-choice';
import type { DataIdentity, SplitManifest } from '../data/data-identity';
import { pairedComparisons, type PairComparison } from '../report/comparisons';
import type { ResultRecord } from '../report/result-record';
import { checkResultRecords, parseResultsJson } from '../report/render-json';
import { summariseRecords, type ModelSummary } from '../report/summary';
import { defaultExperiment, type Experiment } from './schema';
import { experimentFromJson, type ValidateOptions } from './validate';

export const EXPERIMENT_FORMAT = 'xray-lab-experiment';
/** Bumped when the card changes in a way older readers would misread. */
export const EXPERIMENT_FORMAT_VERSION = 1;

/** The data an experiment ran on. */
export interface CardData {
  /** How the data was named: a folder path, an archive's name, the demo set's description. */
  readonly source: string;
  readonly kind: 'folder' | 'zip' | 'files' | 'demo';
  readonly classNames: string[];
  readonly identity: DataIdentity;
  /** A separate test source (the CLI's --test), or null when the test set came from `source`. */
  readonly test: { readonly source: string; readonly identity: DataIdentity } | null;
  /** How the test set was obtained, in words ("the data's own test/ folder", "a patient-level 20% …"). */
  readonly testSet: string;
  /** Which file went where (paths relative to the data's root; --test files relative to theirs). */
  readonly split: SplitManifest;
}

/** Where it ran. */
export interface Environment {
  readonly labVersion: string;
  readonly tfjsVersion: string;
  /** The backend the runs trained on, and its GPU adapter or renderer ('' for wasm/cpu). */
  readonly backend: string;
  readonly adapter: string;
  readonly runtime: 'browser' | 'node';
  /** The browser's user agent, or `Node.js v20.x` on the command line. */
  readonly agent: string;
  /** The kernels that trained: the lab's fast path or stock tfjs (absent in cards written before the choice). */
  readonly kernels?: KernelChoice;
}

/** One run's test-set probabilities: count × classes, row-major, in `ExperimentCard.testImages` order. */
export interface RunPredictions {
  readonly modelId: string;
  readonly seed: number;
  readonly probabilities: number[];
}

export interface ExperimentCard {
  readonly format: typeof EXPERIMENT_FORMAT;
  readonly version: number;
  readonly createdAt: string;
  readonly settings: Experiment;
  readonly data: CardData;
  readonly environment: Environment;
  readonly results: ResultRecord[];
  readonly summary: ModelSummary[];
  /** The test images in the order runs scored them, with their labels. */
  readonly testImages: { readonly files: string[]; readonly labels: number[] };
  readonly predictions: RunPredictions[];
  /** Paired tests per (seed, pair of models) on the test images, derived from the predictions (report/comparisons.ts). */
  readonly comparisons: PairComparison[];
}

/** A problem with a loaded experiment or results file: one line naming the file and the field. */
export class ExperimentFileError extends Error {
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'ExperimentFileError';
  }
}

/**
 * Everything a card is made of; the summary is derived here, probabilities are rounded to 6 decimals, and the
 * paired comparisons are computed from the rounded ones (so reading the card back gives the same tests). Without
 * probabilities (results opened from a results.json) the comparisons given are kept.
 */
export function makeExperimentCard(parts: {
  settings: Experiment;
  data: CardData;
  environment: Environment;
  results: readonly ResultRecord[];
  testImages: { files: readonly string[]; labels: ArrayLike<number> };
  predictions: readonly { modelId: string; seed: number; probabilities: ArrayLike<number> }[];
  comparisons?: readonly PairComparison[];
  createdAt?: Date;
}): ExperimentCard {
  const predictions = parts.predictions.map((p) => ({
    modelId: p.modelId,
    seed: p.seed,
    probabilities: Array.from(p.probabilities, (x) => Math.round(x * 1e6) / 1e6),
  }));
  return {
    format: EXPERIMENT_FORMAT,
    version: EXPERIMENT_FORMAT_VERSION,
    createdAt: (parts.createdAt ?? new Date()).toISOString(),
    settings: parts.settings,
    data: parts.data,
    environment: parts.environment,
    results: [...parts.results],
    summary: summariseRecords(parts.results),
    testImages: { files: [...parts.testImages.files], labels: Array.from(parts.testImages.labels) },
    predictions,
    comparisons:
      predictions.length > 0
        ? pairedComparisons(parts.results, parts.testImages.labels, predictions)
        : [...(parts.comparisons ?? [])],
  };
}

export function renderExperimentCard(card: ExperimentCard): string {
  return `${JSON.stringify(card, null, 2)}\n`;
}

/**
 * Reads an experiment card from text, checking what a replay and the page rely on: the format and its version, every
 * setting against the schema (unknown model ids through `options.checkModel`), the data identity, the records and
 * the predictions' lengths. Throws ExperimentFileError naming `file` and the first problem.
 */
export function parseExperimentCard(
  text: string,
  file = 'experiment.json',
  options: ValidateOptions = {},
): ExperimentCard {
  const fail = (detail: string): never => {
    throw new ExperimentFileError(file, detail);
  };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return fail(`not valid JSON (${(err as Error).message}); is the file complete?`);
  }
  if (!isObject(data)) return fail('must hold a JSON object');
  if (data.format !== EXPERIMENT_FORMAT) {
    if (Array.isArray(data.results) && 'generatedAt' in data)
      return fail('is a results file, not an experiment card (open it as results.json)');
    return fail(
      `is not an X-Ray Lab experiment card (format is ${JSON.stringify(data.format ?? null)}, expected "${EXPERIMENT_FORMAT}")`,
    );
  }
  if (!Number.isInteger(data.version) || (data.version as number) < 1)
    return fail(`has no valid format version (got ${JSON.stringify(data.version ?? null)})`);
  if ((data.version as number) > EXPERIMENT_FORMAT_VERSION) {
    return fail(
      `was written by a newer X-Ray Lab (format version ${data.version}; this one reads up to ${EXPERIMENT_FORMAT_VERSION}): update the lab`,
    );
  }
  if (typeof data.createdAt !== 'string') return fail('has no createdAt time stamp');

  if (!isObject(data.settings)) return fail('has no settings object');
  const read = experimentFromJson(data.settings, defaultExperiment(), options);
  if (read.unknownKeys.length > 0) return fail(`settings.${read.unknownKeys[0]} is not a setting this lab knows`);
  if (read.problems.length > 0) return fail(`settings.${read.problems[0].key} ${read.problems[0].message}`);

  const cardData = checkCardData(data.data, fail);
  if (!isObject(data.environment)) return fail('has no environment object');
  if (!Array.isArray(data.results)) return fail('has no results list');
  const problem = checkResultRecords(data.results);
  if (problem) return fail(problem);
  const results = data.results as ResultRecord[];
  const images = data.testImages;
  if (
    !isObject(images) ||
    !Array.isArray(images.files) ||
    !Array.isArray(images.labels) ||
    images.files.length !== images.labels.length
  ) {
    return fail('testImages must hold files and labels of equal length');
  }
  if (!Array.isArray(data.predictions)) return fail('has no predictions list');
  const width = cardData.classNames.length;
  data.predictions.forEach((p: unknown, i: number) => {
    if (!isObject(p) || typeof p.modelId !== 'string' || !Number.isInteger(p.seed) || !Array.isArray(p.probabilities)) {
      fail(`predictions[${i}] needs a modelId, a seed and probabilities`);
      return;
    }
    if ((p.probabilities as unknown[]).length !== (images.files as unknown[]).length * width) {
      fail(
        `predictions[${i}] (${p.modelId}, seed ${p.seed}) holds ${(p.probabilities as unknown[]).length} probabilities; ` +
          `${(images.files as unknown[]).length} test images × ${width} classes expected`,
      );
    }
  });
  return {
    format: EXPERIMENT_FORMAT,
    version: data.version as number,
    createdAt: data.createdAt,
    settings: read.experiment,
    data: cardData,
    environment: data.environment as unknown as Environment,
    results,
    // Derived again rather than trusted: a hand-edited card cannot show a summary its records do not support.
    summary: summariseRecords(results),
    testImages: images as unknown as ExperimentCard['testImages'],
    predictions: data.predictions as RunPredictions[],
    // Derived from the stored probabilities, as the summary is from the records.
    comparisons: pairedComparisons(results, images.labels as number[], data.predictions as RunPredictions[]),
  };
}

function checkCardData(value: unknown, fail: (detail: string) => never): CardData {
  if (!isObject(value)) return fail('has no data object');
  if (typeof value.source !== 'string') return fail('data.source must be a string');
  if (
    !Array.isArray(value.classNames) ||
    value.classNames.length < 2 ||
    !value.classNames.every((c) => typeof c === 'string')
  ) {
    return fail('data.classNames must list at least 2 class names');
  }
  const identity = value.identity;
  if (!isObject(identity) || typeof identity.fingerprint !== 'string' || !/^[0-9a-f]{16}$/.test(identity.fingerprint)) {
    return fail('data.identity.fingerprint must be 16 hex digits');
  }
  const split = value.split;
  if (
    !isObject(split) ||
    !['train', 'val', 'test'].every((k) => Array.isArray(split[k])) ||
    typeof split.hash !== 'string'
  ) {
    return fail('data.split must hold train, val and test file lists and a hash');
  }
  return value as unknown as CardData;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Opens either an experiment card or a results file (results.json, which holds the records and settings but not
 * the data's identity or per-image probabilities): a results file becomes a card whose data section says so.
 */
export function parseExperimentOrResults(text: string, file: string, options: ValidateOptions = {}): ExperimentCard {
  let peek: unknown = null;
  try {
    peek = JSON.parse(text);
  } catch {
    // parseExperimentCard names the JSON error
  }
  if (!isObject(peek) || peek.format === EXPERIMENT_FORMAT || !Array.isArray(peek.results))
    return parseExperimentCard(text, file, options);
  let results;
  try {
    results = parseResultsJson(text);
  } catch (err) {
    throw new ExperimentFileError(file, (err as Error).message);
  }
  const read = experimentFromJson(results.settings ?? {}, defaultExperiment(), options);
  if (isObject(results.settings) && read.problems.length > 0)
    throw new ExperimentFileError(file, `settings.${read.problems[0].key} ${read.problems[0].message}`);
  const first = results.results[0];
  const classNames = first?.classNames?.length ? [...first.classNames] : ['class 0', 'class 1'];
  const meta = isObject(results.meta) ? results.meta : {};
  const none = { filesPerClass: {}, files: 0, fingerprint: '', root: '' };
  return {
    format: EXPERIMENT_FORMAT,
    version: EXPERIMENT_FORMAT_VERSION,
    createdAt: results.generatedAt,
    settings: read.experiment,
    data: {
      source: typeof meta.data === 'string' ? meta.data : 'not recorded in this results file',
      kind: 'files',
      classNames,
      identity: none,
      test: null,
      testSet: typeof meta.test === 'string' ? meta.test : 'not recorded',
      split: { train: [], val: [], test: [], hash: '' },
    },
    environment: {
      labVersion: '?',
      tfjsVersion: '?',
      backend: first?.backend ?? '?',
      adapter: '',
      runtime: 'browser',
      agent: 'not recorded',
    },
    results: [...results.results],
    summary: summariseRecords(results.results),
    testImages: { files: [], labels: [] },
    predictions: [],
    // A results file has no probabilities to test again: its comparisons are shown as written.
    comparisons: [...results.comparisons],
  };
}
