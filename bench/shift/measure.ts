/**
 * One trained model under every shifted set: its figures as they are, with test-time BatchNorm adaptation, with the
 * prior correction (EM on temperature-scaled posteriors), and with both — all through evaluateUnderShift, the
 * function records will use.
 */
import type * as tf from '@tensorflow/tfjs';
import type { PixelRange } from '../../src/lab/data/batches';
import { countPerClass, type ImageSet } from '../../src/lab/data/image-set';
import type { EvaluationResult } from '../../src/lab/eval/evaluate';
import { evaluateUnderShift } from '../../src/lab/shift/evaluate-under-shift';
import type { ShiftCase } from './cases';

/** Threshold figures of one arm. */
export interface ArmFigures {
  accuracy: number | null;
  sensitivity: number | null;
  specificity: number | null;
  auc: number | null;
}

/** One model × seed × shifted set. */
export interface ShiftRow {
  model: string;
  seed: number;
  shift: string;
  kind: ShiftCase['kind'];
  count: number;
  /** True share of the positive class in the shifted set. */
  prevalence: number;
  trainingPrevalence: number;
  temperature: number;
  before: ArmFigures & { ece: number; brier: number };
  /** Temperature only: decisions at 0.5 do not change for two classes, calibration does. */
  calibrated: { ece: number; brier: number };
  bn: ArmFigures;
  prior: ArmFigures & { estimatedPrevalence: number };
  both: ArmFigures & { estimatedPrevalence: number };
  adaptation: string;
  ms: number;
}

const arm = (r: EvaluationResult): ArmFigures => ({
  accuracy: r.binary.accuracy,
  sensitivity: r.binary.sensitivity,
  specificity: r.binary.specificity,
  auc: r.auc,
});

export interface MeasureContext {
  model: tf.LayersModel;
  modelId: string;
  seed: number;
  test: ImageSet;
  positiveClass: number;
  trainingPriors: number[];
  temperature: number;
  range: PixelRange;
  batchSize: number;
}

export async function measureShift(c: MeasureContext, shiftCase: ShiftCase): Promise<ShiftRow> {
  const started = performance.now();
  const set = shiftCase.build(c.test, c.positiveClass);
  const base = {
    positiveClass: c.positiveClass,
    batchSize: c.batchSize,
    range: c.range,
    trainingPriors: c.trainingPriors,
  };
  const calibrated = await evaluateUnderShift(c.model, set, { ...base, temperature: c.temperature });
  const bn = await evaluateUnderShift(c.model, set, { ...base, adaptBn: true });
  const prior = await evaluateUnderShift(c.model, set, { ...base, temperature: c.temperature, priorCorrection: true });
  const both = await evaluateUnderShift(c.model, set, {
    ...base,
    temperature: c.temperature,
    priorCorrection: true,
    adaptBn: true,
  });
  return {
    model: c.modelId,
    seed: c.seed,
    shift: shiftCase.name,
    kind: shiftCase.kind,
    count: set.count,
    prevalence: countPerClass(set)[c.positiveClass] / set.count,
    trainingPrevalence: c.trainingPriors[c.positiveClass],
    temperature: c.temperature,
    before: {
      ...arm(calibrated.before),
      ece: calibrated.calibration.before.ece,
      brier: calibrated.calibration.before.brier,
    },
    calibrated: { ece: calibrated.calibration.after.ece, brier: calibrated.calibration.after.brier },
    bn: arm(bn.after),
    prior: { ...arm(prior.after), estimatedPrevalence: prior.prior!.estimatedPrevalence },
    both: { ...arm(both.after), estimatedPrevalence: both.prior!.estimatedPrevalence },
    adaptation:
      bn.adaptation!.status === 'adapted' ? `${bn.adaptation!.layers} layers` : `skipped: ${bn.adaptation!.reason}`,
    ms: performance.now() - started,
  };
}
