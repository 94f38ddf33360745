/**
 * Inference speed of a trained model, which the study never measured: latency for one image (what a clinician
 * waiting on a single X-ray sees) and throughput for a batch (what screening a folder sees).
 */
import * as tf from '@tensorflow/tfjs';
import { median } from './median';

/** Settings of `measureInference`. */
export interface InferenceOptions {
  /** Batch size of the throughput measurement (default 32). */
  readonly batchSize?: number;
  /** Timed runs per measurement; the median is reported (default 5). */
  readonly repeats?: number;
  /** Untimed runs first, per batch shape: WebGL/WebGPU compile shaders and wasm warms caches on the first call (default 1). */
  readonly warmup?: number;
  /** Seed of the random input pixels (default 1). */
  readonly seed?: number;
  /** Clock in milliseconds (default `performance.now`); replaceable so tests can script durations. */
  readonly now?: () => number;
}

/** Measured inference speed. */
export interface InferenceTiming {
  /** Median milliseconds to predict one image at batch size 1. */
  readonly msPerImage: number;
  /** Images per second at `batchSize`, from the median batch time. */
  readonly imagesPerSecond: number;
  readonly batchSize: number;
  readonly repeats: number;
}

/**
 * Times `model.predict` on random inputs in [0, 1). Each run awaits `data()` of the outputs, so queued GPU work is
 * included, and disposes everything it made: `tf.memory().numTensors` is the same before and after.
 * @param inputShape [size, size, channels] of one image
 */
export async function measureInference(
  model: tf.LayersModel,
  inputShape: readonly [number, number, number],
  options: InferenceOptions = {},
): Promise<InferenceTiming> {
  const { batchSize = 32, repeats = 5, warmup = 1, seed = 1 } = options;
  const now = options.now ?? (() => performance.now());
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`repeats must be a positive integer, got ${repeats}`);
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`warmup must be a non-negative integer, got ${warmup}`);

  const single = await timeRuns(model, [1, ...inputShape], repeats, warmup, seed, now);
  const batch = await timeRuns(model, [batchSize, ...inputShape], repeats, warmup, seed, now);
  return {
    msPerImage: median(single),
    imagesPerSecond: batchSize / (median(batch) / 1000),
    batchSize,
    repeats,
  };
}

/** Runs warmup + repeats predictions on one random batch and returns the timed durations (ms). */
async function timeRuns(
  model: tf.LayersModel,
  shape: number[],
  repeats: number,
  warmup: number,
  seed: number,
  now: () => number,
): Promise<number[]> {
  const input = tf.randomUniform(shape, 0, 1, 'float32', seed);
  try {
    for (let i = 0; i < warmup; i++) await predictOnce(model, input);
    const durations: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const start = now();
      await predictOnce(model, input);
      durations.push(now() - start);
    }
    return durations;
  } finally {
    input.dispose();
  }
}

/** One prediction, waited for to completion, outputs disposed. */
async function predictOnce(model: tf.LayersModel, input: tf.Tensor): Promise<void> {
  const output = model.predict(input);
  const outputs = Array.isArray(output) ? output : [output];
  try {
    await Promise.all(outputs.map((t) => t.data()));
  } finally {
    tf.dispose(outputs);
  }
}
