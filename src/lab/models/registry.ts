import type * as tf from '@tensorflow/tfjs';
import type { PixelRange } from '../data/batches';
import type { BuildOptions } from './build-options';
import { buildConv2DBaseline, CNN_MIN_SIZE } from './conv2d-baseline';
import { buildInceptionV3Backbone, INCEPTION_FEATURES, INCEPTION_MIN_SIZE } from './inception-v3';
import { InputSizeError } from './input-size';
import { buildLightLayersNet, LIGHT_MIN_SIZE } from './lightlayers-net';
import { measureModelSize, type ModelSize } from './model-size';
import { buildTransferHead } from './transfer-head';

export type ModelFamily = 'cnn' | 'lightlayers' | 'transfer';

/** One architecture the lab can train: what the page lists, the worker builds and the CLI accepts. */
export interface ModelEntry {
  readonly id: string;
  readonly family: ModelFamily;
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

/** Thrown for a transfer-learning entry whose pretrained backbone has not been loaded. */
export class BackboneNotLoadedError extends Error {
  constructor(readonly modelId: string, detail: string) {
    super(`${modelId}: backbone not loaded — ${detail}`);
    this.name = 'BackboneNotLoadedError';
  }
}

export class UnknownModelError extends Error {
  constructor(readonly modelId: string, known: readonly string[]) {
    super(`unknown model id "${modelId}"; known ids: ${known.join(', ')} (light-kN works for any rank N ≥ 1)`);
    this.name = 'UnknownModelError';
  }
}

function lightEntry(rank: number): ModelEntry {
  return {
    id: `light-k${rank}`,
    family: 'lightlayers',
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
  family: 'cnn',
  label: 'Conv2D CNN',
  description: 'The study\'s plain network "from scratch": 3 blocks of three 3×3 Conv2D + BatchNorm, max-pooling, then a dense head.',
  minSize: CNN_MIN_SIZE,
  pixelRange: '0,1',
  build: (options) => buildConv2DBaseline(options),
  measure: measureByBuilding(buildConv2DBaseline),
};

const inceptionEntry: ModelEntry = {
  id: 'inception-v3',
  family: 'transfer',
  label: 'InceptionV3 transfer',
  description: 'Frozen ImageNet InceptionV3 features (2,048 per image) with a trained Dense head.',
  minSize: INCEPTION_MIN_SIZE,
  pixelRange: '-1,1',
  build: (options) => {
    checkInceptionSize(options?.size ?? 299);
    throw new BackboneNotLoadedError('inception-v3', 'InceptionV3 needs ImageNet weights, which this build cannot load yet');
  },
  measure: (options) => {
    const size = options?.size ?? 299;
    checkInceptionSize(size);
    // The topology alone fixes the counts: build it with placeholder weights, count, and add the head.
    const backbone = measureByBuilding(() => buildInceptionV3Backbone({ size }))();
    const head = measureByBuilding(() => buildTransferHead({ features: INCEPTION_FEATURES, numClasses: options?.numClasses }))();
    const params = backbone.params + head.params;
    // The backbone is frozen: only the head trains.
    return { params, trainableParams: head.trainableParams, bytes: params * 4 };
  },
};

function checkInceptionSize(size: number): void {
  if (size < INCEPTION_MIN_SIZE) {
    throw new InputSizeError('inception-v3', size, INCEPTION_MIN_SIZE, 'its stem and two reductions need 75 pixels');
  }
}

/** The registry, in the order the page and the reports list it. */
export const MODEL_REGISTRY: readonly ModelEntry[] = [cnnEntry, ...[1, 2, 3, 4, 5].map(lightEntry), inceptionEntry];

/** Looks up an id; `light-kN` resolves for any N ≥ 1 even beyond the listed 1..5. */
export function findModel(id: string): ModelEntry {
  const listed = MODEL_REGISTRY.find((entry) => entry.id === id);
  if (listed) return listed;
  const light = /^light-k([1-9][0-9]*)$/.exec(id);
  if (light) return lightEntry(Number(light[1]));
  throw new UnknownModelError(id, MODEL_REGISTRY.map((entry) => entry.id));
}
