/**
 * MobileNetV2 transfer under the same shifts: the frozen backbone runs once over train and validation for the head's
 * features; the composed image → logits model is then scored like the lab's own networks, and "+BN" re-estimates the
 * backbone's BatchNorm statistics on the shifted images. Two variants:
 * - 'ImageNet BN': the backbone as loaded (how the lab trains transfer heads today). Its head learnt features made
 *   with ImageNet statistics, so test-time statistics from X-rays move every feature away from what it learnt.
 * - 'train BN': the backbone's statistics re-estimated on the training X-rays first (AdaBN's source side), the head
 *   trained on those features; test-time adaptation then swaps training-domain for test-domain statistics, as AdaBN
 *   intends.
 */
import { buildTransferHead } from '../../src/lab/models/transfer-head';
import { adaptBatchNorm } from '../../src/lab/shift/adapt-batchnorm';
import { fitTemperatureOnSet } from '../../src/lab/shift/fit-temperature';
import { trainOnFeatures } from '../../src/lab/train/feature-trainer';
import { buildLoadedBackbone, describeBackboneWeights } from '../../src/lab/transfer/backbone-weights';
import { backboneSpec } from '../../src/lab/transfer/backbones';
import { composeTransferModel } from '../../src/lab/transfer/compose';
import { extractFeatures } from '../../src/lab/transfer/extract-features';
import { loadWeightsFromFiles } from '../../src/lab/transfer/load-weights';
import { readWeightsPath } from '../../src/lab/transfer/node/read-weights-path';
import { SHIFT_CASES } from './cases';
import { measureShift, type ShiftRow } from './measure';
import type { ShiftBenchOptions } from './options';
import type { ShiftData } from './shift-data';
import type { SuiteIO } from './suite-io';

export async function measureTransferShift(
  o: ShiftBenchOptions,
  data: ShiftData,
  trainingPriors: number[],
  io: SuiteIO,
  onRow: (row: ShiftRow) => void,
): Promise<ShiftRow[]> {
  const weights = await loadWeightsFromFiles('mobilenet-v2', await readWeightsPath(o.transfer!));
  const info = describeBackboneWeights(weights);
  const modelId = `mobilenet-v2 ${info.variant}`.trim();
  const range = weights.preprocessing.range;
  const rows: ShiftRow[] = [];
  for (const statistics of ['ImageNet BN', 'train BN'] as const) {
    // A backbone as loaded, or with its statistics re-estimated on the training images (kept: nothing is restored).
    const backbone = async () => {
      const model = buildLoadedBackbone(weights, o.size, o.channels);
      if (statistics === 'train BN') await adaptBatchNorm(model, data.train, { range, batchSize: o.batch, seed: 1 });
      return model;
    };
    const name = `${modelId} (${statistics})`;
    const extractor = await backbone();
    const t0 = performance.now();
    const train = await extractFeatures(extractor, data.train, { range, batchSize: 32 });
    const val = await extractFeatures(extractor, data.val, { range, batchSize: 32 });
    extractor.dispose();
    io.log(
      `${name}: backbone features of train + val in ${((performance.now() - t0) / 1000).toFixed(0)} s (${o.size} px)`,
    );
    for (const seed of o.seeds) {
      const head = buildTransferHead({
        features: backboneSpec('mobilenet-v2').features(weights.variant),
        numClasses: train.classNames.length,
        seed,
      });
      await trainOnFeatures(head, train, val, { epochs: 20, batchSize: o.batch, learningRate: o.learningRate, seed });
      const model = composeTransferModel(await backbone(), head);
      try {
        const fit = await fitTemperatureOnSet(model, data.val, { range, batchSize: o.batch });
        io.log(`${name} seed ${seed}: head trained, T = ${fit.temperature.toFixed(2)}`);
        for (const shiftCase of SHIFT_CASES) {
          const row = await measureShift(
            {
              model,
              modelId: name,
              seed,
              test: data.test,
              positiveClass: data.positiveClass,
              trainingPriors,
              temperature: fit.temperature,
              range,
              batchSize: o.batch,
            },
            shiftCase,
          );
          rows.push(row);
          onRow(row);
          io.log(
            `  ${shiftCase.name}: acc ${row.before.accuracy?.toFixed(3)} → BN ${row.bn.accuracy?.toFixed(3)}, prior ${row.prior.accuracy?.toFixed(3)}, both ${row.both.accuracy?.toFixed(3)}`,
          );
        }
      } finally {
        model.dispose();
      }
    }
  }
  return rows;
}
