/**
 * Grad-CAM (Selvaraju et al. 2017): where in an image the evidence for a class comes from. For the target feature
 * map A (channels k, positions i, j) and the class's logit y_c:
 *
 *   α_k = mean over i, j of ∂y_c / ∂A_k(i, j)        (how much channel k matters for class c)
 *   L_c = ReLU( Σ_k α_k · A_k )                       (a coarse map: positive evidence only)
 *
 * The model is split at the target (target-layer.ts): the part below runs once per batch in inference mode, and the
 * gradient is taken through the part above only (pooling and the dense head), evaluated eagerly from the model's own
 * graph — nothing is added to the model, and no layer of it is disposed. The lab's models output logits, so y_c is
 * the pre-softmax score the paper asks for.
 */
import * as tf from '@tensorflow/tfjs';
import type { MapGeometry } from './map-geometry';
import { findGradCamTarget, type GradCamTarget } from './target-layer';

/** Thrown when the images do not fit the model's input (size or channels). */
export class ExplainInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExplainInputError';
  }
}

/** Which class each image is explained for: its predicted class, every class, or given indices (one per image). */
export type ClassChoice = 'predicted' | 'all' | Int32Array;

/** Coarse Grad-CAM maps of one batch. */
export interface CamBatch {
  readonly count: number;
  readonly numClasses: number;
  /** count × numClasses softmax probabilities. */
  readonly probabilities: Float32Array;
  /** Maps per image: 1, or numClasses for 'all'. */
  readonly mapsPerImage: number;
  /** count × mapsPerImage class indices: which class each map explains. */
  readonly classes: Int32Array;
  /** count × mapsPerImage × height × width, ReLU(Σ α_k A_k), not normalised. */
  readonly maps: Float32Array;
  readonly height: number;
  readonly width: number;
  /** Where the maps' cells sit in the image. */
  readonly geometry: MapGeometry;
}

/** A model made ready for Grad-CAM: holds no tensors of its own, so there is nothing to dispose. */
export interface GradCam {
  readonly target: GradCamTarget;
  /** Square input side and channels the model takes. */
  readonly size: number;
  readonly channels: number;
  readonly numClasses: number;
  /**
   * Coarse maps for a batch of images already scaled to the model's pixel range, [n, size, size, channels].
   * Tensor memory is back where it started when the promise settles; `images` stays the caller's.
   */
  run(images: tf.Tensor4D, classes: ClassChoice): Promise<CamBatch>;
}

/**
 * Prepares `model` (image → logits) for Grad-CAM at the layer target-layer.ts picks (or `layerName`).
 * @throws NoConvolutionError for a model without a convolutional feature map
 */
export function createGradCam(model: tf.LayersModel, options: { layerName?: string } = {}): GradCam {
  const target = findGradCamTarget(model, options.layerName);
  const [, size, width, channels] = model.inputs[0].shape;
  const outputShape = model.outputs[0].shape;
  if (size == null || size !== width || channels == null) {
    throw new ExplainInputError(
      `${model.name}: Grad-CAM needs a square input of fixed size (the model takes [${model.inputs[0].shape.join(', ')}])`,
    );
  }
  if (outputShape.length !== 2 || outputShape[1] == null) {
    throw new Error(`${model.name}: expected [n, classes] logits, the output is [${outputShape.join(', ')}]`);
  }
  const numClasses = outputShape[1];
  checkCutSeparates(model, target);
  // A container over the model's existing nodes: it adds no uses to any layer and must never be disposed.
  const below = tf.model({ inputs: model.inputs, outputs: target.tensor });
  const above = (maps: tf.Tensor): tf.Tensor2D => evaluateAbove(model.outputs[0], target.tensor, maps) as tf.Tensor2D;

  const run = async (images: tf.Tensor4D, classes: ClassChoice): Promise<CamBatch> => {
    const [n, h, w, c] = images.shape;
    if (h !== size || w !== size || c !== channels) {
      throw new ExplainInputError(`${model.name} takes ${size}×${size}×${channels} images, got ${h}×${w}×${c}`);
    }
    if (classes instanceof Int32Array) {
      if (classes.length !== n) throw new RangeError(`classes: ${classes.length} indices for ${n} images`);
      const bad = classes.find((k) => !(k >= 0 && k < numClasses));
      if (bad !== undefined) throw new RangeError(`class index ${bad} is outside 0..${numClasses - 1}`);
    }
    const mapsPerImage = classes === 'all' ? numClasses : 1;
    const [probabilities, chosen, maps] = tf.tidy(() => {
      const activations = below.predict(images) as tf.Tensor4D;
      const logits = above(activations);
      const targets: tf.Tensor1D[] =
        classes === 'all'
          ? Array.from({ length: numClasses }, (_, k) => tf.fill([n], k, 'int32') as tf.Tensor1D)
          : [classes === 'predicted' ? (tf.argMax(logits, 1) as tf.Tensor1D) : tf.tensor1d(classes, 'int32')];
      const cams = targets.map((classIndex) => {
        const pick = tf.oneHot(classIndex, numClasses);
        const grads = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(above(a), pick)))(activations);
        const alpha = tf.mean(grads, [1, 2], true);
        return tf.relu(tf.sum(tf.mul(activations, alpha), 3));
      });
      // [n, maps, h, w] and [n, maps]: each image's maps together.
      return [tf.softmax(logits), tf.stack(targets, 1), tf.stack(cams, 1)];
    });
    try {
      const [p, k, m] = await Promise.all([probabilities.data(), chosen.data(), maps.data()]);
      return {
        count: n,
        numClasses,
        probabilities: p as Float32Array,
        mapsPerImage,
        classes: Int32Array.from(k),
        maps: m as Float32Array,
        height: target.height,
        width: target.width,
        geometry: target.geometry,
      };
    } finally {
      tf.dispose([probabilities, chosen, maps]);
    }
  };
  return { target, size, channels, numClasses, run };
}

/**
 * Computes the model's output from the target's activations, following the model's own graph (its symbolic tensors,
 * not the layers' first uses: a composed transfer model's head layers were first used in the head alone).
 */
function evaluateAbove(output: tf.SymbolicTensor, cut: tf.SymbolicTensor, value: tf.Tensor): tf.Tensor {
  const known = new Map<number, tf.Tensor>([[cut.id, value]]);
  const visit = (t: tf.SymbolicTensor): tf.Tensor => {
    const got = known.get(t.id);
    if (got) return got;
    const args = t.inputs.map(visit);
    let out = t.sourceLayer.apply(args.length === 1 ? args[0] : args, t.callArgs) as tf.Tensor | tf.Tensor[];
    if (Array.isArray(out)) out = out[t.outputTensorIndex ?? 0];
    known.set(t.id, out);
    return out;
  };
  return visit(output);
}

/** Every path from the input to the output must pass the target, or the part above could not run on it alone. */
function checkCutSeparates(model: tf.LayersModel, target: GradCamTarget): void {
  const seen = new Set<number>();
  const stack = [model.outputs[0]];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (t.id === target.tensor.id || seen.has(t.id)) continue;
    seen.add(t.id);
    if (t.inputs.length === 0) {
      throw new Error(
        `${model.name}: the output also depends on the input by a path around ${target.layerName}; name another layer to explain`,
      );
    }
    stack.push(...t.inputs);
  }
}
