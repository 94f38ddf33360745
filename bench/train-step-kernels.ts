/**
 * Lists the kernels one training step of the small conv net dispatches (Conv2D valid + ReLU, BatchNormalization,
 * MaxPooling2D 2×2, GlobalAveragePooling2D, Dense; Adam via optimizer.minimize; softmax cross-entropy), which of
 * them stock wasm lacks, and per-kernel time on wasm (with the fast kernels) next to cpu.
 *
 *   npx tsx bench/train-step-kernels.ts [--batch 32] [--size 64] [--convs 1|2]
 */
import * as tf from '@tensorflow/tfjs';
import { fastKernelsActive, registerFastKernels, unregisterFastKernels } from '../src/lab/backend';
import { missingKernels, traceKernels, type KernelTrace } from '../src/lab/backend/kernel-trace';
import { selectBackend } from '../src/lab/backend/select-backend';
import { buildSmallCnn, makeBlobData, trainStep } from '../test/backend/small-cnn';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const batch = arg('batch', 32);
const size = arg('size', 64);
const convs = arg('convs', 1) === 2 ? 2 : 1;

/** Builds the net on the current backend, runs one warm-up step, times 5 steps (best), then traces one step. */
async function traceStep(): Promise<{ trace: KernelTrace; stepMs: number }> {
  const model = buildSmallCnn(size, 16, 7, convs);
  const optimizer = tf.train.adam(0.01);
  const { xs, ys } = makeBlobData(batch, size);
  trainStep(model, optimizer, xs, ys);
  let stepMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    trainStep(model, optimizer, xs, ys);
    stepMs = Math.min(stepMs, performance.now() - t0);
  }
  const trace = await traceKernels(() => {
    trainStep(model, optimizer, xs, ys);
    return [];
  });
  tf.dispose([xs, ys]);
  model.dispose();
  optimizer.dispose();
  return { trace, stepMs };
}

async function main(): Promise<void> {
  await selectBackend('wasm');
  // Conv gradients only (the minimum wasm needs to train), then every fast kernel.
  unregisterFastKernels('wasm');
  registerFastKernels('wasm', ['Conv2DBackpropFilter', 'Conv2DBackpropInput']);
  const convOnly = await traceStep();
  registerFastKernels('wasm');
  const wasm = await traceStep();
  unregisterFastKernels('wasm');
  const missing = missingKernels(wasm.trace.kernels.map((k) => k.name), 'wasm');
  registerFastKernels('wasm');
  await selectBackend('cpu');
  const cpu = await traceStep();
  const cpuMs = new Map(cpu.trace.kernels.map((k) => [k.name, k.ms]));

  console.log(`\nOne training step (best of 5), batch ${batch}, ${size}×${size}×1, ${convs} conv layer(s) of 16 filters.`);
  console.log(`wasm step ${convOnly.stepMs.toFixed(1)} ms with only the conv gradients replaced;`);
  console.log(`wasm step ${wasm.stepMs.toFixed(1)} ms (fast kernels: ${fastKernelsActive('wasm').join(', ')});`);
  console.log(`cpu step ${cpu.stepMs.toFixed(1)} ms (fast kernels: ${fastKernelsActive('cpu').join(', ') || 'none'}).`);
  console.log(`Missing on stock wasm: ${missing.join(', ') || 'none'}\n`);
  console.log('| kernel | calls | wasm ms | share of wasm step | cpu ms |');
  console.log('|---|---:|---:|---:|---:|');
  const rows = [...wasm.trace.kernels].sort((a, b) => b.ms - a.ms);
  for (const k of rows) {
    const share = ((100 * k.ms) / wasm.trace.totalMs).toFixed(1);
    console.log(`| ${k.name} | ${k.calls} | ${k.ms.toFixed(2)} | ${share}% | ${(cpuMs.get(k.name) ?? 0).toFixed(2)} |`);
  }
  console.log(`| total | | ${wasm.trace.totalMs.toFixed(1)} | | ${cpu.trace.totalMs.toFixed(1)} |`);
}

await main();
