/**
 * "Save project" and "Open project" in the worker: zipping (or checking) hundreds of MB of weights and images must
 * not freeze the page, and the worker holds what the zip needs besides the page's results — the checkpoints of
 * interrupted runs (in the project store) and the decoded images. An opened project becomes the saved project, so a
 * reload keeps it, and its images (when it has them) become the loaded dataset, so its interrupted runs can resume.
 */
import type { ExperimentCard } from '../lab/experiment/card';
import { readProjectZip, writeProjectZip } from '../lab/persist/project-zip';
import { runsFromCard } from '../lab/persist/runs-from-card';
import type { InterruptedRun, SavedModelFiles, SavedRun } from '../lab/persist/saved-project';
import type { Autosave } from './autosave';
import { fromStored, toStored } from './dataset-autosave';
import type { LoadedDataset } from './dataset';

/**
 * The project zip: the page's card and model files, the stored checkpoints of runs on the same data, and — when
 * `withImages` — the loaded dataset, which must be the data the card describes.
 */
export async function saveProjectZip(
  card: ExperimentCard, models: readonly [string, SavedModelFiles][], withImages: boolean, dataset: LoadedDataset | null, autosave: Autosave,
): Promise<Uint8Array> {
  const fingerprint = card.data.identity.fingerprint;
  if (withImages && dataset?.identity.fingerprint !== fingerprint) {
    throw new Error(dataset
      ? `the loaded images (${dataset.summary.source}) are not the data these results came from (${card.data.source}): load that data, or save without the images`
      : `no images are loaded: load the data these results came from (${card.data.source}), or save without the images`);
  }
  const checkpoints = (await autosave.checkpointEntries().catch(() => [])).filter((c) => c.info.fingerprint === fingerprint);
  return writeProjectZip({ card, models: new Map(models), checkpoints, dataset: withImages && dataset ? toStored(dataset) : null });
}

export interface OpenedProject {
  card: ExperimentCard;
  models: [string, SavedModelFiles][];
  interrupted: InterruptedRun[];
  /** The project's images, now the loaded dataset (null: it has none). */
  dataset: LoadedDataset | null;
  /** Why the project could not be kept in this browser's store (it is shown all the same). */
  storageProblem: string | null;
}

/** Reads a project zip whole (a bad one throws, naming the part, and changes nothing), then stores it as the saved project. */
export async function openProjectZip(bytes: Uint8Array, name: string, autosave: Autosave): Promise<OpenedProject> {
  const project = readProjectZip(bytes, name);
  const { card } = project;
  const runs: SavedRun[] = runsFromCard(card).map((r) => ({ ...r, files: project.models.get(`${r.modelId}@${r.seed}`) ?? null }));
  let storageProblem: string | null = null;
  try {
    await autosave.replaceWith(
      { experiment: card.settings, data: card.data, testImages: card.testImages, environment: card.environment, savedAt: new Date().toISOString() },
      runs, project.checkpoints,
    );
  } catch (err) {
    storageProblem = `${(err as Error).message} The opened project is shown, but a reload will not bring it back.`;
  }
  return {
    card, models: [...project.models], interrupted: project.checkpoints.map((c) => c.info),
    dataset: project.dataset ? fromStored(project.dataset) : null, storageProblem,
  };
}
