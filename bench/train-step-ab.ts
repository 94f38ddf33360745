/**
 * A/B timing of one training step of a registry model on wasm with and without some of the fast kernels, the two
 * variants interleaved step by step in one process, so a shared machine's changing load hits both alike. Prints
 * min/median/max wall time and process CPU time per step for each variant.
 *
 *   npx tsx bench/train-step-ab.ts --model cnn [--size 128] [--batch 32] [--rounds 12] \
 *     [--without XrayLabConvBiasRelu,XrayLabReluGradBiasSum,XrayLabBatchMoments]
 *   npx tsx bench/train-step-ab.ts --model cnn --without direct-conv   # XNNPACK's convolutions vs the direct ones
 */
import * as tf from '@tensorflow/tfjs';
import { setDirectConv } from '../src/lab/backend/fast-training/kernels/conv-direct';
import {
  DEFAULT_FAST_KERNELS,
  registerFastKernels,
  unregisterFastKernels,
  type FastKernelName,
} from '../src/lab/backend';
import { selectBackend } from '../src/lab/backend/select-backend';
import { findModel } from '../src/lab/registry';
import { FusedAdam } from '../src/lab/train/fused-adam';
import { logitsLoss } from '../src/lab/train/loss';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const modelId = arg('model', 'cnn');
const size = Number(arg('size', '128'));
const batch = Number(arg('batch', '32'));
const rounds = Number(arg('rounds', '12'));
const withoutArg = arg('without', 'XrayLabConvBiasRelu,XrayLabReluGradBiasSum,XrayLabBatchMoments');
// 'direct-conv': every fast kernel both times, A with XNNPACK's convolutions instead of the direct SIMD ones.
const directConvAB = withoutArg === 'direct-conv';
const without = (directConvAB ? [] : withoutArg.split(',')) as FastKernelName[];

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[0].toFixed(0)} / ${s[Math.floor(s.length / 2)].toFixed(0)} / ${s[s.length - 1].toFixed(0)}`;
};

await selectBackend('wasm');
const model = findModel(modelId).build({ size, channels: 3, seed: 1 });
const optimizer = new FusedAdam(1e-3, 0.9, 0.999, 1e-7);
const xs = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 1);
const ys = tf.tensor1d(
  Array.from({ length: batch }, (_, i) => i % 2),
  'int32',
);
const step = () => {
  const loss = optimizer.minimize(
    () => logitsLoss(model, model.apply(xs, { training: true }) as tf.Tensor2D, ys),
    true,
  );
  loss?.dataSync();
  loss?.dispose();
};
const variants: Array<[string, FastKernelName[]]> = [
  ['A (without)', DEFAULT_FAST_KERNELS.wasm.filter((k) => !without.includes(k))],
  ['B (all)', [...DEFAULT_FAST_KERNELS.wasm]],
];
const wall: number[][] = [[], []];
const cpu: number[][] = [[], []];
for (let r = -1; r < rounds; r++) {
  for (let v = 0; v < variants.length; v++) {
    unregisterFastKernels('wasm');
    registerFastKernels('wasm', variants[v][1]);
    setDirectConv(!directConvAB || v === 1);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    step();
    const ms = performance.now() - t0;
    const used = process.cpuUsage(c0);
    if (r >= 0) {
      // round -1 warms both variants up
      wall[v].push(ms);
      cpu[v].push((used.user + used.system) / 1000);
    }
  }
}
console.log(`${modelId} ${size}×${size}×3, batch ${batch}, ${rounds} interleaved steps each; without = ${withoutArg}`);
console.log('| variant | wall ms min / median / max | cpu ms min / median / max |');
console.log('|---|---|---|');
variants.forEach(([name], v) => console.log(`| ${name} | ${stats(wall[v])} | ${stats(cpu[v])} |`));
tf.dispose([xs, ys]);
model.dispose();
optimizer.dispose();
