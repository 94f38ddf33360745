/**
 * One training-speed measurement, identical in Node and in the bench page: build the registry model, train it with
 * the lab's real trainer (trainModel: Adam, cross-entropy on logits, the L2 penalties) on generated phantom X-rays,
 * one warm-up epoch then `repeats` timed epochs of `steps` optimizer steps, then time `predict` on one batch.
 * Nothing here touches Node or the DOM.
 */
import * as tf from '@tensorflow/tfjs';
import { fastKernelsActive, registerFastKernels, unregisterFastKernels } from '../../src/lab/backend';
import { wasmThreadsInUse } from '../../src/lab/backend/fast-training/wasm-threads';
import { disposeBatch, makeBatch } from '../../src/lab/data/batches';
import { selectImages, type ImageSet } from '../../src/lab/data/image-set';
import { generatePhantomImages } from '../../src/lab/data/phantom';
import { median } from '../../src/lab/eval/median';
import { findModel } from '../../src/lab/registry';
import { trainModel } from '../../src/lab/train/trainer';
import type { BenchBackend } from './options';

export type KernelSet = 'ours' | 'stock';

export interface MeasureRequest {
  model: string;
  size: number;
  batch: number;
  channels: 1 | 3;
  steps: number;
  repeats: number;
  backend: BenchBackend;
  kernels: KernelSet;
  /** When set, training is not attempted and this is reported instead. */
  skipTrain?: string;
  /** XNNPACK threads to start wasm with ('auto' = every core); only the first wasm start of a process counts. */
  wasmThreads?: 'auto' | number;
}

/** Repeated figures and their spread. */
export interface Spread {
  min: number;
  median: number;
  max: number;
  runs: number[];
}

export interface Measurement {
  request: MeasureRequest;
  params: number;
  /** Kernels of this backend served by src/lab/backend during the run. */
  fastKernels: string[];
  /** wasm: XNNPACK's threads during the run; null for other backends. */
  threads: number | null;
  train: Spread | null;
  trainError: string | null;
  infer: Spread | null;
  inferError: string | null;
  /** tf.memory().numTensors before training, at the end of every epoch, and after trainModel returned. */
  numTensors: { before: number; afterEpoch: number[]; after: number };
}

export function spread(runs: number[]): Spread {
  return { min: Math.min(...runs), median: median(runs), max: Math.max(...runs), runs };
}

const datasets = new Map<string, ImageSet>();

/** `count` phantom images (half per class), generated once per shape and reused by every model and kernel set. */
export function benchImages(count: number, size: number, channels: 1 | 3): ImageSet {
  const key = `${count}/${size}/${channels}`;
  let set = datasets.get(key);
  if (set == null) {
    const all = generatePhantomImages({ perClass: Math.ceil(count / 2), size, channels, seed: 1 });
    set = selectImages(
      all,
      Int32Array.from({ length: count }, (_, i) => i),
    );
    datasets.set(key, set);
  }
  return set;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0];

/** Switches the backend's kernels to the requested set (only wasm and cpu have fast kernels to switch). */
function useKernels(backend: BenchBackend, kernels: KernelSet): void {
  if (backend !== 'wasm' && backend !== 'cpu') return;
  if (kernels === 'stock') unregisterFastKernels(backend);
  else registerFastKernels(backend);
}

/** Runs one measurement on the current backend; the backend must already be `request.backend`. */
export async function measureTraining(request: MeasureRequest): Promise<Measurement> {
  const { model: id, size, batch, channels, steps, repeats, backend, kernels } = request;
  useKernels(backend, kernels);
  const set = benchImages(batch * steps, size, channels);
  const entry = findModel(id);
  const model = entry.build({ size, channels, seed: 1 });
  const result: Measurement = {
    request,
    params: model.countParams(),
    fastKernels: backend === 'wasm' || backend === 'cpu' ? fastKernelsActive(backend) : [],
    threads: backend === 'wasm' ? wasmThreadsInUse() : null,
    train: null,
    trainError: request.skipTrain ?? null,
    infer: null,
    inferError: null,
    numTensors: { before: tf.memory().numTensors, afterEpoch: [], after: 0 },
  };
  try {
    // Stock kernels may not train at all (wasm has no Conv2DBackpropFilter). A step that throws leaves every tensor
    // it saved for the backward pass behind, hundreds of MB at full size, so find out on a one-image probe first.
    const probeError = kernels === 'stock' && request.skipTrain == null ? await probeTraining(id, channels) : null;
    if (probeError != null) result.trainError = probeError;
    else if (request.skipTrain == null) {
      const perEpoch: number[] = [];
      try {
        await trainModel(
          model,
          set,
          null,
          {
            epochs: repeats + 1,
            batchSize: batch,
            seed: 1,
            restoreBestWeights: false,
            pixelRange: entry.pixelRange,
          },
          {
            onEpochEnd: (log) => {
              perEpoch.push(log.imagesPerSec);
              result.numTensors.afterEpoch.push(tf.memory().numTensors);
            },
          },
        );
        // The first epoch warms up (kernel compilation, heap growth) and is not counted.
        result.train = spread(perEpoch.slice(1));
      } catch (err) {
        const left = tf.memory().numTensors - result.numTensors.before;
        result.trainError = `${message(err)}${left > 0 ? ` (the failed step left ${left} tensors behind)` : ''}`;
      }
    }
    result.numTensors.after = tf.memory().numTensors;
    result.infer = await timeInference(model, set, batch, repeats, entry.pixelRange).catch((err: unknown) => {
      result.inferError = message(err);
      return null;
    });
  } finally {
    model.dispose();
    useKernels(backend, 'ours');
  }
  return result;
}

/** Trains one step on one image at the model's smallest size; the error message when that throws, else null. */
async function probeTraining(id: string, channels: 1 | 3): Promise<string | null> {
  const entry = findModel(id);
  const size = Math.max(entry.minSize, 8);
  const model = entry.build({ size, channels, seed: 1 });
  try {
    await trainModel(model, benchImages(1, size, channels), null, {
      epochs: 1,
      batchSize: 1,
      restoreBestWeights: false,
    });
    return null;
  } catch (err) {
    return `${message(err)} (found by a one-image step at ${size}×${size})`;
  } finally {
    model.dispose();
  }
}

/** Images per second of `predict` on one batch: one warm-up call, then `repeats` timed calls. */
async function timeInference(
  model: tf.LayersModel,
  set: ImageSet,
  batch: number,
  repeats: number,
  pixelRange: '0,1' | '-1,1',
): Promise<Spread> {
  const data = makeBatch(
    set,
    Int32Array.from({ length: batch }, (_, i) => i),
    pixelRange,
  );
  try {
    const once = async (): Promise<number> => {
      const started = performance.now();
      const out = model.predict(data.images) as tf.Tensor;
      await out.data();
      out.dispose();
      return (batch * 1000) / (performance.now() - started);
    };
    await once();
    const runs: number[] = [];
    for (let r = 0; r < repeats; r++) runs.push(await once());
    return spread(runs);
  } finally {
    disposeBatch(data);
  }
}
