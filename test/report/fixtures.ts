/**
 * Hand-made evaluation results and records for the report tests: the counts are chosen so every formatted number
 * can be worked out by hand (see the comments in each test).
 */
import { metricsFromCounts } from '../../src/lab/eval/binary-metrics';
import type { EvaluationResult } from '../../src/lab/eval/evaluate';
import { makeResultRecord, type ResultRecord, type TrainingSummary } from '../../src/lab/report/result-record';

export const CLASS_NAMES = ['NORMAL', 'PNEUMONIA'];

/** An evaluation as evaluateModel would return it, built from a 2×2 confusion matrix [[tn, fp], [fn, tp]]. */
export function evaluationFrom(
  confusion: number[][],
  auc: number,
  loss: number,
  ci: EvaluationResult['ci'] = null,
): EvaluationResult {
  const [[tn, fp], [fn, tp]] = confusion;
  return {
    count: tn + fp + fn + tp,
    classNames: CLASS_NAMES,
    positiveClass: 1,
    confusion,
    binary: metricsFromCounts(0.5, tp, fp, tn, fn),
    auc,
    roc: [],
    ci,
    loss,
    probabilities: new Float32Array(0),
    labels: new Int32Array(0),
  };
}

export function summary(overrides: Partial<TrainingSummary>): TrainingSummary {
  return {
    modelId: 'model',
    label: 'Model',
    params: 0,
    trainableParams: 0,
    inputSize: 128,
    channels: 3,
    backend: 'webgl',
    seed: 42,
    epochsRun: 20,
    epochsPlanned: 20,
    status: 'ok',
    ...overrides,
  };
}

/** LightLayers k=4: 543/624 right, sensitivity 363/390, specificity 180/234, with bootstrap intervals. */
export const lightK4: ResultRecord = makeResultRecord(
  summary({
    modelId: 'light-k4',
    label: 'LightLayers k=4',
    params: 8294,
    trainableParams: 7958,
    bytes: 775_946, // 757.76 KiB
    bestEpoch: 14,
    trainTimeMs: 1_344_000, // 22 min 24 s
    msPerEpoch: 67_200,
    trainImagesPerSec: 77.6,
    inference: { msPerImage: 3.4567, imagesPerSecond: 812.5 },
  }),
  evaluationFrom(
    [
      [180, 54],
      [27, 363],
    ],
    0.9412,
    0.3534,
    {
      level: 0.95,
      iterations: 1000,
      accuracy: { low: 0.8429, high: 0.8958 },
      auc: { low: 0.9213, high: 0.9597 },
      aucSkipped: 0,
    },
  ),
);

/** Conv2D: 504/624 right, calls many NORMAL images PNEUMONIA (specificity 120/234); no intervals. */
export const conv2d: ResultRecord = makeResultRecord(
  summary({
    modelId: 'conv2d',
    label: 'Conv2D',
    params: 31074,
    trainableParams: 30738,
    bytes: 1_363_149, // 1.30 MiB
    trainTimeMs: 1_108_000, // 18 min 28 s
    msPerEpoch: 55_400,
    inference: { msPerImage: 2.1, imagesPerSecond: 1500 },
  }),
  evaluationFrom(
    [
      [120, 114],
      [6, 384],
    ],
    0.9301,
    0.4183,
  ),
);

/** A run that failed before any evaluation. */
export const failedInception: ResultRecord = makeResultRecord(
  summary({
    modelId: 'inception',
    label: 'InceptionV3 transfer',
    params: 21_806_882,
    trainableParams: 4098,
    trainTimeMs: 60_000,
    status: 'failed',
    error: 'out of memory',
    epochsRun: 0,
    classNames: CLASS_NAMES,
    positiveClass: 1,
  }),
);
