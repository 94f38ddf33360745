/**
 * Grad-CAM over images of an ImageSet, batch by batch: scores and one heat map per image and requested class, at the
 * images' resolution. One batch of tensors exists at a time; reads are asynchronous (WebGPU); cancellation and
 * progress happen between batches.
 */
import * as tf from '@tensorflow/tfjs';
import { batchIndices, disposeBatch, makeBatch, type PixelRange } from '../data/batches';
import type { ImageSet } from '../data/image-set';
import { createGradCam, ExplainInputError, type GradCam } from './grad-cam';
import { toHeatMap, type HeatMap } from './heat-map';

/** Which class to explain: each image's predicted or true class, every class, or one class index for all. */
export type ExplainClass = 'predicted' | 'true' | 'all' | number;

export interface ExplainOptions {
  /** Pixel scaling the model expects (default '0,1'; transfer models: their weights' range). */
  readonly range?: PixelRange;
  /** Default 'predicted'. */
  readonly classes?: ExplainClass;
  /** Positions in the set to explain, in this order (default: every image). */
  readonly indices?: ArrayLike<number>;
  /** Images per batch (default 8: InceptionV3 at 299 px keeps ~11 MB of activations per image). */
  readonly batchSize?: number;
  /** Called after each batch (awaited, so a worker can post progress and yield). */
  readonly onProgress?: (done: number, total: number) => void | Promise<void>;
  readonly signal?: AbortSignal;
}

/** What Grad-CAM says about one image. */
export interface ImageExplanation {
  /** Position in the set. */
  readonly index: number;
  readonly file: string;
  /** True class in the set. */
  readonly label: number;
  /** Softmax probability of every class. */
  readonly probabilities: Float32Array;
  /** Class with the highest probability. */
  readonly predicted: number;
  /** One map per explained class (every class for 'all', in class order). */
  readonly maps: HeatMap[];
}

/** Thrown when `signal` aborts between batches; nothing partial is returned. */
export class ExplainCancelledError extends Error {
  constructor() {
    super('Grad-CAM cancelled');
    this.name = 'ExplainCancelledError';
  }
}

/**
 * Explains images of `set` with `model` (image → logits, or a GradCam made from it).
 * @throws ExplainInputError when the set's image size or channels differ from the model's input
 * @throws NoConvolutionError for a model without a convolutional feature map
 */
export async function explainImages(
  model: tf.LayersModel | GradCam,
  set: ImageSet,
  options: ExplainOptions = {},
): Promise<ImageExplanation[]> {
  const cam = 'run' in model ? model : createGradCam(model);
  if (set.size !== cam.size || set.channels !== cam.channels) {
    const first = set.files[options.indices?.[0] ?? 0] ?? 'the images';
    throw new ExplainInputError(
      `${first}: the images are ${set.size}×${set.size}×${set.channels}, the model takes ${cam.size}×${cam.size}×${cam.channels}`,
    );
  }
  if (set.classNames.length !== cam.numClasses && options.classes === 'true') {
    throw new ExplainInputError(
      `the set has ${set.classNames.length} classes, the model ${cam.numClasses}: its true classes cannot be explained`,
    );
  }
  const classes = options.classes ?? 'predicted';
  if (typeof classes === 'number' && !(Number.isInteger(classes) && classes >= 0 && classes < cam.numClasses)) {
    throw new RangeError(`class index ${classes} is outside 0..${cam.numClasses - 1}`);
  }
  const batchSize = options.batchSize ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize must be a whole number ≥ 1 (got ${batchSize})`);
  const order = Int32Array.from(options.indices ?? Array.from({ length: set.count }, (_, i) => i));
  const outside = order.find((i) => !(i >= 0 && i < set.count));
  if (outside !== undefined) throw new RangeError(`image index ${outside} is outside 0..${set.count - 1}`);

  const out: ImageExplanation[] = [];
  for (const chunk of batchIndices(order, batchSize)) {
    if (options.signal?.aborted) throw new ExplainCancelledError();
    const batch = makeBatch(set, chunk, options.range ?? '0,1');
    let result;
    try {
      const choice =
        classes === 'predicted' || classes === 'all'
          ? classes
          : Int32Array.from(chunk, (i) => (classes === 'true' ? set.labels[i] : classes));
      result = await cam.run(batch.images, choice);
    } finally {
      disposeBatch(batch);
    }
    const k = result.numClasses;
    const cells = result.height * result.width;
    chunk.forEach((index, row) => {
      const probabilities = result.probabilities.slice(row * k, (row + 1) * k);
      const maps = Array.from({ length: result.mapsPerImage }, (_, m) => {
        const at = row * result.mapsPerImage + m;
        return toHeatMap(
          result.maps.subarray(at * cells, (at + 1) * cells),
          result.height,
          result.width,
          set.size,
          result.classes[at],
          result.geometry,
        );
      });
      out.push({
        index,
        file: set.files[index],
        label: set.labels[index],
        probabilities,
        predicted: argmax(probabilities),
        maps,
      });
    });
    if (options.onProgress) await options.onProgress(out.length, order.length);
  }
  return out;
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
