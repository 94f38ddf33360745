/**
 * `npm run bench -- transfer --vs-torch`: the frozen backbones' forward pass (MobileNetV2 α 0.35 at 224 px,
 * InceptionV3 at 299 px, batch 32) on wasm in Node and in headless Chromium, against torchvision's same networks in
 * PyTorch on as many threads, and what the study's InceptionV3 run would take end to end. Prints a table (or one
 * JSON line per backbone and environment with --json) and writes bench/results/transfer-vs-torch-<timestamp>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EnvResult } from './environment';
import { parseTransferVsTorchArgs, USAGE, type TransferVsTorchOptions } from './options';
import { describeEstimate, endToEndEstimates, formatTable, makeRows, GOAL_RATIO } from './report';
import { runTorchBackbones, type TorchBackboneResult } from './torch';

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** Where the suite writes: results to `out` (stdout), progress to `log` (stderr). Tests pass their own. */
export interface SuiteIO {
  out(text: string): void;
  log(line: string): void;
}

const STDIO: SuiteIO = {
  out: (text) => process.stdout.write(text),
  log: (line) => process.stderr.write(`[bench transfer] ${line}\n`),
};

/** PyTorch once per thread count the environments ran at (Node and the page may differ). */
function torchAtSameThreads(
  o: TransferVsTorchOptions,
  envs: readonly EnvResult[],
  notes: string[],
  log: (line: string) => void,
): TorchBackboneResult[] {
  const results: TorchBackboneResult[] = [];
  const threadCounts = [...new Set(envs.flatMap((e) => e.backbones.map((m) => m.threads)))];
  for (const threads of threadCounts) {
    const backbones = o.backbones.filter((b) =>
      envs.some((e) => e.backbones.some((m) => m.backbone === b && m.threads === threads)),
    );
    const request = { backbones, batch: o.batch, batches: o.batches, threads, channelsLast: o.torchChannelsLast };
    const run = runTorchBackbones(request, log);
    if (typeof run === 'string') {
      notes.push(`PyTorch skipped: ${run}`);
      break;
    }
    results.push(...run);
  }
  return results;
}

export async function runTransferVsTorch(argv: string[], io: SuiteIO = STDIO): Promise<number> {
  if (argv.includes('--help')) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  let o: TransferVsTorchOptions;
  try {
    o = parseTransferVsTorchArgs(argv);
  } catch (err) {
    io.log((err as Error).message);
    return 2;
  }
  const started = new Date();
  const envs: EnvResult[] = [];
  const notes: string[] = [];
  if (o.envs.includes('node')) envs.push(await (await import('./node')).runInNode(o, io.log));
  if (o.envs.includes('chromium')) {
    const chromium = await (await import('./chromium')).runInChromium(o, io.log);
    if (typeof chromium === 'string') notes.push(`chromium skipped: ${chromium}`);
    else envs.push(chromium);
  }
  for (const e of envs) for (const f of e.failures) notes.push(`${e.env} ${f.backbone} not timed: ${f.error}`);
  for (const e of envs) {
    for (const m of e.backbones) {
      notes.push(
        `${e.env} ${m.backbone}: ${m.params.toLocaleString('en')} parameters, ${m.features} features, ` +
          `weights ${m.weights}`,
      );
    }
  }
  const torch = o.vsTorch ? torchAtSameThreads(o, envs, notes, io.log) : [];
  for (const t of torch) {
    notes.push(
      `PyTorch ${t.torch} / torchvision ${t.torchvision} ${t.backbone} (${t.layout}, ${t.threads} thread(s)): ` +
        `${t.params.toLocaleString('en')} parameters, ${t.features} features`,
    );
  }
  const rows = makeRows(envs, torch);
  const estimates = endToEndEstimates(envs, torch);
  notes.push(...estimates.map(describeEstimate));
  for (const note of notes) io.log(note);
  if (o.json) for (const row of rows) io.out(`${JSON.stringify(row)}\n`);
  else {
    const estimateLines = estimates.map((e) => `- ${describeEstimate(e)}\n`).join('');
    io.out(`\n${formatTable(envs, torch)}\n\ngoal: ≥ ${GOAL_RATIO}× PyTorch\n${estimateLines}`);
  }
  if (o.write) {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, `transfer-vs-torch-${started.toISOString().replace(/[:.]/g, '-')}.json`);
    const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version };
    const record = {
      suite: 'transfer --vs-torch',
      startedAt: started.toISOString(),
      argv,
      options: o,
      machine,
      notes,
      rows,
      envs,
      torch,
      estimates,
    };
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
    io.log(`wrote ${file}`);
  }
  return envs.some((e) => e.backbones.length > 0) ? 0 : 1;
}
