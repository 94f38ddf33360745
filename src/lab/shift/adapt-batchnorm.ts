/**
 * Test-time BatchNorm adaptation (AdaBN; Li, Wang, Shi, Liu & Hou 2016, "Revisiting Batch Normalization for Practical
 * Domain Adaptation"): before scoring a set of images, every BatchNorm layer's moving mean and variance are
 * re-estimated on those very images — no labels used — and put back afterwards. The trained weights are never
 * touched. It corrects what a new scanner or exposure does to the features' first two moments, layer by layer.
 *
 * How: the images go through the model in training mode, in a seeded random order, in near-equal batches of at most
 * `batchSize`, and each layer's statistics become the image-weighted average of the batch statistics (the trainer's
 * own recalibration mechanism, models/batchnorm-statistics.ts). A random order matters: batches of one class would
 * each be normalised by their own class's statistics and the layers above would learn the wrong thing.
 *
 * What it assumes: the set is one domain, large enough for stable statistics, and holds the classes in proportions
 * not wildly unlike training's (the statistics mix the classes as the set does). It cannot help when what changed is
 * not a per-channel shift/scale of the features; it may hurt on a tiny or single-class set.
 */
import type * as tf from '@tensorflow/tfjs';
import type { PixelRange } from '../data/batches';
import { countPerClass, type ImageSet } from '../data/image-set';
import {
  BatchNormAverager,
  batchNormLayers,
  snapshotBatchNorm,
  untrainableBatchNorms,
} from '../models/batchnorm-statistics';
import { disposeSourceBatch, imageSource, type BatchSource } from '../train/batch-source';
import { createRng, shuffleInPlace } from '../util/rng';

/** Settings of {@link adaptBatchNorm}. */
export interface AdaptOptions {
  /** Most images per statistics batch (default 32, the lab's training batch); also the fewest images adapted on. */
  readonly batchSize?: number;
  /** Pixel scaling the model expects when `data` is an ImageSet (default '0,1'). */
  readonly range?: PixelRange;
  /** Seeds the order the images are batched in (default 0). */
  readonly seed?: number;
  /** Checked between batches; an abort restores the original statistics and throws {@link AdaptationCancelledError}. */
  readonly signal?: AbortSignal;
  /** Called after each batch (awaited). */
  readonly onProgress?: (done: number, total: number) => void | Promise<void>;
}

/** What adaptation did, in words and numbers, for records and the page. */
export interface BatchNormAdaptation {
  /** 'skipped': the model was left as it is (see `reason`); metrics "after" then equal those "before". */
  readonly status: 'adapted' | 'skipped';
  /** Why it was skipped; null when adapted. */
  readonly reason: string | null;
  /** What to keep in mind about an adapted result (e.g. a single-class set); empty when nothing. */
  readonly notes: readonly string[];
  /** BatchNorm layers re-estimated (0 when skipped). */
  readonly layers: number;
  /** Images the statistics were estimated on. */
  readonly images: number;
  readonly batches: number;
}

/** A model with adapted statistics; `restore()` puts the original ones back (safe to call twice). */
export interface AdaptedBatchNorm {
  readonly adaptation: BatchNormAdaptation;
  restore(): void;
}

export class AdaptationCancelledError extends Error {
  constructor() {
    super('test-time BatchNorm adaptation cancelled; the original statistics were restored');
    this.name = 'AdaptationCancelledError';
  }
}

const DEFAULT_BATCH = 32;

/**
 * Why transfer models are not adapted at test time. Their head learnt features made with the backbone's ImageNet
 * statistics; statistics re-estimated on X-rays change every one of those features. Measured by `npm run bench -- shift
 * --transfer` (docs/dataset-shift.md).
 */
export const TRANSFER_ADAPTATION_REASON =
  "transfer models are not adapted: the head learnt features made with the backbone's " +
  'ImageNet BatchNorm statistics, and re-estimating them on X-rays changes every feature it learnt (measured with MobileNetV2 ' +
  'α 0.35, AUC 0.98 → 0.59–0.65 on unshifted images); the unadapted figures are reported';

/** The record of an adaptation the caller decided not to run, with its reason (e.g. TRANSFER_ADAPTATION_REASON). */
export function skippedAdaptation(reason: string): BatchNormAdaptation {
  return { status: 'skipped', reason, notes: [], layers: 0, images: 0, batches: 0 };
}

/**
 * Re-estimates every BatchNorm layer of `model` on `data` (an ImageSet, or any batch source). Never throws for a set
 * it cannot adapt on: the result says `skipped` and why (no BatchNorm, a BatchNorm tfjs cannot run in training mode,
 * fewer images than one batch). Tensor memory is back where it started once `restore()` has run.
 * @throws AdaptationCancelledError when `signal` aborts (the statistics are restored first)
 */
export async function adaptBatchNorm(
  model: tf.LayersModel,
  data: ImageSet | BatchSource,
  options: AdaptOptions = {},
): Promise<AdaptedBatchNorm> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 2)
    throw new RangeError(`adaptation batchSize must be a whole number ≥ 2 (got ${batchSize})`);
  const source = 'pixels' in data ? imageSource(data, options.range ?? '0,1') : data;
  const layers = batchNormLayers(model);
  const skip = (reason: string): AdaptedBatchNorm => ({ adaptation: skippedAdaptation(reason), restore: () => {} });
  if (layers.length === 0) {
    return skip(
      'the model has no BatchNorm layers, so there are no statistics to adapt: the adapted figures are the unadapted ones',
    );
  }
  const noScale = untrainableBatchNorms(layers);
  if (noScale.length > 0) {
    return skip(
      `${noScale.length} BatchNorm layer(s) (${noScale.slice(0, 2).join(', ')}${noScale.length > 2 ? ', …' : ''}) have no scale γ ` +
        '(scale=false, as in Keras InceptionV3); tfjs 4.22 cannot run those in training mode (tfjs issue 2868), so their statistics ' +
        'cannot be re-estimated: the model was evaluated unadapted',
    );
  }
  if (source.count < batchSize) {
    return skip(
      `${source.count} image(s) are fewer than one batch of ${batchSize}: too few for stable BatchNorm statistics, ` +
        'so the model was evaluated unadapted',
    );
  }

  const notes: string[] = [];
  const present = countPerClass({
    labels: source.labels.subarray(0, source.count),
    classNames: source.classNames,
  }).filter((n) => n > 0);
  if (present.length === 1) {
    notes.push(
      'every image of this set has the same class. Adaptation uses no labels, so it ran, but the re-estimated statistics ' +
        'describe that class alone: normalising to them removes part of what sets the class apart, and the adapted figures ' +
        'are likely pessimistic. Adapt on sets that mix the classes as they will be met.',
    );
  }

  const snapshot = snapshotBatchNorm(layers);
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    snapshot.restore();
    snapshot.dispose();
  };
  const order = shuffleInPlace(
    Int32Array.from({ length: source.count }, (_, i) => i),
    createRng(options.seed ?? 0),
  ) as Int32Array;
  const batches = Math.ceil(source.count / batchSize);
  const averager = new BatchNormAverager(model, layers);
  try {
    for (let b = 0; b < batches; b++) {
      if (options.signal?.aborted) throw new AdaptationCancelledError();
      // Near-equal batches (sizes differ by at most one): no tiny last batch with noisy statistics.
      const indices = order.subarray(
        Math.floor((b * source.count) / batches),
        Math.floor(((b + 1) * source.count) / batches),
      );
      const batch = source.batch(indices);
      try {
        averager.add(batch.inputs);
      } finally {
        disposeSourceBatch(batch);
      }
      await options.onProgress?.(averager.images, source.count);
      await yieldToEventLoop();
    }
  } catch (err) {
    restore();
    throw err;
  }
  return {
    adaptation: { status: 'adapted', reason: null, notes, layers: layers.length, images: averager.images, batches },
    restore,
  };
}

/**
 * Runs `fn` on `model` with its BatchNorm statistics adapted to `data`, and restores them afterwards whatever
 * happens. When adaptation is skipped, `fn` runs on the model as it is (check `adaptation.status`).
 */
export async function withAdaptedBatchNorm<T>(
  model: tf.LayersModel,
  data: ImageSet | BatchSource,
  options: AdaptOptions,
  fn: (adaptation: BatchNormAdaptation) => T | Promise<T>,
): Promise<{ value: T; adaptation: BatchNormAdaptation }> {
  const adapted = await adaptBatchNorm(model, data, options);
  try {
    return { value: await fn(adapted.adaptation), adaptation: adapted.adaptation };
  } finally {
    adapted.restore();
  }
}

/** Lets a worker see a cancel message between batches (a macrotask; not requestAnimationFrame, which background tabs stall). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
