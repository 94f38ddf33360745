/**
 * An experiment as a small PyTorch project (see project-readme.ts for what it holds and how it runs): every file as
 * bytes or text under its project-relative path, made without a file system so the page, a worker and the CLI
 * all use it. Node callers write the map with `writeFolderAtomically` (src/lab/export/node/write-folder.ts).
 */
import {
  checkClassesAndSplits,
  checkHyperparameters,
  PytorchExportError,
  type PytorchProjectSpec,
} from './project-spec';
import { planModel, type ExperimentModelJson } from './model-plan';
import { projectReadme } from './project-readme';
import { BACKBONES_PY } from './python/backbones-py';
import { DATA_PY } from './python/data-py';
import { METRICS_PY } from './python/metrics-py';
import { MODELS_PY } from './python/models-py';
import { RESULTS_PY } from './python/results-py';
import { TRAIN_PY } from './python/train-py';
import { TRAINER_PY } from './python/trainer-py';
import { WEIGHTS_PY } from './python/weights-py';

/** Project-relative path ('/'-separated) → contents. */
export type ProjectFiles = Map<string, string | Uint8Array>;

/** experiment.json: everything train.py reads. */
export interface ExperimentJson {
  format: 'xray-lab-pytorch-experiment';
  version: 1;
  title: string;
  classNames: string[];
  positiveClass: number;
  hyperparameters: PytorchProjectSpec['hyperparameters'];
  models: ExperimentModelJson[];
  splits: PytorchProjectSpec['splits'];
  /** The lab's settings when exported from a card (train.py writes them, with its overrides, into results.json). */
  labSettings?: PytorchProjectSpec['settings'];
}

const PYTHON_FILES: ReadonlyArray<[string, string]> = [
  ['train.py', TRAIN_PY],
  ['trainer.py', TRAINER_PY],
  ['models.py', MODELS_PY],
  ['backbones.py', BACKBONES_PY],
  ['data.py', DATA_PY],
  ['metrics.py', METRICS_PY],
  ['results.py', RESULTS_PY],
  ['weights.py', WEIGHTS_PY],
];

/**
 * Checks the spec (throws PytorchExportError naming the field) and makes every file of the project. Reads the
 * trained models' weights; creates no lasting tensors and does not dispose the models it is given.
 */
export async function writePytorchProject(spec: PytorchProjectSpec): Promise<ProjectFiles> {
  if (!Array.isArray(spec.models) || spec.models.length === 0) throw new PytorchExportError('models lists no model');
  if (new Set(spec.models).size !== spec.models.length)
    throw new PytorchExportError(`models lists a model twice (${spec.models.join(', ')})`);
  checkHyperparameters(spec.hyperparameters);
  checkClassesAndSplits(spec);
  const weights = spec.hyperparameters.classWeights;
  if (Array.isArray(weights) && weights.length !== spec.classNames.length) {
    throw new PytorchExportError(
      `hyperparameters.classWeights lists ${weights.length} weights for ${spec.classNames.length} classes`,
    );
  }
  const seen = new Set<string>();
  for (const t of spec.trained ?? []) {
    if (!spec.models.includes(t.modelId))
      throw new PytorchExportError(
        `trained weights of ${t.modelId}, which is not one of models (${spec.models.join(', ')})`,
      );
    const key = `${t.modelId}#${t.seed}`;
    if (seen.has(key)) throw new PytorchExportError(`trained weights of ${t.modelId} seed ${t.seed} are given twice`);
    seen.add(key);
  }

  const files: ProjectFiles = new Map();
  const models: ExperimentModelJson[] = [];
  for (let i = 0; i < spec.models.length; i++) {
    const plan = await planModel(spec, i);
    models.push(plan.json);
    for (const [path, bytes] of plan.files) files.set(path, bytes);
  }
  const experiment: ExperimentJson = {
    format: 'xray-lab-pytorch-experiment',
    version: 1,
    title: spec.title ?? 'X-Ray Lab experiment',
    classNames: [...spec.classNames],
    positiveClass: spec.positiveClass,
    hyperparameters: { ...spec.hyperparameters, seeds: [...spec.hyperparameters.seeds] },
    models,
    splits: {
      train: spec.splits.train.map(({ path, label }) => ({ path, label })),
      val: (spec.splits.val ?? []).map(({ path, label }) => ({ path, label })),
      test: spec.splits.test.map(({ path, label }) => ({ path, label })),
    },
    ...(spec.settings ? { labSettings: { ...spec.settings } } : {}),
  };
  files.set('experiment.json', `${JSON.stringify(experiment, null, 2)}\n`);
  files.set('README.md', projectReadme(spec, models));
  files.set('requirements.txt', 'torch>=1.13\nnumpy\npillow\n');
  for (const [name, source] of PYTHON_FILES) files.set(name, source);
  return files;
}
