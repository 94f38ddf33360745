/**
 * Each model of the experiment as experiment.json describes it to train.py — family, rank or backbone, pixel range,
 * the lab's parameter counts — and the weights files that go with it: a transfer model's ImageNet backbone, and
 * the lab's trained weights per seed.
 */
import type * as tf from '@tensorflow/tfjs';
import { takesInputSize } from '../../models/input-size';
import { measureModelSize } from '../../models/model-size';
import { findModel } from '../../registry';
import { buildTransferHead } from '../../models/transfer-head';
import type { PixelRange } from '../../data/batches';
import { buildLoadedBackbone, describeBackboneWeights, type BackboneWeights } from '../../transfer/backbone-weights';
import { backboneSpec, isBackboneId, type BackboneId } from '../../transfer/backbones';
import { buildFineTuneModels, FINE_TUNE_LR_FACTOR, fineTuneCut, supportsFineTuning } from '../../transfer/fine-tune';
import { loadedBackboneWeights } from '../../transfer/transfer-context';
import { PytorchExportError, type PytorchProjectSpec, type TrainedModel, type UsedBackbone } from './project-spec';
import { encodeSafetensors, type NamedTensor } from './safetensors';
import { readLayerArrays, torchStateOf, torchTensorsOf } from './torch-state';
import { backboneOfTrained } from './backbone-of-trained';

/** One model in experiment.json. */
export interface ExperimentModelJson {
  id: string;
  label: string;
  family: 'cnn' | 'lightlayers' | 'transfer';
  /** LightLayers rank k. */
  rank?: number;
  pixelRange: PixelRange;
  /** The lab's counts (BatchNorm statistics included), which the PyTorch model must equal. */
  labParams: number;
  labTrainableParams: number;
  backbone?: {
    network: BackboneId;
    alpha?: number;
    /** Project-relative path of the ImageNet weights. */
    weights: string;
    /** What results.json records about them (the lab's BackboneRecord). */
    record: { network: string; weightsId: string; origin: string; pixelRange: string };
    /** Backbones the lab can fine-tune (InceptionV3): what trains in the second stage when fineTuneEpochs > 0. */
    fineTune?: FineTunePlan;
  };
  head?: { dropout: number; lightRank: number | null };
  /** Seed → project-relative path of the lab's trained weights. */
  trained: Record<string, string>;
}

/** The lab's fine-tuning of a backbone's top blocks (src/lab/transfer/fine-tune.ts), for train.py. */
export interface FineTunePlan {
  /** The layer below the tuned blocks (mixed8). */
  cut: string;
  /** For messages: "mixed9 and mixed10". */
  blocks: string;
  /** Backbone layers (module names under `backbone.`) whose weights train with the head; BatchNorm stays frozen. */
  layers: string[];
  /** The second stage's learning rate relative to the experiment's. */
  learningRateFactor: number;
  /** Parameters those layers add to the trainable count. */
  trainableParams: number;
}

export interface ModelPlan {
  readonly json: ExperimentModelJson;
  /** Project-relative path → file bytes. */
  readonly files: Map<string, Uint8Array>;
}

const fail = (message: string): never => {
  throw new PytorchExportError(message);
};

/** Plans model `index` of `spec.models` (see the module note). */
export async function planModel(spec: PytorchProjectSpec, index: number): Promise<ModelPlan> {
  const id = spec.models[index];
  const h = spec.hyperparameters;
  const numClasses = spec.classNames.length;
  let entry: ReturnType<typeof findModel>;
  try {
    entry = findModel(id);
  } catch (err) {
    return fail(`models[${index}]: ${(err as Error).message}`);
  }
  if (!takesInputSize(entry, h.size)) {
    const min = entry.minSize;
    fail(`models[${index}]: ${id} needs an input of at least ${min}×${min} (hyperparameters.size is ${h.size})`);
  }
  const files = new Map<string, Uint8Array>();
  const trained = (spec.trained ?? []).filter((t) => t.modelId === id);

  if (entry.runner === 'image') {
    const size = entry.measure({
      size: h.size,
      channels: h.channels,
      numClasses,
      batchNormMomentum: h.batchNormMomentum,
    });
    const json: ExperimentModelJson = {
      id,
      label: entry.label,
      family: entry.group,
      pixelRange: entry.pixelRange,
      labParams: size.params,
      labTrainableParams: size.trainableParams,
      trained: {},
    };
    if (entry.rank != null) json.rank = entry.rank;
    for (const t of trained) {
      checkTrained(t, spec);
      const path = `weights/${id}-seed${t.seed}.safetensors`;
      files.set(
        path,
        encodeSafetensors(await torchStateOf(t.model, (layer) => layer), { modelId: id, seed: String(t.seed) }),
      );
      json.trained[String(t.seed)] = path;
    }
    return { json, files };
  }

  if (!isBackboneId(id)) return fail(`models[${index}]: ${id} is a transfer model without a pretrained backbone`);
  const weights = await backboneWeightsFor(id, index, spec, trained);
  const bspec = backboneSpec(id);
  const head = { dropout: h.headDropout, lightRank: h.headLightRank };
  const headModel = buildTransferHead({
    features: bspec.features(weights.variant),
    numClasses,
    dropout: head.dropout,
    lightRank: head.lightRank ?? undefined,
  });
  const headSize = measureModelSize(headModel);
  const info = describeBackboneWeights(weights);
  const backbonePath = `weights/${id}-backbone.safetensors`;
  // Shapes do not depend on the input size: the backbone is built at its smallest.
  const backboneModel = buildLoadedBackbone(weights, bspec.minSize);
  let fineTune: FineTunePlan | null;
  try {
    const state = await torchStateOf(backboneModel, (layer) => `backbone.${layer}`);
    files.set(backbonePath, encodeSafetensors(state, { modelId: id, part: 'backbone', weightsId: weights.weightsId }));
    fineTune = supportsFineTuning(id) ? fineTunePlanOf(id, backboneModel, headModel, headSize.trainableParams) : null;
  } finally {
    headModel.dispose();
    backboneModel.dispose();
  }
  const tuned = fineTune != null && (h.fineTuneEpochs ?? 0) > 0 ? fineTune.trainableParams : 0;
  const json: ExperimentModelJson = {
    id,
    label: entry.label,
    family: 'transfer',
    pixelRange: weights.preprocessing.range,
    labParams: weights.params + headSize.params,
    labTrainableParams: headSize.trainableParams + tuned,
    backbone: {
      network: id,
      ...(weights.variant.alpha != null ? { alpha: weights.variant.alpha } : {}),
      weights: backbonePath,
      record: {
        network: `${info.network}${info.variant ? ` ${info.variant}` : ''}`,
        weightsId: info.weightsId,
        origin: info.origin,
        pixelRange: info.pixelRange,
      },
      ...(fineTune ? { fineTune } : {}),
    },
    head,
    trained: {},
  };
  for (const t of trained) {
    checkTrained(t, spec);
    const path = `weights/${id}-seed${t.seed}.safetensors`;
    files.set(
      path,
      encodeSafetensors(await trainedTransferTensors(t.model, weights), { modelId: id, seed: String(t.seed) }),
    );
    json.trained[String(t.seed)] = path;
  }
  return { json, files };
}

/**
 * The backbone's top blocks as the lab fine-tunes them (fine-tune.ts builds the very models the lab trains): the
 * layers whose weights train in the second stage, and how many parameters they add to the head's.
 */
function fineTunePlanOf(
  id: BackboneId,
  backbone: tf.LayersModel,
  head: tf.LayersModel,
  headTrainable: number,
): FineTunePlan {
  const { cut, blocks } = fineTuneCut(id);
  const tuning = buildFineTuneModels(id, backbone, head);
  try {
    const inBackbone = new Set(backbone.layers.map((l) => l.name));
    const layers = tuning.tune.layers
      .filter((l) => inBackbone.has(l.name) && l.trainableWeights.length > 0)
      .map((l) => l.name);
    const trainableParams = measureModelSize(tuning.tune).trainableParams - headTrainable;
    return { cut, blocks, layers, learningRateFactor: FINE_TUNE_LR_FACTOR, trainableParams };
  } finally {
    tuning.release();
  }
}

/**
 * The ImageNet weights of model `index`'s backbone: those the spec gives, else those loaded in this realm when they
 * are the runs' own, else the runs' own read back from a model they saved (a frozen backbone is saved unchanged).
 */
async function backboneWeightsFor(
  id: BackboneId,
  index: number,
  spec: PytorchProjectSpec,
  trained: readonly TrainedModel[],
): Promise<BackboneWeights> {
  const used = spec.usedBackbones?.[id];
  const given = spec.backbones?.[id];
  if (given) {
    if (given.backboneId !== id) fail(`backbones.${id}: these are ${given.backboneId}'s weights`);
    checkUsedBackbone(id, given, used);
    return given;
  }
  const loaded = loadedBackboneWeights(id);
  if (loaded && (!used || (loaded.weightsId === used.weightsId && loaded.preprocessing.range === used.pixelRange))) {
    return loaded;
  }
  if (used) {
    for (const t of trained) {
      const own = await backboneOfTrained(id, t.model, used);
      if (own) return own;
    }
  }
  if (loaded) checkUsedBackbone(id, loaded, used); // says how they differ
  const why = used && trained.length > 0 ? ' (the models its runs saved hold other ones: fine-tuned weights)' : '';
  return fail(
    `models[${index}]: ${id} cannot be exported without its backbone's ImageNet weights${why} — ` +
      backboneSpec(id).missingWeights,
  );
}

/** The loaded backbone weights must be those the experiment's runs used: the trained heads were fitted to them. */
function checkUsedBackbone(id: BackboneId, weights: BackboneWeights, used: UsedBackbone | undefined): void {
  if (!used) return;
  if (used.weightsId !== weights.weightsId) {
    fail(
      `${id}: the loaded backbone weights (id ${weights.weightsId}, from ${weights.origin}) are not the ones ` +
        `its runs used (id ${used.weightsId}, from ${used.origin}); load those`,
    );
  }
  if (used.pixelRange !== weights.preprocessing.range) {
    const range = (r: string) => `[${r.replace(',', ', ')}]`;
    fail(
      `${id}: the loaded backbone weights take pixels in ${range(weights.preprocessing.range)}, its runs fed them ` +
        `${range(used.pixelRange)}; load them with that preprocessing`,
    );
  }
}

/**
 * What a trained transfer model adds to its backbone file: the head, plus any backbone layer whose weights differ
 * from the ImageNet ones (fine-tuned mixed9/mixed10) — not the whole frozen backbone again for every seed.
 */
async function trainedTransferTensors(model: tf.LayersModel, weights: BackboneWeights): Promise<NamedTensor[]> {
  const imagenet = new Map(weights.layers.map((l) => [l.name, l.values]));
  const tensors: NamedTensor[] = [];
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const arrays = await readLayerArrays(layer);
    const original = imagenet.get(layer.name);
    if (original) {
      const values = [...arrays.values()].map((a) => a.values);
      const same =
        values.length === original.length &&
        values.every((v, i) => v.length === original[i].length && v.every((x, j) => x === original[i][j]));
      if (same) continue;
    }
    tensors.push(
      ...torchTensorsOf(layer.getClassName(), layer.name, original ? `backbone.${layer.name}` : layer.name, arrays),
    );
  }
  if (!tensors.some((t) => t.name.startsWith('logits.'))) fail('a trained transfer model has no "logits" head layer');
  return tensors;
}

/** A trained model must take the experiment's images and give one logit per class. */
function checkTrained(t: TrainedModel, spec: PytorchProjectSpec): void {
  const h = spec.hyperparameters;
  const where = `trained (${t.modelId}, seed ${t.seed})`;
  if (!h.seeds.includes(t.seed))
    fail(`${where}: seed ${t.seed} is not one of hyperparameters.seeds (${h.seeds.join(', ')})`);
  const input = t.model.inputs[0]?.shape;
  const output = t.model.outputs[0]?.shape;
  if (input?.[1] !== h.size || input?.[2] !== h.size || input?.[3] !== h.channels) {
    fail(
      `${where}: the model takes [${input?.slice(1).join(', ')}] images, the experiment [${h.size}, ${h.size}, ${h.channels}]`,
    );
  }
  if (output?.[1] !== spec.classNames.length)
    fail(`${where}: the model gives ${output?.[1]} outputs for ${spec.classNames.length} classes`);
}
