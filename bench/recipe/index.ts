/**
 * `npm run bench -- recipe`: the training recipes side by side on stand-ins for another hospital's images. Trains
 * each model and seed under each variant (a recipe, or the robust recipe without one ingredient, or the study's
 * with one added) on a patient-level part of a chest X-ray folder, then scores the held-out patients as they are and
 * under systematic shifts (exposure, contrast, blur, noise, zoom, another PNEUMONIA share), each the way the variant's
 * records would (adapted to the test images when it adapts), plus the seed ensemble. Prints a Markdown table of
 * accuracy and AUC (mean over seeds) and writes bench/results/recipe-<timestamp>.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { prepareData } from '../../src/cli/prepare-data';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { countPerClass, type ImageSet } from '../../src/lab/data/image-set';
import { resolveClassWeights } from '../../src/lab/train/class-weights';
import { evaluatePredictions, type EvaluationResult } from '../../src/lab/eval/evaluate';
import { imageTrainOptions, runConfig } from '../../src/lab/experiment/run-config';
import { averagedPredictions } from '../../src/lab/experiment/seed-ensemble';
import { CLI_DEFAULTS, defaultExperiment, type Experiment } from '../../src/lab/experiment/schema';
import { findModel } from '../../src/lab/registry';
import { evaluateUnderShift } from '../../src/lab/shift/evaluate-under-shift';
import { effectiveTrainingPriors } from '../../src/lab/shift/prior-shift';
import { trainModel } from '../../src/lab/train/trainer';
import { DEFAULT_DATA } from '../shift/options';
import { STAND_INS } from './stand-ins';
import { ABLATION, variantExperiment } from './variants';

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

const USAGE = `usage: npm run bench -- recipe [options]
  --data PATH        class folders (default ../shared/data/chest-xray-224/train)
  --models a,b       (default light-k4,cnn)          --size N      (default 64)
  --seeds 1,2,3      (default 1,2,3)                  --epochs N    (default: the CLI's, 20)
  --variants a,b     study, robust, robust-no-<ingredient>, robust+<ingredient>, study+<ingredient>
                     (default study,robust); --ablation = study, robust and robust with each ingredient flipped
  --limit N          seeded class-stratified subset (default 0 = all)
  --test-fraction X  held-out patients that are shifted (default 0.2)
  --no-write         do not write bench/results/recipe-*.json
  --from a.json,b.json  print the table of earlier runs (their rows merged) instead of training
  --summary          with --from: one line per variant (held out, mean and worst of the shifts, the screening
                     mix, and on how many stand-ins it beats study), the seeds' mean and the ensemble apart`;

interface Row {
  variant: string;
  model: string;
  /** A seed, or 'ensemble'. */
  seed: number | 'ensemble';
  standIn: string;
  accuracy: number;
  auc: number | null;
  sensitivity: number;
  specificity: number;
}

const figures = (r: EvaluationResult) => ({
  accuracy: r.binary.accuracy ?? NaN,
  auc: r.auc,
  sensitivity: r.binary.sensitivity ?? NaN,
  specificity: r.binary.specificity ?? NaN,
});

export async function runRecipeSuite(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string', default: DEFAULT_DATA },
      models: { type: 'string', default: 'light-k4,cnn' },
      size: { type: 'string', default: '64' },
      seeds: { type: 'string', default: '1,2,3' },
      epochs: { type: 'string' },
      variants: { type: 'string', default: 'study,robust' },
      ablation: { type: 'boolean', default: false },
      limit: { type: 'string', default: '0' },
      'test-fraction': { type: 'string', default: '0.2' },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      from: { type: 'string' },
      summary: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const log = (line: string) => process.stderr.write(`[bench recipe] ${line}\n`);
  if (values.from) {
    const saved = values.from.split(',').map((file) => JSON.parse(readFileSync(file, 'utf8')) as { rows: Row[] });
    const rows = saved.flatMap((r) => r.rows);
    const unique = (xs: string[]) => [...new Set(xs)];
    const variants = unique(rows.map((r) => r.variant));
    const models = unique(rows.map((r) => r.model));
    const standIns = unique(rows.map((r) => r.standIn));
    process.stdout.write(
      values.summary
        ? `${formatAblationSummary(rows, variants, models, standIns)}\n`
        : `${formatRecipeTable(rows, variants, models, standIns)}\n`,
    );
    return 0;
  }
  const names = values.ablation ? [...ABLATION] : values.variants!.split(',');
  for (const name of names) variantExperiment(name, {}); // refuses an unknown name before any training
  const size = Number(values.size);
  const seeds = values.seeds!.split(',').map(Number);
  const models = values.models!.split(',');
  const base: Partial<Experiment> = {
    ...CLI_DEFAULTS,
    models,
    size,
    seeds,
    ...(values.epochs ? { epochs: Number(values.epochs) } : {}),
  };
  const probe = defaultExperiment(base);

  await selectBackend('wasm');
  const started = performance.now();
  const data = await prepareData({
    data: values.data!,
    size,
    channels: probe.channels,
    seed: seeds[0],
    valFraction: probe.valFraction,
    testFraction: Number(values['test-fraction']),
    limit: Number(values.limit) > 0 ? Number(values.limit) : undefined,
    keepVal: false,
    positiveClass: null,
    log,
  });
  if (!data.val) throw new Error(`${values.data}: no validation images`);
  const counts = { train: data.train.count, val: data.val.count, test: data.test.count };
  log(
    `train ${data.train.count}, val ${data.val.count}, test ${data.test.count} images at ${size} px; ${tf.getBackend()}`,
  );
  const standIns = STAND_INS.map((s) => ({ name: s.name, set: s.build(data.test, data.positiveClass) }));

  const rows: Row[] = [];
  const runs: {
    variant: string;
    model: string;
    seed: number;
    epochsRun: number;
    bestEpoch: number | null;
    trainMs: number;
  }[] = [];
  // The results file is rewritten after every trained model, so a bench stopped part-way keeps what it measured.
  const file = values['no-write']
    ? null
    : join(RESULTS_DIR, `recipe-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const save = (complete: boolean) => {
    if (!file) return;
    mkdirSync(RESULTS_DIR, { recursive: true });
    const body = {
      date: new Date().toISOString(),
      complete,
      options: values,
      minutes: (performance.now() - started) / 60000,
      counts,
      variants: Object.fromEntries(names.map((n) => [n, variantExperiment(n, base)])),
      runs,
      rows,
    };
    writeFileSync(file, JSON.stringify(body, null, 2));
  };
  // Variants that differ only in how they score (test-time adaptation) share one training per model and seed.
  const groups = new Map<string, string[]>();
  for (const name of names) {
    const { adaptBn: _scoring, ...training } = variantExperiment(name, base);
    const key = JSON.stringify(training);
    groups.set(key, [...(groups.get(key) ?? []), name]);
  }
  for (const group of groups.values()) {
    const experiment = variantExperiment(group[0], base);
    for (const modelId of models) {
      const entry = findModel(modelId)!;
      // Per variant and stand-in: the seeds' evaluations, averaged into the ensemble's as the run loop averages them.
      const perStandIn = new Map<string, EvaluationResult[]>();
      for (const seed of seeds) {
        const config = runConfig(experiment, seed, data.positiveClass);
        const before = tf.memory().numTensors;
        const model = entry.build({
          size,
          channels: experiment.channels,
          numClasses: data.classNames.length,
          seed,
          batchNormMomentum: config.batchNormMomentum,
        });
        const t0 = performance.now();
        const summary = await trainModel(model, data.train, data.val, imageTrainOptions(config, entry.pixelRange));
        const trainMs = performance.now() - t0;
        for (const variant of group)
          runs.push({
            variant,
            model: modelId,
            seed,
            epochsRun: summary.epochsRun,
            bestEpoch: summary.bestEpoch,
            trainMs,
          });
        const priors = effectiveTrainingPriors(
          countPerClass(data.train),
          Array.from(resolveClassWeights(data.train, config.classWeights) ?? []),
        );
        // One scoring per stand-in serves the whole group: an adapted evaluation carries the figures as trained too.
        const adapts = group.map((variant) => variantExperiment(variant, base).adaptBn);
        const parts = group.map((): string[] => []);
        for (const standIn of standIns) {
          const scored = await evaluateUnderShift(model, standIn.set, {
            positiveClass: data.positiveClass,
            batchSize: config.batchSize,
            range: entry.pixelRange,
            trainingPriors: priors,
            adaptBn: adapts.some(Boolean),
            adaptation: { seed },
          });
          group.forEach((variant, v) => {
            const result = adapts[v] ? scored.after : scored.before;
            rows.push({ variant, model: modelId, seed, standIn: standIn.name, ...figures(result) });
            const key = `${variant}\n${standIn.name}`;
            perStandIn.set(key, [...(perStandIn.get(key) ?? []), result]);
            parts[v].push(`${standIn.name} ${result.binary.accuracy?.toFixed(3)}/${result.auc?.toFixed(3)}`);
          });
        }
        group.forEach((variant, v) =>
          log(
            `${variant} ${modelId} seed ${seed}: ${summary.epochsRun} epochs in ${(trainMs / 1000).toFixed(0)} s (best ${summary.bestEpoch}); ` +
              `acc/AUC ${parts[v].join(', ')}`,
          ),
        );
        model.dispose();
        const leaked = tf.memory().numTensors - before;
        if (leaked !== 0) log(`${group.join(', ')} ${modelId} seed ${seed}: ${leaked} tensors leaked`);
        save(false);
      }
      if (experiment.ensemble && seeds.length > 1) {
        for (const [key, evaluations] of perStandIn) {
          const [variant, standIn] = key.split('\n');
          const result = evaluatePredictions(averagedPredictions(evaluations), { positiveClass: data.positiveClass });
          rows.push({ variant, model: modelId, seed: 'ensemble', standIn, ...figures(result) });
        }
      }
    }
  }
  const minutes = (performance.now() - started) / 60000;
  process.stdout.write(
    `${formatRecipeTable(
      rows,
      names,
      models,
      standIns.map((s) => s.name),
    )}\n`,
  );
  log(`done in ${minutes.toFixed(1)} min`);
  save(true);
  if (file) log(`wrote ${file}`);
  return 0;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * One table per model: a line per stand-in, a column per variant (and its seed ensemble where scored), each cell
 * accuracy / AUC as the mean over seeds.
 */
export function formatRecipeTable(rows: Row[], variants: string[], models: string[], standIns: string[]): string {
  const columns = variants.flatMap((variant) =>
    (['seeds', 'ensemble'] as const)
      .filter((kind) => rows.some((r) => r.variant === variant && (kind === 'ensemble') === (r.seed === 'ensemble')))
      .map((kind) => ({ variant, kind, title: kind === 'ensemble' ? `${variant} (ensemble)` : variant })),
  );
  const tables = models.map((model) => {
    const head = `| ${model}: stand-in | ${columns.map((c) => c.title).join(' | ')} |\n|---|${columns.map(() => '---').join('|')}|`;
    const lines = standIns.map((standIn) => {
      const cells = columns.map((c) => {
        const hits = rows.filter(
          (r) =>
            r.variant === c.variant &&
            r.model === model &&
            r.standIn === standIn &&
            (c.kind === 'ensemble') === (r.seed === 'ensemble'),
        );
        if (hits.length === 0) return '–';
        return `${mean(hits.map((r) => r.accuracy)).toFixed(3)} / ${mean(hits.map((r) => r.auc ?? NaN)).toFixed(3)}`;
      });
      return `| ${standIn} | ${cells.join(' | ')} |`;
    });
    return `${head}\n${lines.join('\n')}`;
  });
  return `accuracy / AUC, mean over seeds\n\n${tables.join('\n\n')}`;
}

/**
 * The ablation in one table per model: a line per variant (seeds' mean; the ensemble on a line of its own), with
 * held-out accuracy / AUC, the mean and the worst over the shifted stand-ins (every stand-in but "held out"), the
 * screening mix, and on how many shifted stand-ins it has higher accuracy and higher AUC than study's seeds' mean.
 */
export function formatAblationSummary(rows: Row[], variants: string[], models: string[], standIns: string[]): string {
  const shifts = standIns.filter((s) => s !== 'held out');
  const screening = standIns.find((s) => s === 'PNEUMONIA 0.25');
  const cell = (model: string, variant: string, ensemble: boolean, standIn: string) => {
    const hits = rows.filter(
      (r) =>
        r.variant === variant && r.model === model && r.standIn === standIn && (r.seed === 'ensemble') === ensemble,
    );
    return hits.length === 0
      ? null
      : { accuracy: mean(hits.map((r) => r.accuracy)), auc: mean(hits.map((r) => r.auc ?? NaN)) };
  };
  const pair = (c: { accuracy: number; auc: number } | null) =>
    c ? `${c.accuracy.toFixed(3)} / ${c.auc.toFixed(3)}` : '–';
  const tables = models.map((model) => {
    const lines = variants.flatMap((variant) =>
      [false, true]
        .filter((ensemble) =>
          rows.some((r) => r.variant === variant && r.model === model && (r.seed === 'ensemble') === ensemble),
        )
        .map((ensemble) => {
          const shifted = shifts.map((s) => cell(model, variant, ensemble, s)).filter((c) => c != null);
          const worst = shifted.reduce((w, c) => (c.accuracy < w.accuracy ? c : w), shifted[0]);
          const beats = shifts.map((s) => [cell(model, variant, ensemble, s), cell(model, 'study', false, s)] as const);
          const counted = beats.filter(([own, study]) => own && study);
          const accWins = counted.filter(([own, study]) => own!.accuracy > study!.accuracy).length;
          const aucWins = counted.filter(([own, study]) => own!.auc > study!.auc).length;
          return (
            `| ${variant}${ensemble ? ' (ensemble)' : ''} | ${pair(cell(model, variant, ensemble, 'held out'))} | ` +
            `${pair(shifted.length === 0 ? null : { accuracy: mean(shifted.map((c) => c.accuracy)), auc: mean(shifted.map((c) => c.auc)) })} | ` +
            `${worst ? `${worst.accuracy.toFixed(3)}` : '–'} | ${screening ? pair(cell(model, variant, ensemble, screening)) : '–'} | ` +
            `${variant === 'study' && !ensemble ? '–' : `${accWins} / ${aucWins} of ${counted.length}`} |`
          );
        }),
    );
    return (
      `| ${model} | held out | shifts: mean | shifts: worst acc | screening mix | beats study (acc / AUC) |\n` +
      `|---|---|---|---|---|---|\n${lines.join('\n')}`
    );
  });
  return `accuracy / AUC, mean over seeds (${shifts.length} shifted stand-ins)\n\n${tables.join('\n\n')}`;
}

export type { ImageSet };
