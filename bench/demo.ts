/**
 * `npm run bench -- demo`: the page's demo as a new user runs it — "Use demo dataset", then "Train" with every page
 * default — in plain Node on wasm, through the one run loop the page's worker uses (runExperiment), once per seed.
 * Seed N is the page with `#seeds=N`: N deals the phantom set, its split and the initial weights. Prints each run's
 * test accuracy and AUC, their mean per model, and the wall time of each seed's whole demo (generate + train + score),
 * and writes bench/results/demo-<timestamp>.json.
 *
 *   npm run bench -- demo                                       # the page's models (cnn, light-k2), seeds 1,2,3
 *   npm run bench -- demo --models cnn,light-k1,light-k2,light-k3,light-k4,light-k5
 *   npm run bench -- demo --hash 'epochs=8&demo-per-class=200'  # other page settings, as in the page's URL hash
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { experimentOf, settingsFromHash, type Settings } from '../src/app/state/settings';
import { selectBackend } from '../src/lab/backend/select-backend';
import { arrangeBySplit } from '../src/lab/data/arrange';
import { assignSplits } from '../src/lab/data/assign-splits';
import { generatePhantomImages } from '../src/lab/data/phantom';
import { runExperiment } from '../src/lab/experiment/run-experiment';
import type { ExperimentData } from '../src/lab/experiment/run-types';
import { splitOf } from '../src/lab/experiment/schema';
import type { ResultRecord } from '../src/lab/report/result-record';

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'results');

/**
 * The demo set as the page's worker makes it (src/worker/dataset.ts, demoDataset): `demoPerClass` phantoms per class
 * with clear opacities at the settings' size and channels, seeded by the first seed, split by patient with the
 * settings' fractions.
 */
export function demoData(settings: Settings): ExperimentData {
  const split = splitOf(settings);
  const set = generatePhantomImages({
    perClass: settings.demoPerClass,
    size: settings.size,
    channels: settings.channels,
    seed: split.seed,
    opacities: 'clear',
  });
  const plan = assignSplits(
    set.files.map((path, i) => ({ path, label: set.labels[i] })),
    [],
    split,
  );
  const { train, val, test } = arrangeBySplit(set, plan.assignment);
  return { train, val: val.count > 0 ? val : null, test };
}

/** The page's settings for the demo with seed `seed`: its defaults, then `hash` (the page's URL hash), then the seed. */
export function demoSettings(seed: number, hash = '', models?: readonly string[]): Settings {
  const settings = settingsFromHash(hash);
  return { ...settings, seeds: [seed], models: models ? [...models] : settings.models };
}

/** One demo run: its records (one per model) and the wall and CPU time of the whole demo. */
export interface DemoRun {
  readonly seed: number;
  readonly records: ResultRecord[];
  readonly wallMs: number;
  /** CPU time of this process (wasm here runs on one thread): what the demo takes on a core of its own. */
  readonly cpuMs: number;
  readonly testCount: number;
}

/**
 * Generates the demo set (unless `given`: then the times leave generating out) and trains every model of `settings`
 * on it, on wasm, through runExperiment.
 */
export async function runDemo(settings: Settings, given?: ExperimentData): Promise<DemoRun> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  await selectBackend('wasm');
  const data = given ?? demoData(settings);
  const outcome = await runExperiment({ ...experimentOf(settings), backend: 'wasm' }, data);
  const { user, system } = process.cpuUsage(cpu);
  const wallMs = performance.now() - started;
  return {
    seed: settings.seeds[0],
    records: outcome.records,
    wallMs,
    cpuMs: (user + system) / 1000,
    testCount: data.test.count,
  };
}

const USAGE = `usage: npm run bench -- demo [--seeds 1,2,3] [--models cnn,light-k2] [--hash 'epochs=8&size=96'] [--no-write]
  every setting not given is the page's default (src/lab/experiment/schema.ts, src/app/state/settings.ts)`;

const f3 = (x: number | null | undefined) => (x == null ? '  —  ' : x.toFixed(3));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export async function runDemoBench(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        seeds: { type: 'string', default: '1,2,3' },
        models: { type: 'string' },
        hash: { type: 'string', default: '' },
        'no-write': { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const seeds = values.seeds.split(',').map(Number);
  if (seeds.some((s) => !Number.isInteger(s) || s < 0)) {
    process.stderr.write(`--seeds needs whole numbers (got ${values.seeds})\n${USAGE}\n`);
    return 2;
  }
  const models = values.models?.split(',').filter(Boolean);
  const runs: DemoRun[] = [];
  for (const seed of seeds) {
    const settings = demoSettings(seed, values.hash, models);
    const run = await runDemo(settings);
    runs.push(run);
    const line = run.records.map((r) => `${r.modelId} acc ${f3(r.test?.accuracy)} AUC ${f3(r.test?.auc)}`).join(' | ');
    process.stderr.write(
      `[bench demo] seed ${seed}: ${(run.wallMs / 1000).toFixed(1)} s (CPU ${(run.cpuMs / 1000).toFixed(1)} s), ${run.testCount} test images: ${line}\n`,
    );
  }
  const settings = demoSettings(seeds[0], values.hash, models);
  const ids = settings.models;
  const rows = ids.map((id) => {
    const recs = runs.map((r) => r.records.find((x) => x.modelId === id));
    const acc = recs.map((r) => r?.test?.accuracy ?? NaN);
    const auc = recs.map((r) => r?.test?.auc ?? NaN);
    return { id, acc, auc, meanAcc: mean(acc), meanAuc: mean(auc) };
  });
  const head = `| model | ${seeds.map((s) => `seed ${s} acc / AUC`).join(' | ')} | mean acc | mean AUC |`;
  const sep = `|---|${seeds.map(() => '---|').join('')}---|---|`;
  const body = rows.map(
    (r) =>
      `| ${r.id} | ${r.acc.map((a, i) => `${f3(a)} / ${f3(r.auc[i])}`).join(' | ')} | ${f3(r.meanAcc)} | ${f3(r.meanAuc)} |`,
  );
  const { seeds: _s, models: _m, ...rest } = experimentOf(settings);
  process.stdout.write(
    `Demo: ${settings.demoPerClass} phantoms per class, size ${rest.size}, ${rest.epochs} epochs, batch ${rest.batchSize}, lr ${rest.learningRate}; ` +
      `test ${runs.map((r) => r.testCount).join('/')} images; per seed, wall ${runs.map((r) => (r.wallMs / 1000).toFixed(1)).join('/')} s, ` +
      `CPU ${runs.map((r) => (r.cpuMs / 1000).toFixed(1)).join('/')} s (wasm, Node ${process.version})\n`,
  );
  process.stdout.write([head, sep, ...body].join('\n') + '\n');
  if (!values['no-write']) {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, `demo-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        { hash: values.hash, settings: { ...experimentOf(settings), demoPerClass: settings.demoPerClass }, rows, runs },
        null,
        2,
      ),
    );
    process.stderr.write(`[bench demo] wrote ${file}\n`);
  }
  return 0;
}
