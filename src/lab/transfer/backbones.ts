/**
 * The pretrained backbones the lab can load weights into: how to build each, which variants a weights file may
 * hold, where the page looks for weights by default, and what to say when there are none.
 */
import type * as tf from '@tensorflow/tfjs';
import { buildInceptionV3Backbone, INCEPTION_FEATURES, INCEPTION_MIN_SIZE } from '../models/inception-v3';
import { buildMobileNetV2Backbone, MOBILENET_MIN_SIZE, mobileNetFeatures } from '../models/mobilenet-v2';
import { describeTargetLayers, type TargetLayer } from './match-weights';

export type BackboneId = 'inception-v3' | 'mobilenet-v2';

/** What distinguishes networks of one family whose weights differ in shape (MobileNetV2's width multiplier). */
export interface BackboneVariant {
  readonly alpha?: number;
}

export interface BackboneSpec {
  readonly id: BackboneId;
  /** The network's name in messages: "InceptionV3". */
  readonly network: string;
  readonly minSize: number;
  /** Input side the ImageNet weights were trained at. */
  readonly nativeSize: number;
  /**
   * Same-origin path of a TF.js layers export, relative to the page (Vite serves `public/` at the root). The page
   * resolves it against `document.baseURI` before handing it to the worker.
   */
  readonly defaultUrl: string;
  /** Variants a file may hold, the usual one first; the first that fits a file is taken. */
  readonly variants: readonly BackboneVariant[];
  /** Length of the pooled feature vector. */
  features(variant: BackboneVariant): number;
  /** The backbone with placeholder weights: image in, pooled features out. */
  build(options: { size: number; variant: BackboneVariant; seed?: number; channels?: 1 | 3 }): tf.LayersModel;
  /** "α 0.35", or '' when the family has one variant. */
  describeVariant(variant: BackboneVariant): string;
  /** The message when a run needs weights and none were loaded. */
  readonly missingWeights: string;
}

const INCEPTION: BackboneSpec = {
  id: 'inception-v3',
  network: 'InceptionV3',
  minSize: INCEPTION_MIN_SIZE,
  nativeSize: 299,
  defaultUrl: 'models/inception_v3/model.json',
  variants: [{}],
  features: () => INCEPTION_FEATURES,
  build: ({ size, seed, channels }) => buildInceptionV3Backbone({ size, seed, channels }),
  describeVariant: () => '',
  missingWeights:
    'InceptionV3 needs ImageNet weights: load public/models/inception_v3/model.json (see docs/transfer-learning.md), ' +
    "drop Keras' inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5 or TF.js files (model.json + *.bin), " +
    'or pass --weights PATH to the CLI',
};

const MOBILENET: BackboneSpec = {
  id: 'mobilenet-v2',
  network: 'MobileNetV2',
  minSize: MOBILENET_MIN_SIZE,
  nativeSize: 224,
  defaultUrl: 'models/mobilenet_v2/model.json',
  // 1.0 is Keras' default; 0.35 is what every Teachable Machine export carries.
  variants: [1.0, 0.35, 0.5, 0.75, 1.3, 1.4].map((alpha) => ({ alpha })),
  features: (v) => mobileNetFeatures(v.alpha ?? 1),
  build: ({ size, variant, seed, channels }) =>
    buildMobileNetV2Backbone({ size, alpha: variant.alpha ?? 1, seed, channels }),
  describeVariant: (v) => `α ${v.alpha ?? 1}`,
  missingWeights:
    'MobileNetV2 needs ImageNet weights: load public/models/mobilenet_v2/model.json, drop a Keras ' +
    'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_<alpha>_224_no_top.h5, a Teachable Machine export or other TF.js files, ' +
    'or pass --weights PATH to the CLI',
};

export const BACKBONES: Readonly<Record<BackboneId, BackboneSpec>> = {
  'inception-v3': INCEPTION,
  'mobilenet-v2': MOBILENET,
};

export function isBackboneId(id: string): id is BackboneId {
  return id in BACKBONES;
}

export function backboneSpec(id: string): BackboneSpec {
  if (!isBackboneId(id))
    throw new RangeError(`no pretrained backbone "${id}" (known: ${Object.keys(BACKBONES).join(', ')})`);
  return BACKBONES[id];
}

const targetCache = new Map<string, TargetLayer[]>();

/**
 * Our weight-bearing layers for a variant. Shapes do not depend on the input size, so the network is built once at
 * its smallest input, described, and disposed; the description is kept for later files.
 */
export function targetLayersOf(spec: BackboneSpec, variant: BackboneVariant): TargetLayer[] {
  const key = `${spec.id}:${variant.alpha ?? ''}`;
  let layers = targetCache.get(key);
  if (!layers) {
    const model = spec.build({ size: spec.minSize, variant });
    try {
      layers = describeTargetLayers(model);
    } finally {
      model.dispose();
    }
    targetCache.set(key, layers);
  }
  return layers;
}
