/**
 * `npm run bench -- train`: training and inference images/s of the lab's models with our kernels and with the stock
 * tfjs kernels, in Node and/or headless Chromium, optionally next to PyTorch. Prints a table (or JSON lines with
 * --json) and writes bench/results/train-<timestamp>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findModel } from '../../src/lab/registry';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { measureTraining, type MeasureRequest } from './measure';
import {
  parseTrainArgs,
  softwareGpuRequest,
  stockSkipReason,
  USAGE,
  type BenchBackend,
  type TrainBenchOptions,
} from './options';
import { chromiumVsNode, formatTable, makeRow, poolRounds, torchRows, type BenchRow } from './report';
import { findTorchPython, poolTorch, runTorch, torchParamCounts, type TorchResult } from './torch';

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** Where the suite writes: results to `out` (stdout), progress to `log` (stderr). Tests pass their own. */
export interface SuiteIO {
  out(text: string): void;
  log(line: string): void;
}

const STDIO: SuiteIO = {
  out: (text) => process.stdout.write(text),
  log: (line) => process.stderr.write(`[bench train] ${line}\n`),
};

/** Peak resident memory of this process so far, in MB (Node reports KiB). */
export function nodePeakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * Starts `backend` in Node: wasm (XNNPACK threads as asked) and cpu directly, webgpu through the optional `webgpu`
 * package (Dawn); webgl does not exist in Node. Null when it started, else why not.
 */
async function startInNode(
  backend: BenchBackend,
  o: TrainBenchOptions,
): Promise<{ error: string | null; software: string | null }> {
  if (backend === 'webgl') return { error: 'WebGL exists only in a browser (--env chromium)', software: null };
  if (backend === 'webgpu') {
    const { installNodeWebGpu, NODE_WEBGPU_HINT } = await import('../../src/lab/backend/node/webgpu-node');
    const missing = await installNodeWebGpu();
    if (missing != null) return { error: missing, software: null };
    const selected = await selectBackend('webgpu');
    if (selected.name !== 'webgpu')
      return { error: `${selected.fallbacks[0]?.reason}; ${NODE_WEBGPU_HINT}`, software: null };
    return { error: null, software: selected.gpu?.software ?? null };
  }
  const selected = await selectBackend(backend, { wasmThreads: o.wasmThreads });
  if (selected.name !== backend) return { error: selected.fallbacks.map((f) => f.reason).join('; '), software: null };
  return { error: null, software: null };
}

/** Node: each requested backend, each model, our kernels then the stock ones (wasm, cpu), in this process. */
async function runInNode(o: TrainBenchOptions, log: (line: string) => void): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const backend of o.backends) {
    const started = await startInNode(backend, o);
    if (started.error != null) {
      log(`node: ${backend} unavailable (${started.error})`);
      continue;
    }
    for (const model of o.models) {
      let base: MeasureRequest = {
        model,
        size: o.size,
        batch: o.batch,
        channels: o.channels,
        steps: o.steps,
        repeats: o.repeats,
        backend,
        kernels: 'ours',
      };
      let note: string | undefined;
      if (started.software != null) {
        base = softwareGpuRequest(base, findModel(model).minSize);
        note = `${backend} runs on ${started.software} (software): tiny size ${base.size}, batch ${base.batch}`;
      }
      log(`node ${backend} ${model}: our kernels`);
      const ours = await measureTraining(base);
      let stock = null;
      if (o.stock && (backend === 'wasm' || backend === 'cpu')) {
        log(`node ${backend} ${model}: stock kernels`);
        stock = await measureTraining({ ...base, kernels: 'stock', skipTrain: stockSkipReason(o, backend) });
      }
      rows.push(makeRow(ours, stock, 'node', nodePeakRssMB(), note));
    }
  }
  return rows;
}

/** Checks that the PyTorch anchors have exactly the tfjs models' parameter counts (BatchNorm statistics included). */
function checkTorchParams(o: TrainBenchOptions): string[] {
  const found = findTorchPython();
  if (found == null) return [];
  const counts = torchParamCounts(found.python, o.models, o.channels);
  return o.models.map((id) => {
    const model = findModel(id).build({ size: o.size, channels: o.channels, seed: 1 });
    const ours = model.countParams();
    model.dispose();
    const theirs = counts.get(id);
    if (theirs !== ours) throw new Error(`parameter counts differ for ${id}: tfjs ${ours}, PyTorch ${theirs}`);
    return `${id}: ${ours} parameters in tfjs and in PyTorch`;
  });
}

export async function runTrainSuite(argv: string[], io: SuiteIO = STDIO): Promise<number> {
  const log = io.log;
  if (argv.includes('--help')) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  let o: TrainBenchOptions;
  try {
    o = parseTrainArgs(argv);
  } catch (err) {
    io.log((err as Error).message);
    return 2;
  }
  const started = new Date();
  const notes: string[] = [];
  // A model that cannot take this input size (cnn needs 50×50) is left out with a note rather than failing the run.
  const tooSmall = o.models.filter((id) => findModel(id).minSize > o.size);
  for (const id of tooSmall)
    notes.push(`${id} skipped: needs an input of at least ${findModel(id).minSize}×${findModel(id).minSize}`);
  o = { ...o, models: o.models.filter((id) => !tooSmall.includes(id)) };
  const measured: BenchRow[] = [];
  const torch: TorchResult[] = [];
  let torchMissing: string | null = null;
  for (let round = 1; round <= o.rounds; round++) {
    if (o.rounds > 1) log(`round ${round} of ${o.rounds}`);
    if (o.envs.includes('node')) measured.push(...(await runInNode(o, log)));
    if (o.envs.includes('chromium')) {
      const { runInChromium } = await import('./chromium');
      measured.push(...(await runInChromium(o, log)));
    }
    if (o.vsTorch && torchMissing == null) {
      const results = runTorch(o, log);
      if (typeof results === 'string') torchMissing = results;
      else torch.push(...results);
    }
  }
  const rows = poolRounds(measured);
  if (torchMissing != null) notes.push(`PyTorch skipped: ${torchMissing}`);
  else if (o.vsTorch) {
    notes.push(...checkTorchParams(o));
    rows.push(...torchRows(rows, poolTorch(torch)));
  }
  notes.push(...chromiumVsNode(rows));
  for (const note of notes) log(note);
  if (o.json) for (const row of rows) io.out(`${JSON.stringify(row)}\n`);
  else io.out(`\n${formatTable(rows)}\n${notes.map((n) => `- ${n}\n`).join('')}`);
  if (o.write) {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, `train-${started.toISOString().replace(/[:.]/g, '-')}.json`);
    const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version };
    writeFileSync(
      file,
      `${JSON.stringify({ suite: 'train', startedAt: started.toISOString(), argv, options: o, machine, notes, rows }, null, 2)}\n`,
    );
    log(`wrote ${file}`);
  }
  return 0;
}
