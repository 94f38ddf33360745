/**
 * Cuts a functional model at one layer: the part below becomes a feature extractor for that layer's activations,
 * the part above is re-applied to a fresh input so it can train on cached activations. The layer objects (and their
 * weights) are shared with the original model, so whatever the top part learns is in the original too.
 */
import * as tf from '@tensorflow/tfjs';

/** The part of `model` from its input to the output of `layerName` (no layer is re-applied). */
export function modelUpTo(model: tf.LayersModel, layerName: string): tf.LayersModel {
  return tf.model({ inputs: model.inputs, outputs: model.getLayer(layerName).output as tf.SymbolicTensor });
}

/** The part above the cut, re-applied to a new input shaped like `layerName`'s output. */
export interface TopPart {
  input: tf.SymbolicTensor;
  /** The model's output, computed from `input`. */
  output: tf.SymbolicTensor;
  /** Every layer applied again (each now has one more use, released by disposing a model built on `input`). */
  layers: tf.layers.Layer[];
}

/**
 * Re-applies every layer that depends only on `layerName`'s output, in the model's (topological) order. Layers fed
 * from below the cut by another path would make the top part incomplete; that is an error.
 */
export function topAbove(model: tf.LayersModel, layerName: string): TopPart {
  const cut = model.getLayer(layerName).output as tf.SymbolicTensor;
  const input = tf.input({ shape: cut.shape.slice(1) as number[], name: `${layerName}_features` });
  const mapped = new Map<number, tf.SymbolicTensor>([[cut.id, input]]);
  const layers: tf.layers.Layer[] = [];
  for (const layer of model.layers) {
    // Node 0 is the layer's use in `model` itself.
    const node = layer.inboundNodes[0];
    const inputs = node?.inputTensors ?? [];
    if (inputs.length === 0 || !inputs.every((t) => mapped.has(t.id))) continue;
    const args = inputs.map((t) => mapped.get(t.id)!);
    const out = layer.apply(args.length === 1 ? args[0] : args) as tf.SymbolicTensor;
    mapped.set(node.outputTensors[0].id, out);
    layers.push(layer);
  }
  const output = mapped.get(model.outputs[0].id);
  if (!output) throw new Error(`the output of ${model.name} does not depend on ${layerName} alone`);
  return { input, output, layers };
}

/**
 * Keeps BatchNormalization layers in inference mode, with frozen statistics and offsets, even inside a training
 * step — what Keras recommends when fine-tuning. The layer's computation is replaced by the same normalisation written
 * with plain differentiable ops, `(x − mean) / sqrt(var + ε) · γ + β`: tfjs' own batchNorm kernel cannot record a
 * gradient when the layer has no γ (`scale=false`, as in every Keras InceptionV3 BatchNorm; tfjs issue 2868), in
 * training mode or not. Gradients flow through to the layers below; the BatchNorm weights themselves stay fixed.
 */
export function freezeBatchNorm(layers: tf.layers.Layer[]): void {
  for (const layer of layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    layer.trainable = false;
    const patched = layer as tf.layers.Layer & { frozenForFineTuning?: boolean };
    if (patched.frozenForFineTuning) continue;
    const config = layer.getConfig() as {
      scale?: boolean;
      center?: boolean;
      epsilon?: number;
      axis?: number | number[];
    };
    if (config.axis !== -1 && config.axis !== 3 && !(Array.isArray(config.axis) && config.axis[0] === 3)) {
      throw new Error(`${layer.name}: only channel-last BatchNormalization can be frozen for fine-tuning`);
    }
    // tfjs adds the weights in this order: gamma (if scale), beta (if center), moving mean, moving variance.
    const weights = layer.weights;
    let i = 0;
    const gamma = config.scale !== false ? weights[i++] : null;
    const beta = config.center !== false ? weights[i++] : null;
    const [mean, variance] = [weights[i], weights[i + 1]];
    const epsilon = config.epsilon ?? 1e-3;
    layer.call = (inputs) =>
      tf.tidy(() => {
        const x = Array.isArray(inputs) ? inputs[0] : inputs;
        let y = tf.mul(tf.sub(x, mean.read()), tf.rsqrt(tf.add(variance.read(), epsilon)));
        if (gamma) y = tf.mul(y, gamma.read());
        if (beta) y = tf.add(y, beta.read());
        return y;
      });
    patched.frozenForFineTuning = true;
  }
}
