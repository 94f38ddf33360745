/**
 * A model's seeds as one classifier: the mean of their predicted test probabilities, scored with the same metrics and
 * bootstrap intervals as a single run (evaluatePredictions), so the record stands beside the runs it averages.
 * Averaging the members' probabilities is the plain deep ensemble (Lakshminarayanan et al. 2017); with test-time
 * BatchNorm adaptation the adapted probabilities are averaged, as each run's `test` is the adapted one.
 */
import { evaluatePredictions, type EvaluationResult } from '../eval/evaluate';
import { ENSEMBLE_SEED } from '../report/ensemble-record';
import { makeResultRecord, type ResultRecord } from '../report/result-record';
import { testRecord } from '../report/test-record';

/** One finished run of the model, as the ensemble takes it. */
export interface EnsembleMember {
  readonly record: ResultRecord;
  readonly evaluation: EvaluationResult | null;
  readonly evaluationBeforeAdaptation?: EvaluationResult | null;
}

export interface SeedEnsemble {
  readonly record: ResultRecord;
  /** The averaged probabilities, scored (what `record.test` holds). */
  readonly evaluation: EvaluationResult;
  /** With adaptation: the members' unadapted probabilities averaged; else null. */
  readonly evaluationBeforeAdaptation: EvaluationResult | null;
}

export interface EnsembleSettings {
  readonly threshold: number;
  /** Bootstrap resamples of the intervals; 0 = none. Their seed is the first member's. */
  readonly bootstrap: number;
  readonly positiveNamed: boolean;
}

/**
 * The ensemble of a model's finished runs (status ok, with a test evaluation), or null when fewer than two such runs
 * exist or they did not score the same images in the same order (their labels differ).
 */
export function seedEnsemble(runs: readonly EnsembleMember[], settings: EnsembleSettings): SeedEnsemble | null {
  const members = runs.filter((r) => r.record.status === 'ok' && r.evaluation !== null && r.record.test !== null);
  if (members.length < 2) return null;
  const evaluations = members.map((m) => m.evaluation!);
  if (!sameImages(evaluations)) return null;
  const first = members[0].record;
  const seeds = members.map((m) => m.record.seed);
  const options = {
    positiveClass: evaluations[0].positiveClass,
    threshold: settings.threshold,
    positiveNamed: settings.positiveNamed,
    bootstrap: settings.bootstrap > 0 ? { iterations: settings.bootstrap, seed: seeds[0] } : undefined,
  };
  const evaluation = evaluatePredictions(averagedPredictions(evaluations), options);
  const before = members.every((m) => m.evaluationBeforeAdaptation)
    ? members.map((m) => m.evaluationBeforeAdaptation!)
    : null;
  const evaluationBeforeAdaptation =
    before && sameImages([...before, evaluations[0]])
      ? evaluatePredictions(averagedPredictions(before), options)
      : null;
  const sum = (pick: (r: ResultRecord) => number) => members.reduce((total, m) => total + pick(m.record), 0);
  const adaptations = new Set(members.map((m) => m.record.adaptation));
  const record = makeResultRecord(
    {
      modelId: first.modelId,
      label: first.label,
      // What scoring one image with the ensemble takes: every member's weights.
      params: sum((r) => r.params),
      trainableParams: sum((r) => r.trainableParams),
      bytes: null,
      inputSize: first.inputSize,
      channels: first.channels,
      backend: first.backend,
      seed: ENSEMBLE_SEED,
      epochsRun: 0,
      epochsPlanned: first.epochsPlanned,
      status: 'ok',
      backbone: first.backbone,
    },
    evaluation,
    null,
  );
  return {
    record: {
      ...record,
      ensembleOf: seeds,
      ...(adaptations.size === 1 && first.adaptation ? { adaptation: first.adaptation } : {}),
      ...(evaluationBeforeAdaptation ? { testBeforeAdaptation: testRecord(evaluationBeforeAdaptation) } : {}),
    },
    evaluation,
    evaluationBeforeAdaptation,
  };
}

/** Every evaluation scored the same classes and the same labels in the same order. */
function sameImages(evaluations: readonly EvaluationResult[]): boolean {
  const [first, ...rest] = evaluations;
  const k = first.classNames.length;
  return rest.every(
    (e) =>
      e.count === first.count &&
      e.positiveClass === first.positiveClass &&
      e.classNames.join('\n') === first.classNames.join('\n') &&
      e.probabilities.length === first.count * k &&
      e.labels.every((label, i) => label === first.labels[i]),
  );
}

/** The members' mean probabilities, with each image's cross-entropy against its label. */
export function averagedPredictions(evaluations: readonly EvaluationResult[]) {
  const { count, classNames, labels } = evaluations[0];
  const k = classNames.length;
  const sums = new Float64Array(count * k);
  for (const e of evaluations) {
    for (let i = 0; i < sums.length; i++) sums[i] += e.probabilities[i];
  }
  // Float32 as every run's probabilities are kept.
  const probabilities = Float32Array.from(sums, (s) => s / evaluations.length);
  // Capped where float32 rounded a probability to 0, as the runs' own losses are.
  const losses = Float64Array.from(labels, (label, i) => -Math.log(Math.max(probabilities[i * k + label], 1e-45)));
  return { probabilities, losses, labels, classNames };
}
