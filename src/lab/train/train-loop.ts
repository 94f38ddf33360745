import * as tf from '@tensorflow/tfjs';
import { bufferLimitReason } from '../backend/buffer-limits';
import { batchIndices } from '../data/batches';
import { createRng, rngFromState, shuffleInPlace } from '../util/rng';
import { disposeSourceBatch, type BatchSource } from './batch-source';
import { recalibrateBatchNorm } from './batchnorm-recalibration';
import { resolveClassWeights } from './class-weights';
import { FusedAdam } from './fused-adam';
import { countCorrect, logitsLoss } from './loss';
import {
  checkResumable,
  readOptimizer,
  readWeights,
  restoreOptimizer,
  restoreWeights,
  type TrainCheckpoint,
  type WeightArray,
} from './checkpoint';
import { BackendLimitError, NonFiniteLossError } from './training-errors';
import { resolveTrainOptions, type TrainOptions } from './train-options';
import type { TrainCallbacks } from './train-callbacks';
import type { EpochLog, TrainSummary } from './train-log';
import { WeightsSnapshot } from './weights-snapshot';
import { validateSource } from './validate';

const now = () => performance.now();

/**
 * The training loop behind {@link trainModel} (images) and the transfer head's trainer (cached features): Adam on
 * cross-entropy of the logits over any {@link BatchSource}. Seeded shuffles, optional class weights, early stopping on
 * validation loss, restore of the best-validation-loss weights, and cancellation between batches (`signal`): a
 * cancelled model keeps its best (or latest) weights and stays usable. `options.pixelRange` is the sources' business
 * and ignored here. Tensor memory is back where it started when the promise settles. Throws NonFiniteLossError
 * when the loss becomes NaN or infinite, and BackendLimitError before the first step when one batch cannot fit
 * the backend's buffers (WebGPU). Reads are asynchronous only (a synchronous read stalls a GPU pipeline).
 * With `callbacks.onCheckpoint` it hands over a {@link TrainCheckpoint} after every epoch; with
 * `callbacks.resumeFrom` it continues from one and ends bit-identical to the uninterrupted run.
 */
export async function trainOnBatches(
  model: tf.LayersModel,
  train: BatchSource,
  validation: BatchSource | null,
  options: Partial<TrainOptions> = {},
  callbacks: TrainCallbacks = {},
  signal?: AbortSignal,
): Promise<TrainSummary> {
  const o = resolveTrainOptions(options);
  if (train.count === 0) throw new RangeError('the training set is empty');
  const overLimit = bufferLimitReason(model, Math.min(o.batchSize, train.count));
  if (overLimit != null) throw new BackendLimitError(overLimit);
  const resume = callbacks.resumeFrom ?? null;
  if (resume) checkResumable(resume, { ...o, trainCount: train.count });
  const rng = resume ? rngFromState(resume.rngState) : createRng(o.seed);
  // tfjs's Adam, with the whole update in one kernel call on wasm and cpu (bit-identical, see fused-adam.ts).
  const optimizer = new FusedAdam(o.learningRate, 0.9, 0.999, 1e-7);
  const classWeights = resolveClassWeights(train, o.classWeights);
  const classWeightTensor = classWeights ? tf.tensor1d(classWeights) : null;
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const order = resume ? Int32Array.from(resume.order) : Int32Array.from({ length: train.count }, (_, i) => i);
  const batchesPerEpoch = Math.ceil(train.count / o.batchSize);

  const history: EpochLog[] = resume ? resume.history.map((h) => ({ ...h })) : [];
  let best: { loss: number; epoch: number; snapshot: WeightsSnapshot } | null = null;
  /** The best epoch's weights as arrays, read once when it became best (checkpoints reuse them). */
  let bestArrays: WeightArray[] | null = null;
  let epochsWithoutImprovement = resume?.epochsWithoutImprovement ?? 0;
  let stoppedEarly = resume?.stoppedEarly ?? false;
  let cancelled = false;
  let trainMs = resume?.trainMs ?? 0;
  let imagesTrained = resume?.imagesTrained ?? 0;
  let started = now() - (resume?.elapsedMs ?? 0);

  try {
    if (resume) {
      // The best weights first (through the model, to snapshot them), then the latest.
      if (resume.best) {
        restoreWeights(model, resume.best.weights, 'best weights');
        best = { loss: resume.best.score, epoch: resume.best.epoch, snapshot: WeightsSnapshot.take(model) };
        bestArrays = resume.best.weights;
      }
      restoreWeights(model, resume.weights);
      await restoreOptimizer(optimizer, resume.optimizer, variables);
      if (resume.sourcePosition != null) train.seek?.(resume.sourcePosition);
    } else if (callbacks.onBaseline && validation && validation.count > 0) {
      await callbacks.onBaseline(await validateSource(model, validation, o.batchSize));
      started = now(); // training time leaves out this extra pass
    }
    for (let epoch = (resume?.epoch ?? 0) + 1; epoch <= o.epochs && !cancelled && !stoppedEarly; epoch++) {
      const epochStart = now();
      shuffleInPlace(order, rng);
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let batch = 0;
      for (const indices of batchIndices(order, o.batchSize)) {
        if (signal?.aborted) {
          cancelled = true;
          break;
        }
        if (o.lrSchedule !== 'constant')
          optimizer.setLearningRate(scheduledRate(o, (epoch - 1) * batchesPerEpoch + batch, batchesPerEpoch));
        const data = train.batch(indices);
        let logits: tf.Tensor2D | null = null;
        const loss = tf.tidy(() => {
          const weights = classWeightTensor ? tf.gather(classWeightTensor, data.labels) : undefined;
          return optimizer.minimize(
            () => {
              const out = model.apply(data.inputs, { training: true }) as tf.Tensor2D;
              logits = tf.keep(out);
              return logitsLoss(model, out, data.labels, weights as tf.Tensor1D | undefined, o.labelSmoothing);
            },
            true,
            variables,
          )!;
        });
        const hits = countCorrect(logits!, data.labels);
        // Asynchronous reads: a synchronous one per batch stalls WebGPU.
        const [lossValue, hitValue] = await Promise.all([loss.data(), hits.data()]);
        tf.dispose([loss, hits, logits!]);
        disposeSourceBatch(data);
        // A NaN or infinite loss poisons every later step: stop this model with a message instead.
        if (!Number.isFinite(lossValue[0])) throw new NonFiniteLossError(epoch, batch, lossValue[0], tf.getBackend());
        lossSum += lossValue[0] * indices.length;
        correct += hitValue[0];
        seen += indices.length;
        const elapsed = now() - epochStart;
        await callbacks.onBatchEnd?.({
          epoch,
          batch,
          batchesPerEpoch,
          loss: lossSum / seen,
          accuracy: correct / seen,
          imagesPerSec: (seen / elapsed) * 1000,
        });
        batch++;
      }
      const epochTrainMs = now() - epochStart;
      trainMs += epochTrainMs;
      imagesTrained += seen;
      // A cancelled part-epoch is neither validated, logged nor chosen as best.
      if (cancelled) break;

      if (o.batchNormRecalibrationBatches > 0) {
        recalibrateBatchNorm(model, train, order, o.batchSize, o.batchNormRecalibrationBatches);
      }
      const val = validation && validation.count > 0 ? await validateSource(model, validation, o.batchSize) : null;
      const log: EpochLog = {
        epoch,
        loss: lossSum / seen,
        accuracy: correct / seen,
        valLoss: val ? val.loss : null,
        valAccuracy: val ? val.accuracy : null,
        imagesPerSec: (seen / epochTrainMs) * 1000,
        ms: now() - epochStart,
      };
      history.push(log);

      // Best = lowest validation loss (class-balanced when asked), or the latest epoch without a validation set.
      const score = val ? (o.balancedValidation ? val.balancedLoss : val.loss) : -epoch;
      if (best == null || score < best.loss) {
        best?.snapshot.dispose();
        best = { loss: score, epoch, snapshot: WeightsSnapshot.take(model) };
        epochsWithoutImprovement = 0;
      } else {
        epochsWithoutImprovement++;
      }
      await callbacks.onEpochEnd?.(log);
      if (
        o.earlyStoppingPatience != null &&
        log.valLoss != null &&
        epochsWithoutImprovement >= o.earlyStoppingPatience
      ) {
        stoppedEarly = true;
      }
      // An aborted run (cancelled, or failed from outside while this epoch finished) hands over no more checkpoints.
      if (callbacks.onCheckpoint && !signal?.aborted) {
        const checkpointStart = now();
        const weights = await readWeights(model.getWeights());
        if (best?.epoch === epoch) bestArrays = weights;
        await callbacks.onCheckpoint({
          version: 1,
          epoch,
          epochsPlanned: o.epochs,
          seed: o.seed,
          batchSize: o.batchSize,
          learningRate: o.learningRate,
          trainCount: train.count,
          backend: tf.getBackend(),
          weights,
          optimizer: await readOptimizer(optimizer),
          rngState: rng.state(),
          order: order.slice(),
          sourcePosition: train.position?.() ?? null,
          history: history.map((h) => ({ ...h })),
          best: best && bestArrays ? { score: best.loss, epoch: best.epoch, weights: bestArrays } : null,
          epochsWithoutImprovement,
          stoppedEarly,
          elapsedMs: now() - started,
          trainMs,
          imagesTrained,
        } satisfies TrainCheckpoint);
        callbacks.onCheckpointCost?.(epoch, now() - checkpointStart);
      }
    }
    let bestEpoch: number | null = history.length > 0 ? history[history.length - 1].epoch : null;
    if (best && o.restoreBestWeights) {
      best.snapshot.restoreInto(model);
      bestEpoch = best.epoch;
    }
    const epochsRun = history.length;
    const trainTimeMs = now() - started;
    return {
      history,
      epochsPlanned: o.epochs,
      epochsRun,
      bestEpoch,
      stoppedEarly,
      cancelled,
      trainTimeMs,
      msPerEpoch: epochsRun > 0 ? trainTimeMs / epochsRun : 0,
      imagesPerSec: trainMs > 0 ? (imagesTrained / trainMs) * 1000 : 0,
    };
  } finally {
    best?.snapshot.dispose();
    classWeightTensor?.dispose();
    optimizer.dispose();
  }
}

/**
 * The learning rate of step `step` (0-based over the whole run) under a cosine schedule: a linear warm-up over the
 * first epoch (when there are at least two), then half a cosine from the full rate down towards 0 at the last step.
 */
export function scheduledRate(
  o: Pick<TrainOptions, 'learningRate' | 'epochs'>,
  step: number,
  batchesPerEpoch: number,
): number {
  const total = o.epochs * batchesPerEpoch;
  const warmup = o.epochs >= 2 ? batchesPerEpoch : 0;
  if (step < warmup) return (o.learningRate * (step + 1)) / warmup;
  const progress = (step - warmup) / Math.max(1, total - warmup);
  return o.learningRate * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
}
