/**
 * `npm run bench -- shift`: trains the lab's networks on a patient-level part of a chest X-ray folder (default
 * ../shared/data/chest-xray-224/train, 64 px grey, several seeds), then scores the held-out part under systematic
 * shifts — with and without test-time BatchNorm adaptation and the prior correction — and prints a Markdown table
 * (mean ± sd over seeds) and writes bench/results/shift-<timestamp>.json. `--data phantom` runs on generated X-rays.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { countPerClass, type ImageSet } from '../../src/lab/data/image-set';
import { findModel } from '../../src/lab/registry';
import { effectiveTrainingPriors } from '../../src/lab/shift/prior-shift';
import { fitTemperatureOnSet } from '../../src/lab/shift/fit-temperature';
import { trainModel } from '../../src/lab/train/trainer';
import { SHIFT_CASES } from './cases';
import { measureShift, type ShiftRow } from './measure';
import { parseShiftArgs, SHIFT_USAGE, type ShiftBenchOptions } from './options';
import { formatShiftTable } from './report';
import { loadData } from './shift-data';
import { STDIO, type SuiteIO } from './suite-io';
import { measureTransferShift } from './transfer';

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

export async function runShiftSuite(argv: string[], io: SuiteIO = STDIO): Promise<number> {
  let o: ShiftBenchOptions;
  try {
    o = parseShiftArgs(argv);
  } catch (err) {
    io.log(`${(err as Error).message}\n${SHIFT_USAGE}`);
    return 2;
  }
  if (o.data !== 'phantom' && !existsSync(o.data)) {
    io.log(
      `no data at ${o.data}: pass --data DIR (a folder of NORMAL/ and PNEUMONIA/), or --data phantom for generated X-rays`,
    );
    return 2;
  }
  const started = performance.now();
  const data = await loadData(o, io.log);
  const counts = (s: ImageSet) => countPerClass(s).join('/');
  io.log(
    `data: ${data.source}; train ${data.train.count} (${counts(data.train)}), val ${data.val.count}, held out ${data.test.count} (${counts(data.test)}), patient-level`,
  );
  const backend = await selectBackend('wasm');
  io.log(
    `backend: ${backend.name}${backend.fastKernels.length ? ` (fast kernels: ${backend.fastKernels.join(', ')})` : ''}`,
  );
  const trainingPriors = effectiveTrainingPriors(countPerClass(data.train));

  const rows: ShiftRow[] = [];
  const training: Array<{
    model: string;
    seed: number;
    trainMs: number;
    bestEpoch: number | null;
    temperature: number;
    tensorsLeaked: number;
  }> = [];
  for (const modelId of o.models) {
    const entry = findModel(modelId);
    for (const seed of o.seeds) {
      const tensorsAtStart = tf.memory().numTensors;
      const model = entry.build({ size: o.size, channels: o.channels, numClasses: data.train.classNames.length, seed });
      const t0 = performance.now();
      const summary = await trainModel(model, data.train, data.val, {
        epochs: o.epochs,
        batchSize: o.batch,
        learningRate: o.learningRate,
        seed,
        batchNormRecalibrationBatches: 20,
        pixelRange: entry.pixelRange,
      });
      const trainMs = performance.now() - t0;
      const fit = await fitTemperatureOnSet(model, data.val, { range: entry.pixelRange, batchSize: o.batch });
      io.log(
        `${modelId} seed ${seed}: trained ${summary.epochsRun} epochs in ${(trainMs / 1000).toFixed(0)} s (best ${summary.bestEpoch}), T = ${fit.temperature.toFixed(2)}`,
      );
      for (const shiftCase of SHIFT_CASES) {
        const row = await measureShift(
          {
            model,
            modelId,
            seed,
            test: data.test,
            positiveClass: data.positiveClass,
            trainingPriors,
            temperature: fit.temperature,
            range: entry.pixelRange,
            batchSize: o.batch,
          },
          shiftCase,
        );
        rows.push(row);
        if (o.json) io.out(`${JSON.stringify(row)}\n`);
        io.log(
          `  ${shiftCase.name}: acc ${row.before.accuracy?.toFixed(3)} → BN ${row.bn.accuracy?.toFixed(3)}, prior ${row.prior.accuracy?.toFixed(3)}, both ${row.both.accuracy?.toFixed(3)}`,
        );
      }
      model.dispose();
      training.push({
        model: modelId,
        seed,
        trainMs,
        bestEpoch: summary.bestEpoch,
        temperature: fit.temperature,
        tensorsLeaked: tf.memory().numTensors - tensorsAtStart,
      });
    }
  }
  if (o.transfer)
    rows.push(
      ...(await measureTransferShift(
        o,
        data,
        trainingPriors,
        io,
        (row) => o.json && io.out(`${JSON.stringify(row)}\n`),
      )),
    );

  const minutes = (performance.now() - started) / 60000;
  if (!o.json) io.out(`${formatShiftTable(rows)}\n`);
  io.log(`done in ${minutes.toFixed(1)} min`);
  if (o.write) {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, `shift-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        { date: new Date().toISOString(), options: o, minutes, source: data.source, training, rows },
        null,
        2,
      ),
    );
    io.log(`wrote ${file}`);
  }
  return 0;
}
