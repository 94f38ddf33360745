/**
 * The page's side of the project file (src/lab/persist/project-zip.ts, zipped and read in the worker): the card of
 * the results on the page and their model files, as the worker needs them.
 */
import { runKeyId } from '../../lab/experiment/run-control';
import type { ExperimentCard } from '../../lab/experiment/card';
import type { SavedModelFiles } from '../../lab/persist/saved-project';
import type { ModelResult } from '../../worker/protocol';
import { modelFiles } from '../state/artefacts';
import type { ResultsContext } from '../state/lab-state';
import { cardOf } from '../state/results-card';

export function projectPartsOf(
  context: ResultsContext,
  results: readonly ModelResult[],
): { card: ExperimentCard; models: [string, SavedModelFiles][] } {
  const card = cardOf(context, results);
  const models = results.flatMap((r) => {
    const files = modelFiles(runKeyId(r));
    return files ? [[runKeyId(r), files] as [string, SavedModelFiles]] : [];
  });
  return { card, models };
}
