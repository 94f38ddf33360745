import { makeExperimentCard, type ExperimentCard } from '../../lab/experiment/card';
import type { ModelResult } from '../../worker/protocol';
import type { ResultsContext } from './lab-state';

/** The card of the results on the page: the run's own settings and data, captured when it started. */
export function cardOf(context: ResultsContext, results: readonly ModelResult[]): ExperimentCard {
  const { data, testImages, environment } = context;
  if (!data || !testImages || !environment) throw new Error('the run has not described its data yet');
  return makeExperimentCard({
    settings: context.experiment,
    data,
    environment,
    results: results.map((r) => r.record),
    testImages,
    predictions: results
      .filter((r) => r.probabilities.length > 0)
      .map((r) => ({ modelId: r.modelId, seed: r.seed, probabilities: r.probabilities })),
    // An opened results.json has no probabilities: its paired tests travel on as written.
    comparisons: context.comparisons,
  });
}
