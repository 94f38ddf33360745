/**
 * `npm run bench -- gpu-dispatches`: GPU programs dispatched by one training step (the trainer's step: forward,
 * backward with the L2 penalties, Adam) of each model on webgl and webgpu in headless Chromium — WebGL draws and
 * WebGPU compute dispatches, counted on the second step (the first compiles shaders). The count is what matters on
 * a real GPU, where small kernels cost a fixed launch each; here SwiftShader runs them (slowly), so keep the batch
 * small: the count barely depends on it.
 *
 *   npm run bench -- gpu-dispatches [--models light-k5,cnn] [--size 128] [--batch 2] [--backend webgl,webgpu]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CHROMIUM } from '../test/helpers/chromium';
import { openGpuPage } from '../test/e2e/gpu-page';

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'results');

export async function runDispatchBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      models: { type: 'string', default: 'light-k5,cnn' },
      size: { type: 'string', default: '128' },
      batch: { type: 'string', default: '2' },
      backend: { type: 'string', default: 'webgl,webgpu' },
    },
  });
  if (!CHROMIUM) {
    process.stderr.write('gpu-dispatches: no Chromium found (Debian: apt-get install chromium)\n');
    return 2;
  }
  const size = Number(values.size);
  const batch = Number(values.batch);
  const gp = await openGpuPage();
  const rows: { model: string; backend: string; size: number; batch: number; programs: number }[] = [];
  try {
    for (const backend of values.backend!.split(',') as Array<'webgl' | 'webgpu'>) {
      for (const model of values.models!.split(',')) {
        const started = Date.now();
        const programs = await gp.page.evaluate(
          ([b, m, s, n]) => window.xrayGpu.dispatches(b, { modelId: m, size: s, batch: n, channels: 3, seed: 1 }),
          [backend, model, size, batch] as const,
        );
        rows.push({ model, backend, size, batch, programs });
        process.stderr.write(
          `[gpu-dispatches] ${backend} ${model} ${size}px batch ${batch}: ${programs} programs per step (${Date.now() - started} ms)\n`,
        );
      }
    }
  } finally {
    await gp.close();
  }
  process.stdout.write(
    `\n| model | backend | size | batch | GPU programs per training step |\n|---|---|---|---|---|\n`,
  );
  for (const r of rows)
    process.stdout.write(`| ${r.model} | ${r.backend} | ${r.size} | ${r.batch} | ${r.programs} |\n`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `gpu-dispatches-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ suite: 'gpu-dispatches', argv, rows }, null, 2)}\n`);
  process.stderr.write(`[gpu-dispatches] wrote ${file}\n`);
  return 0;
}
