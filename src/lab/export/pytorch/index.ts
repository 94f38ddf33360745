export { writePytorchProject, type ExperimentJson, type ProjectFiles } from './write-project';
export {
  hyperparametersOf,
  PytorchExportError,
  type ManifestEntry,
  type PytorchHyperparameters,
  type PytorchProjectSpec,
  type SplitManifest,
  type TrainedModel,
} from './project-spec';
export { decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors';
export { splitManifestOf } from './split-manifest';
export { classOfPath, manifestOfCard, pytorchSpecOfCard, savedModelFolder, trainedRunsOf } from './card-spec';
