import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendPreference } from '../../lab/backend/select-backend';
import { DEFAULT_EXPERIMENT_SETTINGS, type ExperimentSettings } from '../../lab/experiment/experiment-settings';
import { runModel } from '../../lab/experiment/run-model';
import { modelToFiles } from '../../lab/export/model-files';
import { STANDARD_AUGMENTATION } from '../../lab/data/augment';
import { findModel } from '../../lab/models/registry';
import { FileFeatureCache } from '../../lab/transfer/node/file-feature-cache';
import { renderComparisonTable } from '../../lab/report/comparison-table';
import { renderMarkdownReport } from '../../lab/report/render-markdown';
import { renderResultsJson } from '../../lab/report/render-json';
import type { ResultRecord } from '../../lab/report/result-record';
import { CliError, type CliIO } from '../cli-error';
import { channelsOption, floatOption, intOption } from '../options';
import { prepareData } from '../prepare-data';
import { useQuietCpu } from '../quiet-backend';
import { assignWeights, loadCliWeights, preprocessingOption } from '../transfer-weights';
import { checkOutDir, writeOutputs, type OutputFiles } from '../write-out';

export const COMPARE_USAGE = `xray-lab compare --data DIR [--test DIR] [--models cnn,light-k2,…] [--size N] [--channels 1|3]
    [--epochs N] [--batch N] [--lr X] [--seed N] [--val-fraction F] [--test-fraction F] [--limit N]
    [--positive CLASS] [--threshold T] [--class-weights] [--patience N] [--bn-recalibrate N (default 20; 0 = the study)]
    [--keep-val] [--bootstrap N] [--augment (flips, ±10° rotation, ±10% shift/zoom/brightness/contrast)]
    [--weights [ID=]PATH …] [--preprocessing keras|tf-hub] [--head-dropout F] [--head-rank K] [--feature-cache DIR]
    [--fine-tune N (inception-v3: N more epochs training mixed9/mixed10 too)]
    [--backend auto|wasm|cpu] [--out DIR] [--json]
  Trains each model on DIR (one folder per class, or train/ val/ test/ folders), evaluates on --test or on a
  patient-level held-out part of DIR, prints the comparison table (--json: the result records), and writes
  results.json, report.md and models/<id>/{model.json,weights.bin} into --out (default ./xray-lab-results).
  Transfer models (inception-v3, mobilenet-v2) need ImageNet weights: --weights PATH (a Keras .h5, a TF.js model.json
  with its shards, or a folder holding either; ID=PATH when several are listed). Their backbone runs once per image;
  --feature-cache DIR keeps those features for the next run (same images, size and weights).`;

const BACKENDS = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

export async function compareCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      data: { type: 'string' }, test: { type: 'string' }, models: { type: 'string' },
      size: { type: 'string' }, channels: { type: 'string' }, epochs: { type: 'string' }, batch: { type: 'string' },
      lr: { type: 'string' }, seed: { type: 'string' }, 'val-fraction': { type: 'string' },
      'test-fraction': { type: 'string' }, limit: { type: 'string' }, positive: { type: 'string' },
      threshold: { type: 'string' }, 'class-weights': { type: 'boolean', default: false },
      patience: { type: 'string' }, 'bn-recalibrate': { type: 'string' }, 'keep-val': { type: 'boolean', default: false },
      backend: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean', default: false },
      bootstrap: { type: 'string' }, help: { type: 'boolean', default: false }, augment: { type: 'boolean', default: false },
      weights: { type: 'string', multiple: true }, preprocessing: { type: 'string' }, 'head-dropout': { type: 'string' },
      'head-rank': { type: 'string' }, 'feature-cache': { type: 'string' }, 'fine-tune': { type: 'string' },
    },
  });
  if (values.help) {
    io.stdout(COMPARE_USAGE + '\n');
    return 0;
  }
  const log = (line: string) => io.stderr(`${line}\n`);
  if (!values.data) throw new CliError('--data DIR is required (a folder of class folders, or of train/ val/ test/)');

  // Every option is checked before any file is read or any folder created.
  const size = intOption('size', values.size, 128, 1, 1024);
  const modelIds = (values.models ?? 'cnn,light-k1,light-k2,light-k3,light-k4,light-k5').split(',').map((s) => s.trim()).filter(Boolean);
  if (modelIds.length === 0) throw new CliError('--models lists no model');
  for (const id of modelIds) {
    const entry = findModel(id);
    if (size < entry.minSize) throw new CliError(`--size ${size} is too small for ${id}: it needs at least ${entry.minSize}×${entry.minSize}`);
  }
  const transferIds = modelIds.filter((id) => findModel(id).family === 'transfer');
  const assignedWeights = assignWeights(transferIds, values.weights ?? []);
  const preprocessing = preprocessingOption(values.preprocessing);
  const backend = values.backend ?? 'auto';
  if (!BACKENDS.includes(backend)) throw new CliError(`--backend must be one of ${BACKENDS.join(', ')} (got "${backend}")`);
  const settings: ExperimentSettings = {
    ...DEFAULT_EXPERIMENT_SETTINGS,
    size,
    channels: channelsOption(values.channels, 3),
    epochs: intOption('epochs', values.epochs, DEFAULT_EXPERIMENT_SETTINGS.epochs, 1, 10_000),
    batchSize: intOption('batch', values.batch, 32, 1, 4096),
    learningRate: floatOption('lr', values.lr, 1e-3, 0, 10, true),
    seed: intOption('seed', values.seed, 1, 0, 2 ** 31 - 1),
    classWeights: values['class-weights'] ? 'balanced' : null,
    earlyStoppingPatience: values.patience == null ? null : intOption('patience', values.patience, 0, 1),
    batchNormRecalibrationBatches: intOption('bn-recalibrate', values['bn-recalibrate'], DEFAULT_EXPERIMENT_SETTINGS.batchNormRecalibrationBatches, 0, 10_000),
    threshold: floatOption('threshold', values.threshold, 0.5, 0, 1),
    bootstrapIterations: intOption('bootstrap', values.bootstrap, 1000, 0, 100_000),
    headDropout: floatOption('head-dropout', values['head-dropout'], 0, 0, 0.95),
    headLightRank: values['head-rank'] == null ? null : intOption('head-rank', values['head-rank'], 8, 1, 4096),
    fineTuneEpochs: intOption('fine-tune', values['fine-tune'], 0, 0, 10_000),
    augmentation: values.augment ? STANDARD_AUGMENTATION : null,
  };
  const valFraction = floatOption('val-fraction', values['val-fraction'], 0.1, 0, 0.9);
  const testFraction = floatOption('test-fraction', values['test-fraction'], 0.2, 0, 0.9);
  if (valFraction + testFraction >= 0.95) throw new CliError('--val-fraction plus --test-fraction must leave images for training');
  const limit = values.limit == null ? undefined : intOption('limit', values.limit, 0, 10);
  const out = values.out ?? 'xray-lab-results';
  // Weights are read and checked before any image: a wrong file fails in seconds, naming its first unfit layer.
  // Checking builds the network once (on cpu: any backend gives the same shapes); training picks its backend below.
  if (assignedWeights.size > 0) {
    await useQuietCpu();
    await loadCliWeights(assignedWeights, preprocessing, log);
  }
  // Features kept on disk for the next run; without the option, the process's in-memory cache.
  const featureCache = values['feature-cache'] ? new FileFeatureCache(values['feature-cache']) : undefined;

  const data = await prepareData({
    data: values.data, test: values.test, size, channels: settings.channels, seed: settings.seed,
    valFraction, testFraction, limit, keepVal: values['keep-val'], log,
  });
  settings.positiveClass = positiveClassIndex(data.classNames, values.positive);
  await checkOutDir(out);
  const selection = await selectBackend(backend as BackendPreference);
  log(`backend: ${selection.name}${selection.fastKernels.length ? ` (fast kernels: ${selection.fastKernels.join(', ')})` : ''}`);

  const records: ResultRecord[] = [];
  const files: OutputFiles = new Map();
  for (const id of modelIds) {
    const started = Date.now();
    const logged = new Map<string, number>();
    const run = await runModel(id, data, settings, {
      onPhase: (phase) => log(`${id}: ${phase}`),
      onFeatureProgress: (p) => {
        if (p.cached) return log(`${id}: ${p.split} features from the cache (${p.total} images)`);
        // About every tenth of a split, and its end.
        if (p.done === p.total || p.done - (logged.get(p.split) ?? 0) >= p.total / 10) {
          logged.set(p.split, p.done);
          log(`${id}: backbone pass over ${p.split}: ${p.done}/${p.total}`);
        }
      },
      onEpochEnd: (e) => log(`${id}: epoch ${e.epoch}/${settings.epochs}  loss ${e.loss.toFixed(4)}  acc ${e.accuracy.toFixed(3)}`
        + (e.valLoss == null ? '' : `  val_loss ${e.valLoss.toFixed(4)}  val_acc ${e.valAccuracy!.toFixed(3)}`)
        + `  ${e.imagesPerSec.toFixed(1)} img/s`),
    }, undefined, { featureCache });
    records.push(run.record);
    if (run.model) {
      const saved = await modelToFiles(run.model, 'weights.bin', {
        modelId: id, inputSize: size, channels: settings.channels, classNames: data.classNames, pixelRange: findModel(id).pixelRange,
      });
      files.set(`models/${id}/model.json`, saved.modelJson);
      files.set(`models/${id}/weights.bin`, saved.weights);
      run.model.dispose();
    }
    log(`${id}: ${run.record.status}${run.record.error ? ` — ${run.record.error}` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const meta = {
    title: 'X-Ray Lab comparison',
    data: values.data, test: data.testSource, counts: { train: data.train.count, val: data.val?.count ?? 0, test: data.test.count },
    classes: data.classNames, positiveClass: data.classNames[settings.positiveClass], skippedFiles: data.skipped.length,
    backend: selection.name, settings,
  };
  files.set('results.json', renderResultsJson(records, meta));
  files.set('report.md', renderMarkdownReport(records, meta));
  await writeOutputs(out, files);
  io.stdout(values.json ? JSON.stringify(records, null, 2) + '\n' : renderComparisonTable(records) + '\n');
  log(`wrote ${out}/results.json, ${out}/report.md and ${records.filter((r) => r.status !== 'failed').length} model(s)`);
  tf.disposeVariables();
  return records.every((r) => r.status === 'ok') ? 0 : 1;
}

/** --positive by name; default PNEUMONIA when present, else the second class. */
function positiveClassIndex(classNames: string[], requested?: string): number {
  if (requested != null) {
    const index = classNames.findIndex((c) => c.toLowerCase() === requested.toLowerCase());
    if (index < 0) throw new CliError(`--positive ${requested}: no such class (classes: ${classNames.join(', ')})`);
    return index;
  }
  const pneumonia = classNames.findIndex((c) => c.toUpperCase() === 'PNEUMONIA');
  return pneumonia >= 0 ? pneumonia : Math.min(1, classNames.length - 1);
}
