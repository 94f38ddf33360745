/**
 * "Save project" and "Open project" in the worker: zipping (or checking) hundreds of MB of weights and images must
 * not freeze the page, and the worker holds what the zip needs besides the page's results — the checkpoints of
 * interrupted runs (in the project store) and the decoded images. An opened project becomes the saved project, so a
 * reload keeps it, and its images (when it has them) become the loaded dataset, so its interrupted runs can resume.
 */
import type { ExperimentCard } from '../lab/experiment/card';
import { readProjectZip, writeProjectZip } from '../lab/persist/project-zip';
import { runsFromCard } from '../lab/persist/runs-from-card';
import { savedRunId, type InterruptedRun, type SavedModelFiles, type SavedRun } from '../lab/persist/saved-project';
import type { Autosave } from './autosave';
import { fromStored, toStored } from './dataset-autosave';
import type { LoadedDataset } from './dataset';

/**
 * The project zip: the page's card and model files, the stored checkpoints of runs on the same data, and — when
 * `withImages` — the loaded dataset, which must be the card's data at the card's image format. `current` is read
 * after the checkpoints are: a re-split meanwhile reorders the pixels, and labels and pixels must come from one state.
 */
export async function saveProjectZip(
  card: ExperimentCard,
  models: readonly [string, SavedModelFiles][],
  withImages: boolean,
  current: () => LoadedDataset | null,
  autosave: Autosave,
): Promise<Uint8Array> {
  const fingerprint = card.data.identity.fingerprint;
  const checkpoints = (await autosave.checkpointEntries().catch(() => [])).filter(
    (c) => c.info.fingerprint === fingerprint,
  );
  const dataset = withImages ? current() : null;
  if (withImages) {
    if (dataset?.identity.fingerprint !== fingerprint) {
      throw new Error(
        dataset
          ? `the loaded images (${dataset.summary.source}) are not the data these results came from (${card.data.source}): load that data, or save without the images`
          : `no images are loaded: load the data these results came from (${card.data.source}), or save without the images`,
      );
    }
    const { size, channels } = dataset.images;
    if (size !== card.settings.size || channels !== card.settings.channels) {
      throw new Error(
        `the loaded images are ${size}×${size}×${channels}, the experiment trained at ${card.settings.size}×${card.settings.size}×${card.settings.channels}: ` +
          'load the data at that size, or save without the images',
      );
    }
  }
  return writeProjectZip({ card, models: new Map(models), checkpoints, dataset: dataset ? toStored(dataset) : null });
}

export interface OpenedProject {
  card: ExperimentCard;
  models: [string, SavedModelFiles][];
  checkpoints: readonly { info: InterruptedRun; bytes: Uint8Array }[];
  /** The project's images as a dataset (null: it has none). */
  dataset: LoadedDataset | null;
}

/** Reads a project zip whole and rebuilds its dataset; a bad one throws, naming the part, and nothing has changed. */
export function readOpenedProject(bytes: Uint8Array, name: string): OpenedProject {
  const project = readProjectZip(bytes, name);
  let dataset: LoadedDataset | null = null;
  try {
    dataset = project.dataset ? fromStored(project.dataset) : null;
  } catch (err) {
    throw new Error(`${name}: the images in dataset/ cannot be used (${(err as Error).message})`, { cause: err });
  }
  return { card: project.card, models: [...project.models], checkpoints: project.checkpoints, dataset };
}

/**
 * Makes an opened project the one kept in this browser, so a reload shows it and its interrupted runs can resume.
 * Returns why it could not be kept (the page still shows it, without those runs), or null.
 */
export async function keepOpenedProject(opened: OpenedProject, autosave: Autosave): Promise<string | null> {
  const { card } = opened;
  const files = new Map(opened.models);
  const runs: SavedRun[] = runsFromCard(card).map((r) => ({ ...r, files: files.get(savedRunId(r)) ?? null }));
  try {
    await autosave.replaceWith(
      {
        experiment: card.settings,
        data: card.data,
        testImages: card.testImages,
        environment: card.environment,
        savedAt: new Date().toISOString(),
      },
      runs,
      opened.checkpoints,
    );
    return null;
  } catch (err) {
    const resumable = opened.checkpoints.length > 0 ? ' Its interrupted runs cannot be resumed here.' : '';
    return `${(err as Error).message} The opened project is shown, but a reload will not bring it back.${resumable}`;
  }
}
