/**
 * The project file: one .zip with everything a project is — the experiment card (settings, data identity and split,
 * every run's record with its epoch curves, test probabilities), each trained model as TF.js files, and the
 * checkpoints of interrupted runs — plus a manifest, `xray-lab-project.json`, that says it is one. The page saves
 * and opens it, the CLI reads it (`xray-lab project FILE.zip`). Reading is all or nothing: a foreign, damaged or
 * newer file is refused with one sentence naming the file and the part, and nothing of it is used.
 * Framework-free and tfjs-free.
 */
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { parseExperimentCard, renderExperimentCard, type ExperimentCard } from '../experiment/card';
import { decodeCheckpoint } from './checkpoint-codec';
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
}

export interface ProjectContents {
  readonly card: ExperimentCard;
  /** Model files by run id (`light-k2@1`). */
  readonly models: ReadonlyMap<string, SavedModelFiles>;
  /** Interrupted runs and their checkpoint bytes (checked to decode). */
  readonly checkpoints: readonly { info: InterruptedRun; bytes: Uint8Array }[];
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
  const manifest: Manifest = { format: PROJECT_FORMAT, version: PROJECT_VERSION, createdAt: new Date().toISOString(), runs, checkpoints };
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
    throw new ProjectFileError(file, `not an X-Ray Lab project (no ${PROJECT_MANIFEST}; a "Download all" zip's experiment.json opens with "Open a saved experiment")`);
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text(PROJECT_MANIFEST)) as Manifest;
  } catch {
    throw new ProjectFileError(file, `${PROJECT_MANIFEST} is not valid JSON`);
  }
  if (manifest?.format !== PROJECT_FORMAT) throw new ProjectFileError(file, `${PROJECT_MANIFEST} is not an X-Ray Lab project manifest`);
  if (!Number.isInteger(manifest.version) || manifest.version > PROJECT_VERSION) {
    throw new ProjectFileError(file, `project version ${String(manifest.version)} was written by a newer X-Ray Lab (this one reads up to ${PROJECT_VERSION})`);
  }
  if (!Array.isArray(manifest.runs) || !Array.isArray(manifest.checkpoints)) throw new ProjectFileError(file, `${PROJECT_MANIFEST} lists no runs`);
  const card = parseExperimentCard(text('experiment.json'), `${file}/experiment.json`);
  const models = new Map<string, SavedModelFiles>();
  for (const run of manifest.runs) {
    if (!card.results.some((r) => r.modelId === run.modelId && r.seed === run.seed)) {
      throw new ProjectFileError(file, `${PROJECT_MANIFEST} lists ${savedRunId(run)}, which experiment.json has no result for`);
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
  return { card, models, checkpoints };
}
