/**
 * The project file: one .zip with everything a project is — the experiment card (settings, data identity and split,
 * every run's record with its epoch curves, test probabilities), each trained model as TF.js files, the
 * checkpoints of interrupted runs and — when the user asks for them — the decoded images (so the project trains on,
 * or resumes, in a browser that never saw the folder) — plus a manifest, `xray-lab-project.json`, that says it is one. The page saves
 * and opens it, the CLI reads it (`xray-lab project FILE.zip`). Reading is all or nothing: a foreign, damaged or
 * newer file is refused with one sentence naming the file and the part, and nothing of it is used.
 * Framework-free and tfjs-free.
 */
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { parseExperimentCard, renderExperimentCard, type ExperimentCard } from '../experiment/card';
import { decodeCheckpoint } from './checkpoint-codec';
import { CHUNK_BYTES, storedMetaProblem, type StoredDataset, type StoredDatasetMeta } from './dataset-record';
import { savedRunId, type InterruptedRun, type SavedModelFiles } from './saved-project';

export const PROJECT_FORMAT = 'xray-lab-project';
export const PROJECT_VERSION = 1;
export const PROJECT_MANIFEST = 'xray-lab-project.json';

interface Manifest {
  format: typeof PROJECT_FORMAT;
  version: number;
  createdAt: string;
  /** Each finished run's model folder (null: the run left no model, e.g. it failed). */
  runs: { modelId: string; seed: number; folder: string | null }[];
  /** Interrupted runs, with their checkpoint's path. */
  checkpoints: (InterruptedRun & { path: string })[];
  /** The decoded images, when saved with them (absent in files written before they could be). */
  dataset?: { meta: string; pixels: string; images: number; bytes: number } | null;
}

const DATASET_META = 'dataset/meta.json';
const DATASET_PIXELS = 'dataset/pixels.bin';

export interface ProjectContents {
  readonly card: ExperimentCard;
  /** Model files by run id (`light-k2@1`). */
  readonly models: ReadonlyMap<string, SavedModelFiles>;
  /** Interrupted runs and their checkpoint bytes (checked to decode). */
  readonly checkpoints: readonly { info: InterruptedRun; bytes: Uint8Array }[];
  /** The decoded dataset (pixels, labels, file names, split), when the project was saved with its images. */
  readonly dataset?: StoredDataset | null;
}

/** A file that is not a readable project. */
export class ProjectFileError extends Error {
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'ProjectFileError';
  }
}

/** The project as zip bytes (stored uncompressed: float32 weights barely compress). */
export function writeProjectZip(project: ProjectContents): Uint8Array {
  const tree: Zippable = {};
  const runs: Manifest['runs'] = project.card.results.map((r) => {
    const files = project.models.get(savedRunId(r));
    if (!files) return { modelId: r.modelId, seed: r.seed, folder: null };
    const folder = `models/${r.modelId}/seed-${r.seed}`;
    tree[`${folder}/model.json`] = strToU8(files.modelJson);
    tree[`${folder}/weights.bin`] = files.weights.slice();
    return { modelId: r.modelId, seed: r.seed, folder };
  });
  const checkpoints = project.checkpoints.map(({ info, bytes }) => {
    const path = `checkpoints/${savedRunId(info)}.bin`;
    tree[path] = bytes.slice();
    return { ...info, path };
  });
  let dataset: Manifest['dataset'] = null;
  if (project.dataset) {
    const { meta, pixels } = project.dataset;
    // JSON has no Int32Array: the labels go as a plain list.
    tree[DATASET_META] = strToU8(JSON.stringify({ ...meta, labels: [...meta.labels] }));
    tree[DATASET_PIXELS] = pixels;
    dataset = { meta: DATASET_META, pixels: DATASET_PIXELS, images: meta.count, bytes: pixels.byteLength };
  }
  const manifest: Manifest = {
    format: PROJECT_FORMAT,
    version: PROJECT_VERSION,
    createdAt: new Date().toISOString(),
    runs,
    checkpoints,
    dataset,
  };
  tree[PROJECT_MANIFEST] = strToU8(JSON.stringify(manifest, null, 2));
  tree['experiment.json'] = strToU8(renderExperimentCard(project.card));
  return zipSync(tree, { level: 0 });
}

/** Reads a project zip; throws ProjectFileError (or the card's own ExperimentFileError) naming what is wrong. */
export function readProjectZip(bytes: Uint8Array, file = 'project.zip'): ProjectContents {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (err) {
    throw new ProjectFileError(file, `not a readable zip archive (${(err as Error).message})`);
  }
  const text = (path: string) => {
    const data = entries[path];
    if (!data) throw new ProjectFileError(file, `${path} is missing`);
    return strFromU8(data);
  };
  if (!entries[PROJECT_MANIFEST]) {
    throw new ProjectFileError(
      file,
      `not an X-Ray Lab project (no ${PROJECT_MANIFEST}; a "Download all" zip's experiment.json opens with "Open a saved experiment")`,
    );
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text(PROJECT_MANIFEST)) as Manifest;
  } catch {
    throw new ProjectFileError(file, `${PROJECT_MANIFEST} is not valid JSON`);
  }
  if (manifest?.format !== PROJECT_FORMAT)
    throw new ProjectFileError(file, `${PROJECT_MANIFEST} is not an X-Ray Lab project manifest`);
  if (!Number.isInteger(manifest.version) || manifest.version > PROJECT_VERSION) {
    throw new ProjectFileError(
      file,
      `project version ${String(manifest.version)} was written by a newer X-Ray Lab (this one reads up to ${PROJECT_VERSION})`,
    );
  }
  if (!Array.isArray(manifest.runs) || !Array.isArray(manifest.checkpoints))
    throw new ProjectFileError(file, `${PROJECT_MANIFEST} lists no runs`);
  const card = parseExperimentCard(text('experiment.json'), `${file}/experiment.json`);
  const models = new Map<string, SavedModelFiles>();
  for (const run of manifest.runs) {
    if (!card.results.some((r) => r.modelId === run.modelId && r.seed === run.seed)) {
      throw new ProjectFileError(
        file,
        `${PROJECT_MANIFEST} lists ${savedRunId(run)}, which experiment.json has no result for`,
      );
    }
    if (run.folder == null) continue;
    const modelJson = text(`${run.folder}/model.json`);
    try {
      JSON.parse(modelJson);
    } catch {
      throw new ProjectFileError(file, `${run.folder}/model.json is not valid JSON`);
    }
    const weights = entries[`${run.folder}/weights.bin`];
    if (!weights) throw new ProjectFileError(file, `${run.folder}/weights.bin is missing`);
    models.set(savedRunId(run), { modelJson, weights });
  }
  const checkpoints = manifest.checkpoints.map((c) => {
    const data = entries[c.path];
    if (!data) throw new ProjectFileError(file, `${c.path} is missing`);
    decodeCheckpoint(data, `${file}/${c.path}`); // refuses a damaged one now, not at resume time
    const { path: _path, ...info } = c;
    return { info, bytes: data };
  });
  const fingerprint = card.data.identity.fingerprint;
  const seen = new Set<string>();
  for (const { info } of checkpoints) {
    const id = savedRunId(info);
    if (info.fingerprint !== fingerprint)
      throw new ProjectFileError(
        file,
        `the checkpoint of ${id} was trained on other data than experiment.json describes`,
      );
    if (seen.has(id)) throw new ProjectFileError(file, `${PROJECT_MANIFEST} lists the checkpoint of ${id} twice`);
    seen.add(id);
  }
  const dataset = manifest.dataset ? readDataset(entries, text, file, card) : null;
  return { card, models, checkpoints, dataset };
}

/** The images saved with the project, checked whole and against the card's data fingerprint. */
function readDataset(
  entries: Record<string, Uint8Array>,
  text: (path: string) => string,
  file: string,
  card: ExperimentCard,
): StoredDataset {
  const fingerprint = card.data.identity.fingerprint;
  let raw: Omit<StoredDatasetMeta, 'labels'> & { labels: unknown };
  try {
    raw = JSON.parse(text(DATASET_META)) as typeof raw;
  } catch (err) {
    if (err instanceof ProjectFileError) throw err;
    throw new ProjectFileError(file, `${DATASET_META} is not valid JSON`);
  }
  const pixels = entries[DATASET_PIXELS];
  if (!pixels) throw new ProjectFileError(file, `${DATASET_PIXELS} is missing`);
  const labels =
    Array.isArray(raw?.labels) && raw.labels.every((l) => Number.isInteger(l))
      ? Int32Array.from(raw.labels as number[])
      : null;
  const meta = { ...raw, labels, chunks: Math.ceil(Number(raw?.pixelBytes) / CHUNK_BYTES) } as StoredDatasetMeta;
  const problem = labels ? storedMetaProblem(meta) : 'its labels are not a list of class numbers';
  if (problem) throw new ProjectFileError(file, `the images in dataset/ cannot be used (${problem})`);
  if (pixels.byteLength !== meta.pixelBytes) {
    throw new ProjectFileError(
      file,
      `${DATASET_PIXELS} holds ${pixels.byteLength} bytes, not the ${meta.pixelBytes} its images need (cut short?)`,
    );
  }
  if (meta.classNames.join('\n') !== card.data.classNames.join('\n')) {
    throw new ProjectFileError(
      file,
      `the images in dataset/ have classes ${meta.classNames.join(', ')}, the experiment ${card.data.classNames.join(', ')}`,
    );
  }
  if (meta.identity.fingerprint !== fingerprint) {
    throw new ProjectFileError(
      file,
      `the images in dataset/ are not the data the experiment trained on (fingerprint ${meta.identity.fingerprint}, the experiment's ${fingerprint})`,
    );
  }
  return { meta, pixels };
}
