/**
 * Times the forward convolution and the stock vs fast convolution gradients on the wasm and cpu backends.
 *
 *   npx tsx bench/kernels.ts            # all cases
 *   npx tsx bench/kernels.ts --quick    # skips the stock cpu filter gradient (tens of seconds per call)
 *
 * Each timing is the best of several calls after a warm-up call, reading the result back (wasm and cpu are
 * synchronous, so that is the kernel's full cost). Best-of rather than median because the 2-vCPU machines this runs
 * on are often shared: interference only ever adds time. The fast and stock results are also compared.
 */
import * as tf from '@tensorflow/tfjs';
import { registerFastKernels, unregisterFastKernels } from '../src/lab/backend';
import { selectBackend } from '../src/lab/backend/select-backend';

type Shape4 = [number, number, number, number];

interface Case {
  label: string;
  x: Shape4;
  filter: Shape4;
  stride: number;
  pad: 'same' | 'valid';
}

const CASES: Case[] = [
  { label: '32×64×64×8 → 3×3×8×16, s1 same', x: [32, 64, 64, 8], filter: [3, 3, 8, 16], stride: 1, pad: 'same' },
  { label: '32×64×64×8 → 3×3×8×16, s2 same', x: [32, 64, 64, 8], filter: [3, 3, 8, 16], stride: 2, pad: 'same' },
  { label: '32×128×128×1 → 3×3×1×16, s1 valid', x: [32, 128, 128, 1], filter: [3, 3, 1, 16], stride: 1, pad: 'valid' },
];

const quick = process.argv.includes('--quick');

/** Best wall time (ms) of `fn` over several calls; slow kernels (> 2 s) are run once without a warm-up. */
function timeMs(fn: () => tf.Tensor): number {
  const once = (): number => {
    const t0 = performance.now();
    const out = fn();
    out.dataSync();
    const ms = performance.now() - t0;
    out.dispose();
    return ms;
  };
  const first = once();
  if (first > 2000) return first;
  const samples: number[] = [];
  let spent = 0;
  while (samples.length < 3 || (spent < 1500 && samples.length < 15)) {
    const ms = once();
    samples.push(ms);
    spent += ms;
  }
  return Math.min(...samples);
}

/** Largest |a−b| relative to the largest |b|. */
function relDiff(a: tf.Tensor, b: tf.Tensor): number {
  const av = a.dataSync();
  const bv = b.dataSync();
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < av.length; i++) {
    diff = Math.max(diff, Math.abs(av[i] - bv[i]));
    scale = Math.max(scale, Math.abs(bv[i]));
  }
  return diff / (scale || 1);
}

interface Row {
  backend: string;
  label: string;
  forward: number;
  dwStock: number | string;
  dwFast: number;
  dxStock: number;
  dxFast: number;
  check: string;
}

function runCase(backend: 'wasm' | 'cpu', c: Case): Row {
  const x = tf.randomNormal(c.x, 0, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomNormal(c.filter, 0, 0.2, 'float32', 2) as tf.Tensor4D;
  const yShape = tf.tidy(() => tf.conv2d(x, w, c.stride, c.pad).shape);
  const dy = tf.randomNormal(yShape, 0, 1, 'float32', 3);
  const common = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC' };
  const dW = () =>
    tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...common, filterShape: c.filter }) as tf.Tensor;
  const dX = () =>
    tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...common, inputShape: c.x }) as tf.Tensor;

  const forward = timeMs(() => tf.conv2d(x, w, c.stride, c.pad));
  registerFastKernels(backend, ['Conv2DBackpropFilter', 'Conv2DBackpropInput']);
  const dwFast = timeMs(dW);
  const dxFast = timeMs(dX);
  const fastDw = dW();
  const fastDx = dX();
  unregisterFastKernels(backend);
  // wasm ships no stock filter gradient; the stock cpu one is skipped in --quick mode.
  const stockDwRuns = backend === 'cpu' && !quick;
  const dwStock = stockDwRuns ? timeMs(dW) : backend === 'wasm' ? 'missing' : 'skipped';
  const dxStock = timeMs(dX);
  const stockDx = dX();
  const checks = [`dX ${relDiff(fastDx, stockDx).toExponential(1)}`];
  if (stockDwRuns) {
    const stockDw = dW();
    checks.unshift(`dW ${relDiff(fastDw, stockDw).toExponential(1)}`);
    stockDw.dispose();
  }
  tf.dispose([x, w, dy, fastDw, fastDx, stockDx]);
  return { backend, label: c.label, forward, dwStock, dwFast, dxStock, dxFast, check: checks.join(', ') };
}

interface OtherRow {
  backend: string;
  label: string;
  stock: number;
  fast: number;
  check: string;
}

/** Tile and MaxPoolGrad at the shapes a 32×64×64 batch gives them in the small conv net's training step. */
function runOtherKernels(backend: 'wasm' | 'cpu'): OtherRow[] {
  const scale = tf.randomNormal([1, 1, 1, 16], 0, 1, 'float32', 4);
  const x = tf.tidy(() => tf.relu(tf.randomNormal([32, 62, 62, 16], 0, 1, 'float32', 5))) as tf.Tensor4D;
  const y = tf.maxPool(x, 2, 2, 'valid');
  const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 6);
  const kernels: Array<{ name: 'Tile' | 'MaxPoolGrad'; label: string; run: () => tf.Tensor }> = [
    { name: 'Tile', label: 'Tile 1×1×1×16 → 32×62×62×16', run: () => tf.tile(scale, [32, 62, 62, 1]) },
    {
      name: 'MaxPoolGrad',
      label: 'MaxPoolGrad 32×62×62×16, 2×2 s2',
      run: () =>
        tf
          .engine()
          .runKernel(
            'MaxPoolGrad',
            { dy, input: x, output: y },
            { filterSize: 2, strides: 2, pad: 'valid' },
          ) as tf.Tensor,
    },
  ];
  const rows = kernels.map(({ name, label, run }) => {
    registerFastKernels(backend, [name]);
    const fast = timeMs(run);
    const fastOut = run();
    unregisterFastKernels(backend);
    const stock = timeMs(run);
    const stockOut = run();
    // Stock wasm MaxPoolGrad breaks ties between equal maxima differently from cpu (and from ours).
    const check = `${relDiff(fastOut, stockOut).toExponential(1)}`;
    tf.dispose([fastOut, stockOut]);
    return { backend, label, stock, fast, check };
  });
  tf.dispose([scale, x, y, dy]);
  return rows;
}

const fmt = (ms: number | string): string => (typeof ms === 'number' ? ms.toFixed(1) : ms);
const ratio = (a: number | string, b: number): string => (typeof a === 'number' ? `${(a / b).toFixed(1)}×` : '—');

async function main(): Promise<void> {
  const rows: Row[] = [];
  const others: OtherRow[] = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    const selected = await selectBackend(backend, { kernels: 'stock' });
    if (selected.name !== backend) throw new Error(`could not start ${backend}: ${JSON.stringify(selected)}`);
    for (const c of CASES) {
      rows.push(runCase(backend, c));
      console.error(`done: ${backend} ${c.label}`);
    }
    others.push(...runOtherKernels(backend));
  }
  console.log('\nTimes in ms (best of 3–15 calls). speedup = stock / fast; ×fwd = fast gradient / forward conv.\n');
  console.log(
    '| backend | case | forward | dW stock | dW fast | dW speedup | dW ×fwd | dX stock | dX fast | dX speedup | dX ×fwd | fast vs stock (rel) |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    console.log(
      `| ${r.backend} | ${r.label} | ${fmt(r.forward)} | ${fmt(r.dwStock)} | ${fmt(r.dwFast)} | ` +
        `${ratio(r.dwStock, r.dwFast)} | ${(r.dwFast / r.forward).toFixed(1)} | ${fmt(r.dxStock)} | ` +
        `${fmt(r.dxFast)} | ${ratio(r.dxStock, r.dxFast)} | ${(r.dxFast / r.forward).toFixed(1)} | ${r.check} |`,
    );
  }
  console.log('\n| backend | kernel | stock | fast | speedup | fast vs stock (rel) |');
  console.log('|---|---|---:|---:|---:|---|');
  for (const r of others) {
    console.log(
      `| ${r.backend} | ${r.label} | ${fmt(r.stock)} | ${fmt(r.fast)} | ${ratio(r.stock, r.fast)} | ${r.check} |`,
    );
  }
}

await main();
