/**
 * Which activation Grad-CAM explains, read from the model's graph alone (no ids, no layer names), so a model rebuilt
 * from saved files is explained exactly like the one that was trained.
 *
 * The rule: walk back from the logits to the first 4-D activation (the input of the layer that collapses space —
 * GlobalAveragePooling here, or a Flatten), then look through pooling layers and BatchNormalization. What remains is
 * the last rectified convolutional feature map at its full resolution: deep enough to hold class evidence (Selvaraju
 * et al. 2017 use the last convolutional layer for this reason); a 2×2 pool only halves the grid, so the map before
 * it gives 4× the positions for the same class weights; and an inference-mode BatchNorm is a per-channel scale and
 * shift whose shift would only add a spatially uniform pedestal to the map. What this picks per family:
 *
 * - plain CNN (`cnn`): `block3_conv3`, the third block's last Conv2D with its ReLU, before `block3_conv3_bn` and
 *   `block3_pool` (21×21 at 128 px, 13×13 at 96 px; its valid convolutions leave a border, see map-geometry.ts);
 * - LightLayers k = 1..5 (`light-kN`): `block3_relu2`, the last residual block's output (its LightConv2D main path
 *   plus LightConv2D shortcut, added and rectified) before `block3_pool` (32×32 at 128 px);
 * - InceptionV3 transfer: `mixed10`, the last Inception block's concatenation of rectified branches (8×8 at 299 px,
 *   2×2 at 128 px);
 * - MobileNetV2 transfer: `out_relu`, the ReLU6 after the last 1×1 convolution `Conv_1` and its BatchNorm
 *   (7×7 at 224 px, 4×4 at 128 px).
 */
import type * as tf from '@tensorflow/tfjs';
import { mapGeometry, type MapGeometry } from './map-geometry';

/**
 * Layers Grad-CAM looks through to the map below: pools only subsample it, and an inference-mode BatchNormalization
 * is a per-channel scale and shift — its shift would only add a uniform pedestal to the map.
 */
const LOOK_THROUGH = new Set(['MaxPooling2D', 'AveragePooling2D', 'BatchNormalization']);
/** Layers that make a map a convolutional feature map (LightConv2D is the lab's low-rank convolution). */
const CONVOLUTIONS = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Conv2DTranspose', 'LightConv2D']);

/** Thrown for a model Grad-CAM cannot explain: no convolutional feature map between its input and its logits. */
export class NoConvolutionError extends Error {
  constructor(modelName: string, detail: string) {
    super(`${modelName}: no convolutional layer to explain — ${detail}`);
    this.name = 'NoConvolutionError';
  }
}

/** The activation Grad-CAM weighs, and its grid. */
export interface GradCamTarget {
  /** The layer whose output is explained, e.g. `block3_conv3_bn`. */
  readonly layerName: string;
  /** Its class, e.g. `BatchNormalization`. */
  readonly layerClass: string;
  /** Its output in the model's graph. */
  readonly tensor: tf.SymbolicTensor;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Where its cells sit in the image (receptive-field centres), for upsampling. */
  readonly geometry: MapGeometry;
}

/**
 * Finds the layer to explain in `model` (image → logits), by the rule above, or takes `layerName` when given.
 * @throws NoConvolutionError when no convolution lies below the chosen map (or the model takes no image at all)
 */
export function findGradCamTarget(model: tf.LayersModel, layerName?: string): GradCamTarget {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new Error(
      `${model.name}: Grad-CAM needs one image input and one logits output (has ${model.inputs.length} and ${model.outputs.length})`,
    );
  }
  const inputShape = model.inputs[0].shape;
  if (inputShape.length !== 4) {
    throw new NoConvolutionError(
      model.name,
      `it takes [${inputShape.map(String).join(', ')}] inputs, not images` +
        (inputShape.length === 2
          ? ' (a transfer head on feature vectors: explain it with its backbone, see explainableModel)'
          : ''),
    );
  }
  const tensor = layerName ? namedTarget(model, layerName) : ruleTarget(model);
  if (!hasConvolutionBelow(tensor)) {
    throw new NoConvolutionError(model.name, `no Conv2D or LightConv2D lies below ${tensor.sourceLayer.name}`);
  }
  const [, height, width, channels] = tensor.shape;
  return {
    layerName: tensor.sourceLayer.name,
    layerClass: tensor.sourceLayer.getClassName(),
    tensor,
    height: height as number,
    width: width as number,
    channels: channels as number,
    geometry: mapGeometry(tensor, inputShape[1] as number),
  };
}

function ruleTarget(model: tf.LayersModel): tf.SymbolicTensor {
  let t = model.outputs[0];
  while (t.rank !== 4) {
    if (t.inputs.length === 0)
      throw new NoConvolutionError(model.name, 'no 4-D feature map lies between its input and its output');
    if (t.inputs.length > 1) {
      throw new Error(
        `${model.name}: ${t.sourceLayer.name} joins ${t.inputs.length} inputs after the last feature map; name the layer to explain`,
      );
    }
    t = t.inputs[0];
  }
  while (LOOK_THROUGH.has(t.sourceLayer.getClassName()) && t.inputs.length === 1 && t.inputs[0].inputs.length > 0)
    t = t.inputs[0];
  if (t.inputs.length === 0)
    throw new NoConvolutionError(model.name, 'its image goes to the classifier without any layer that keeps a map');
  return t;
}

function namedTarget(model: tf.LayersModel, layerName: string): tf.SymbolicTensor {
  const output = model.getLayer(layerName).output;
  if (Array.isArray(output) || output.rank !== 4) {
    throw new Error(`${model.name}: layer ${layerName} has no single 4-D output to explain`);
  }
  return output;
}

/** True when any layer feeding `t` (itself included) is a convolution. */
function hasConvolutionBelow(t: tf.SymbolicTensor): boolean {
  const seen = new Set<number>();
  const stack = [t];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next.id)) continue;
    seen.add(next.id);
    if (CONVOLUTIONS.has(next.sourceLayer.getClassName())) return true;
    stack.push(...next.inputs);
  }
  return false;
}
