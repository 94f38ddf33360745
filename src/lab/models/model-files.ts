import * as tf from '@tensorflow/tfjs';
import './layers'; // registers LightConv2D / LightDense so saved models reload

/** A TF.js layers model as its two files: what the page downloads and the CLI writes. */
export interface ModelFiles {
  /** Contents of model.json (topology + weights manifest pointing at `weightsFileName`). */
  modelJson: string;
  /** Contents of the weights file, float32 little-endian as TF.js writes it. */
  weights: Uint8Array;
  weightsFileName: string;
}

/**
 * Serialises a model without touching the file system or the network, so it works the same in a page, a worker
 * and Node (which has no file:// save handler without tfjs-node).
 */
export async function modelToFiles(
  model: tf.LayersModel,
  weightsFileName = 'weights.bin',
  metadata?: Record<string, unknown>,
): Promise<ModelFiles> {
  let captured: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const artifacts = captured as tf.io.ModelArtifacts | null;
  if (!artifacts || !artifacts.weightSpecs || !artifacts.weightData) throw new Error('model.save produced no weights');
  const weightData =
    artifacts.weightData instanceof ArrayBuffer
      ? artifacts.weightData
      : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  const json = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [weightsFileName], weights: artifacts.weightSpecs }],
    ...(metadata ? { userDefinedMetadata: metadata } : {}),
  };
  return { modelJson: JSON.stringify(json), weights: new Uint8Array(weightData), weightsFileName };
}

/** Rebuilds a model from the two files written by {@link modelToFiles} (or any single-shard TF.js layers export). */
export async function modelFromFiles(modelJson: string, weights: Uint8Array | ArrayBuffer): Promise<tf.LayersModel> {
  let parsed: {
    modelTopology?: unknown;
    weightsManifest?: Array<{ weights: tf.io.WeightsManifestEntry[] }>;
    userDefinedMetadata?: Record<string, unknown>;
  };
  try {
    parsed = JSON.parse(modelJson);
  } catch (err) {
    throw new Error(`model.json is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!parsed.modelTopology || !Array.isArray(parsed.weightsManifest)) {
    throw new Error('model.json is not a TF.js layers model (no modelTopology or weightsManifest)');
  }
  const weightSpecs = parsed.weightsManifest.flatMap((group) => group.weights);
  const buffer =
    weights instanceof Uint8Array
      ? (weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer)
      : weights;
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: parsed.modelTopology as tf.io.ModelJSON['modelTopology'],
      weightSpecs,
      weightData: buffer,
      userDefinedMetadata: parsed.userDefinedMetadata,
    }),
  );
}
