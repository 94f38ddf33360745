/**
 * An image → logits model for Grad-CAM from whatever the caller holds. Registry models and composed transfer models
 * (transfer/compose.ts: backbone and head in one graph, as `compare --out` saves them) already are one. A transfer
 * head alone (feature vector → logits, what trains on cached features) is not: its backbone must run for the image
 * being explained, so the loaded backbone weights are put below it — and without them there is nothing to explain.
 */
import * as tf from '@tensorflow/tfjs';
import type { PixelRange } from '../data/batches';
import { BackboneNotLoadedError } from '../transfer/backbone-not-loaded';
import { buildLoadedBackbone } from '../transfer/backbone-weights';
import { backboneSpec, isBackboneId } from '../transfer/backbones';
import { loadedBackboneWeights } from '../transfer/transfer-context';

export interface ExplainableModelOptions {
  /** The head's backbone; default: the `modelId` saved in the model's metadata. */
  readonly backboneId?: string;
  /** Image side for a head's backbone; default: the saved `inputSize`, else the backbone's native size. */
  readonly size?: number;
  /** Default: the saved `channels`, else 3. */
  readonly channels?: 1 | 3;
}

/** A model Grad-CAM can explain; dispose it when done (it frees only what was built here, never the caller's model). */
export interface ExplainableModel {
  readonly model: tf.LayersModel;
  /** The pixel range of the backbone put below a head; null when the model was taken as it is. */
  readonly range: PixelRange | null;
  dispose(): void;
}

interface SavedMetadata {
  modelId?: string;
  inputSize?: number;
  channels?: 1 | 3;
}

/**
 * `model` itself when it takes images; for a transfer head, the loaded backbone with the head's layers on top.
 * Other models pass through unchanged (createGradCam then says what is missing).
 * @throws BackboneNotLoadedError for a transfer head whose backbone has no weights loaded
 */
export function explainableModel(model: tf.LayersModel, options: ExplainableModelOptions = {}): ExplainableModel {
  const as = (m: tf.LayersModel, range: PixelRange | null, dispose: () => void): ExplainableModel => ({
    model: m,
    range,
    dispose,
  });
  const inputShape = model.inputs[0]?.shape ?? [];
  const meta = (model.getUserDefinedMetadata() ?? {}) as SavedMetadata;
  const backboneId = options.backboneId ?? meta.modelId;
  if (inputShape.length !== 2 || backboneId == null || !isBackboneId(backboneId)) return as(model, null, () => {});

  const spec = backboneSpec(backboneId);
  const weights = loadedBackboneWeights(backboneId);
  if (!weights)
    throw new BackboneNotLoadedError(
      backboneId,
      `its head takes ${spec.network} features, so the backbone must run for the image explained. ${spec.missingWeights}`,
    );
  const features = spec.features(weights.variant);
  if (inputShape[1] !== features) {
    throw new Error(
      `${model.name} takes ${inputShape[1]} features; the loaded ${spec.network} ${spec.describeVariant(weights.variant)} gives ${features}`.replace(
        '  ',
        ' ',
      ),
    );
  }
  const backbone = buildLoadedBackbone(
    weights,
    options.size ?? meta.inputSize ?? spec.nativeSize,
    options.channels ?? meta.channels ?? 3,
  );
  let x = backbone.outputs[0];
  // layers[0] is the head's InputLayer; the rest is a straight chain (transfer-head.ts), applied on the features.
  for (const layer of model.layers.slice(1)) x = layer.apply(x) as tf.SymbolicTensor;
  const composed = tf.model({
    name: `${model.name}_on_${backboneId.replace(/-/g, '_')}`,
    inputs: backbone.inputs,
    outputs: x,
  });
  // Disposing the composition frees the backbone built here; the head's layers keep the use the head gave them.
  return as(composed, weights.preprocessing.range, () => composed.dispose());
}
