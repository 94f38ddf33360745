/**
 * Lists the kernels one training step dispatches, which of them stock wasm lacks, and per-kernel time on wasm (with
 * the fast kernels) next to cpu. The step is either the small conv net of the backend tests (Conv2D valid + ReLU,
 * BatchNormalization, MaxPooling2D 2×2, GlobalAveragePooling2D, Dense) or, with --model, a registry model (the
 * study's `cnn`, `light-kN`) on RGB input with the trainer's loss (cross-entropy on logits plus L2 penalties).
 * Adam via optimizer.minimize either way.
 *
 *   npx tsx bench/train-step-kernels.ts [--batch 32] [--size 64] [--convs 1|2]
 *   npx tsx bench/train-step-kernels.ts --model light-k5 --size 128 [--batch 32] [--cpu]
 *
 * With --model the cpu column is skipped unless --cpu is given (stock-speed cpu steps take minutes at 128×128).
 */
import * as tf from '@tensorflow/tfjs';
import { fastKernelsActive, registerFastKernels, unregisterFastKernels } from '../src/lab/backend';
import { missingKernels, traceKernels, type KernelTrace } from '../src/lab/backend/kernel-trace';
import { ADAM_STEP } from '../src/lab/backend/fast-training/kernels/adam-step';
import { RELU_GRAD } from '../src/lab/backend/fast-training/kernels/channel-binary';
import { BATCH_NORM_GRAD_SUMS } from '../src/lab/backend/fast-training/kernels/channel-reduce';
import { selectBackend } from '../src/lab/backend/select-backend';
import { findModel } from '../src/lab/registry';
import { FusedAdam } from '../src/lab/train/fused-adam';
import { logitsLoss } from '../src/lab/train/loss';
import { buildSmallCnn, makeBlobData, trainStep } from '../test/backend/small-cnn';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const modelIndex = process.argv.indexOf('--model');
const modelId = modelIndex >= 0 ? process.argv[modelIndex + 1] : null;
const batch = arg('batch', 32);
const size = arg('size', modelId ? 128 : 64);
const convs = arg('convs', 1) === 2 ? 2 : 1;
const withCpu = modelId == null || process.argv.includes('--cpu');

/** One training step of the chosen network, ready to run on the current backend. */
function makeStep(): { run: () => void; dispose: () => void } {
  // The trainer's optimizer: tfjs's Adam with the update in one ADAM_STEP call where the backend has it.
  const optimizer = new FusedAdam(modelId ? 1e-3 : 0.01, 0.9, 0.999, 1e-7);
  if (modelId == null) {
    const model = buildSmallCnn(size, 16, 7, convs);
    const { xs, ys } = makeBlobData(batch, size);
    return {
      run: () => trainStep(model, optimizer, xs, ys),
      dispose: () => (tf.dispose([xs, ys]), model.dispose(), optimizer.dispose()),
    };
  }
  const model = findModel(modelId).build({ size, channels: 3, seed: 1 });
  const xs = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 1);
  const ys = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % 2),
    'int32',
  );
  const run = () => {
    const loss = optimizer.minimize(
      () => logitsLoss(model, model.apply(xs, { training: true }) as tf.Tensor2D, ys),
      true,
    );
    loss?.dataSync();
    loss?.dispose();
  };
  return { run, dispose: () => (tf.dispose([xs, ys]), model.dispose(), optimizer.dispose()) };
}

/** Builds the net on the current backend, runs one warm-up step, times 5 steps (best), then traces one step. */
async function traceStep(): Promise<{ trace: KernelTrace; stepMs: number }> {
  const step = makeStep();
  step.run();
  let stepMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    step.run();
    stepMs = Math.min(stepMs, performance.now() - t0);
  }
  const trace = await traceKernels(() => {
    step.run();
    return [];
  });
  step.dispose();
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
  // Our own fused kernels (BatchNormalization's gradient sums, ReLU's gradient) are not tfjs kernels wasm could lack.
  const OWN_KERNELS: string[] = [BATCH_NORM_GRAD_SUMS, RELU_GRAD, ADAM_STEP];
  const missing = missingKernels(
    wasm.trace.kernels.map((k) => k.name),
    'wasm',
  ).filter((n) => !OWN_KERNELS.includes(n));
  registerFastKernels('wasm');
  let cpu: { trace: KernelTrace; stepMs: number } | null = null;
  if (withCpu) {
    await selectBackend('cpu');
    cpu = await traceStep();
  }
  const cpuMs = new Map(cpu?.trace.kernels.map((k) => [k.name, k.ms]) ?? []);

  const net = modelId
    ? `model ${modelId}, ${size}×${size}×3`
    : `${size}×${size}×1, ${convs} conv layer(s) of 16 filters`;
  console.log(`\nOne training step (best of 5), batch ${batch}, ${net}.`);
  console.log(`wasm step ${convOnly.stepMs.toFixed(1)} ms with only the conv gradients replaced;`);
  console.log(`wasm step ${wasm.stepMs.toFixed(1)} ms (fast kernels: ${fastKernelsActive('wasm').join(', ')});`);
  if (cpu)
    console.log(
      `cpu step ${cpu.stepMs.toFixed(1)} ms (fast kernels: ${fastKernelsActive('cpu').join(', ') || 'none'}).`,
    );
  console.log(`Missing on stock wasm: ${missing.join(', ') || 'none'}\n`);
  console.log('| kernel | calls | wasm ms | share of wasm step | cpu ms |');
  console.log('|---|---:|---:|---:|---:|');
  const rows = [...wasm.trace.kernels].sort((a, b) => b.ms - a.ms);
  for (const k of rows) {
    const share = ((100 * k.ms) / wasm.trace.totalMs).toFixed(1);
    const cpuCell = cpu ? (cpuMs.get(k.name) ?? 0).toFixed(2) : '—';
    console.log(`| ${k.name} | ${k.calls} | ${k.ms.toFixed(2)} | ${share}% | ${cpuCell} |`);
  }
  console.log(`| total | | ${wasm.trace.totalMs.toFixed(1)} | | ${cpu ? cpu.trace.totalMs.toFixed(1) : '—'} |`);
}

await main();
