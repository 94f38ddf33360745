/**
 * `npm run bench -- gpu`: trains cnn and light-k5 on WebGPU and WebGL in headless Chromium (and WebGPU in Node through
 * the optional `webgpu` package) on a hardware GPU only, and prints images/s, GPU programs per step, the adapter and
 * PyTorch-CUDA's images/s where torch has CUDA. With only software adapters (SwiftShader, llvmpipe, a fallback adapter)
 * or none, it refuses with a line naming them and exits SOFTWARE_ADAPTER_EXIT.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SOFTWARE_ADAPTER_EXIT } from './adapter-class';
import type { GpuEnvOutcome } from './environment';
import { parseGpuArgs, USAGE, type GpuBenchOptions } from './options';
import { formatGpuTable, makeGpuRows } from './report';
import { runTorchCuda, type TorchCudaResult } from './torch-cuda';

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** Where the suite writes: results to `out` (stdout), progress to `log` (stderr). Tests pass their own. */
export interface SuiteIO {
  out(text: string): void;
  log(line: string): void;
}

const STDIO: SuiteIO = {
  out: (text) => process.stdout.write(text),
  log: (line) => process.stderr.write(`[bench gpu] ${line}\n`),
};

export async function runGpuBench(argv: string[], io: SuiteIO = STDIO): Promise<number> {
  if (argv.includes('--help')) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  let o: GpuBenchOptions;
  try {
    o = parseGpuArgs(argv);
  } catch (err) {
    io.log((err as Error).message);
    return 2;
  }
  const started = new Date();
  const envs: GpuEnvOutcome[] = [];
  const skipped: string[] = [];
  if (o.envs.includes('chromium')) {
    const chromium = await (await import('./chromium')).runGpuInChromium(o, io.log);
    if (typeof chromium === 'string') skipped.push(`chromium: ${chromium}`);
    else envs.push(chromium);
  }
  if (o.envs.includes('node')) {
    const node = await (await import('./node')).runGpuInNode(o, io.log);
    if (typeof node === 'string') skipped.push(`node: ${node}`);
    else envs.push(node);
  }
  for (const line of skipped) io.log(`skipped ${line}`);
  const refusals = envs.filter((e) => e.refusal != null).map((e) => `${e.env}: ${e.refusal}`);
  if (envs.every((e) => e.refusal != null)) {
    io.out(`${refusals.join('\n') || 'refused: no environment could be probed'}\n`);
    return SOFTWARE_ADAPTER_EXIT;
  }
  for (const line of refusals) io.log(line);
  let torch: TorchCudaResult[] = [];
  if (o.torch) {
    const run = runTorchCuda(o, io.log);
    if (typeof run === 'string') io.log(`PyTorch-CUDA not measured: ${run}`);
    else torch = run;
  }
  const errors = envs.flatMap((e) => e.errors);
  for (const line of errors) io.log(line);
  const rows = makeGpuRows(envs, torch);
  if (o.json) for (const row of rows) io.out(`${JSON.stringify(row)}\n`);
  else io.out(`\n${formatGpuTable(rows)}\n`);
  if (o.write) {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, `gpu-${started.toISOString().replace(/[:.]/g, '-')}.json`);
    const record = { suite: 'gpu', startedAt: started.toISOString(), argv, options: o, envs, torch, rows };
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
    io.log(`wrote ${file}`);
  }
  return rows.some((r) => r.imagesPerSec != null) ? 0 : 1;
}
