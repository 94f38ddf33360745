/**
 * The model registry: every architecture the lab can train, what the page lists, the worker builds and the CLI
 * accepts. An entry also says how its model runs (`runner`), which pretrained backbone it needs and where the page
 * groups it, so no code outside this folder needs to know a model's family.
 */
import type * as tf from '@tensorflow/tfjs';
import type { PixelRange } from '../data/batches';
import type { BuildOptions } from '../models/build-options';
import { buildConv2DBaseline, CNN_MIN_SIZE } from '../models/conv2d-baseline';
import { InputSizeError, takesInputSize } from '../models/input-size';
import { buildLightLayersNet, LIGHT_MIN_SIZE } from '../models/lightlayers-net';
import { measureModelSize, type ModelSize } from '../models/model-size';
import { buildTransferHead } from '../models/transfer-head';
import { BackboneNotLoadedError } from '../transfer/backbone-not-loaded';
import { BACKBONES, type BackboneId, type BackboneSpec } from '../transfer/backbones';
import { buildTransferModel } from '../transfer/compose';
import { KERAS_PREPROCESSING } from '../transfer/source-weights';
import { loadedBackboneWeights } from '../transfer/transfer-context';
import { MODEL_GROUPS, type ModelGroupId } from './groups';
import { lightRankOf, unknownModelMessage } from './model-id';

/**
 * How a model trains: `image` — the whole network on images (trainer.ts); `transfer` — a head on the frozen
 * backbone's cached features (transfer/train-transfer.ts).
 */
export type ModelRunner = 'image' | 'transfer';

/** One architecture the lab can train: what the page lists, the worker builds and the CLI accepts. */
export interface ModelEntry {
  readonly id: string;
  /** Where the page lists it (MODEL_GROUPS). */
  readonly group: ModelGroupId;
  readonly runner: ModelRunner;
  /** The pretrained backbone whose weights it needs before it can be built; null for networks trained from scratch. */
  readonly backbone: BackboneId | null;
  /** LightLayers rank k, null for other networks (the page draws the k-sweep from it). */
  readonly rank: number | null;
  readonly label: string;
  /** One line for the UI. */
  readonly description: string;
  /** Smallest square input side the network accepts. */
  readonly minSize: number;
  /** How the network wants its pixels scaled. */
  readonly pixelRange: PixelRange;
  /** Builds an untrained model: image in, logits out. Throws InputSizeError below minSize. */
  build(options?: BuildOptions): tf.LayersModel;
  /** Parameters and float32 bytes of the model `build` would make (frozen backbone included for transfer models). */
  measure(options?: BuildOptions): ModelSize;
}

/** measure() for models that can simply be built: build, count, dispose. */
function measureByBuilding(build: (options?: BuildOptions) => tf.LayersModel) {
  return (options?: BuildOptions): ModelSize => {
    const model = build(options);
    try {
      return measureModelSize(model);
    } finally {
      model.dispose();
    }
  };
}

export class UnknownModelError extends Error {
  constructor(
    readonly modelId: string,
    known: readonly string[],
  ) {
    super(unknownModelMessage(modelId, known));
    this.name = 'UnknownModelError';
  }
}

function lightEntry(rank: number): ModelEntry {
  return {
    id: `light-k${rank}`,
    group: 'lightlayers',
    runner: 'image',
    backbone: null,
    rank,
    label: `LightLayers k=${rank}`,
    description: `Residual network of LightConv2D layers: every convolution factored through a rank-${rank} bottleneck (fewer parameters as k shrinks).`,
    minSize: LIGHT_MIN_SIZE,
    pixelRange: '0,1',
    build: (options) => buildLightLayersNet(rank, options),
    measure: measureByBuilding((options) => buildLightLayersNet(rank, options)),
  };
}

const cnnEntry: ModelEntry = {
  id: 'cnn',
  group: 'cnn',
  runner: 'image',
  backbone: null,
  rank: null,
  label: 'Conv2D CNN',
  description:
    'The study\'s plain network "from scratch": 3 blocks of three 3×3 Conv2D + BatchNorm, max-pooling, then a dense head.',
  minSize: CNN_MIN_SIZE,
  pixelRange: '0,1',
  build: (options) => buildConv2DBaseline(options),
  measure: measureByBuilding(buildConv2DBaseline),
};

/**
 * A frozen ImageNet backbone with a trained Dense head. Counts come from the topology alone (no weights needed), so
 * `measure` always works; `build` needs the backbone's weights (provideBackboneWeights) and otherwise says how to get
 * them. The pixel range is the loaded weights' (Keras [-1, 1], TF-Hub [0, 1]).
 */
function transferEntry(spec: BackboneSpec, label: string, description: string): ModelEntry {
  const checkSize = (size: number) => {
    if (!takesInputSize(spec, size)) {
      throw new InputSizeError(
        spec.id,
        size,
        spec.minSize,
        `${spec.network}'s strided stem and reductions need ${spec.minSize} pixels`,
      );
    }
  };
  return {
    id: spec.id,
    group: 'transfer',
    runner: 'transfer',
    backbone: spec.id,
    rank: null,
    label,
    description,
    minSize: spec.minSize,
    get pixelRange(): PixelRange {
      return loadedBackboneWeights(spec.id)?.preprocessing.range ?? KERAS_PREPROCESSING.range;
    },
    build: (options) => {
      checkSize(options?.size ?? 299);
      const weights = loadedBackboneWeights(spec.id);
      if (!weights) throw new BackboneNotLoadedError(spec.id, spec.missingWeights);
      return buildTransferModel(weights, {
        size: options?.size ?? 299,
        channels: options?.channels,
        numClasses: options?.numClasses,
        seed: options?.seed,
      });
    },
    measure: (options) => {
      const size = options?.size ?? 299;
      checkSize(size);
      // The variant of the loaded weights (MobileNetV2's alpha), else the family's usual one.
      const variant = loadedBackboneWeights(spec.id)?.variant ?? spec.variants[0];
      const backbone = measureByBuilding(() => spec.build({ size: spec.minSize, variant }))();
      const head = measureByBuilding(() =>
        buildTransferHead({ features: spec.features(variant), numClasses: options?.numClasses }),
      )();
      const params = backbone.params + head.params;
      // The backbone is frozen: only the head trains.
      return { params, trainableParams: head.trainableParams, bytes: params * 4 };
    },
  };
}

const inceptionEntry = transferEntry(
  BACKBONES['inception-v3'],
  'InceptionV3 transfer',
  "Frozen ImageNet InceptionV3 features (2,048 per image, computed once and cached) with a trained Dense head — the study's transfer model.",
);

const mobileNetEntry = transferEntry(
  BACKBONES['mobilenet-v2'],
  'MobileNetV2 transfer',
  'Frozen ImageNet MobileNetV2 features (1,280 per image; α 1.0 or 0.35, from the weights loaded) with a trained Dense head — a lighter backbone.',
);

/** The registry, in the order the page and the reports list it. */
export { BackboneNotLoadedError, MODEL_GROUPS };

export const MODEL_REGISTRY: readonly ModelEntry[] = [
  cnnEntry,
  ...[1, 2, 3, 4, 5].map(lightEntry),
  inceptionEntry,
  mobileNetEntry,
];

/** Looks up an id; `light-kN` resolves for any N ≥ 1 even beyond the listed 1..5. */
export function findModel(id: string): ModelEntry {
  const listed = MODEL_REGISTRY.find((entry) => entry.id === id);
  if (listed) return listed;
  const rank = lightRankOf(id);
  if (rank != null) return lightEntry(rank);
  throw new UnknownModelError(
    id,
    MODEL_REGISTRY.map((entry) => entry.id),
  );
}
