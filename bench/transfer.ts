/**
 * Transfer learning's cost: backbone images/s per backend, and 20 head epochs on cached features against one
 * backbone pass over the same images. The goal: the whole transfer training (one pass + all head epochs)
 * takes at most 1.1× one backbone pass.
 *
 *   npm run bench -- transfer [--size 299] [--images 64] [--epochs 20] [--backends wasm,cpu] [--networks inception-v3,mobilenet-v2]
 *   npm run bench -- transfer --vs-torch [...]   the forward pass against PyTorch (bench/transfer-vs-torch/)
 *
 * Weights are seeded placeholders (speed does not depend on their values). cpu runs at most 8 images: its convolutions
 * are ~20× slower than wasm's. Figures go to stdout and bench/results/transfer.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendPreference } from '../src/lab/backend/select-backend';
import { useQuietCpu } from '../src/cli/quiet-backend';
import { generatePhantomImages } from '../src/lab/data/phantom';
import { buildTransferHead } from '../src/lab/models/transfer-head';
import { trainOnFeatures } from '../src/lab/train/feature-trainer';
import { backboneSpec, type BackboneId } from '../src/lab/transfer/backbones';
import { extractFeatures } from '../src/lab/transfer/extract-features';

interface Row {
  backend: string;
  network: BackboneId;
  size: number;
  images: number;
  backboneImagesPerSec: number;
  backbonePassMs: number;
  headEpochs: number;
  headTrainMs: number;
  /** (backbone pass + head epochs) / backbone pass: the goal is ≤ 1.1. */
  ratio: number;
}

export async function runTransferBench(argv: string[]): Promise<number> {
  if (argv.includes('--vs-torch')) {
    const { runTransferVsTorch } = await import('./transfer-vs-torch/index');
    return runTransferVsTorch(argv.filter((a) => a !== '--vs-torch'));
  }
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      size: { type: 'string' },
      images: { type: 'string' },
      epochs: { type: 'string' },
      backends: { type: 'string' },
      networks: { type: 'string' },
    },
  });
  const size = Number(values.size ?? 299);
  const images = Number(values.images ?? 64);
  const epochs = Number(values.epochs ?? 20);
  const backends = (values.backends ?? 'wasm,cpu').split(',') as BackendPreference[];
  const networks = (values.networks ?? 'inception-v3,mobilenet-v2').split(',') as BackboneId[];
  const rows: Row[] = [];
  for (const backend of backends) {
    // cpu without its "install tfjs-node" banner (we run without native addons on purpose).
    const selected =
      backend === 'cpu'
        ? await useQuietCpu().then(() => ({ name: 'cpu' }))
        : await selectBackend(backend).catch(() => null);
    if (!selected || selected.name !== backend) {
      console.log(`${backend}: not available here, skipped`);
      continue;
    }
    for (const network of networks)
      rows.push(await measure(backend, network, size, backend === 'cpu' ? Math.min(8, images) : images, epochs));
  }
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/transfer.json', JSON.stringify({ date: new Date().toISOString(), rows }, null, 2));
  console.log('wrote bench/results/transfer.json');
  return rows.every((r) => r.ratio <= 1.1) ? 0 : 1;
}

async function measure(
  backend: string,
  network: BackboneId,
  size: number,
  count: number,
  epochs: number,
): Promise<Row> {
  const spec = backboneSpec(network);
  const backbone = spec.build({ size, variant: spec.variants[0], seed: 1 });
  backbone.trainable = false;
  const set = generatePhantomImages({ perClass: Math.ceil(count / 2), size, channels: 1, seed: 1 });
  const trimmed = { ...set, count, labels: set.labels.subarray(0, count) };
  // One untimed batch: first calls compile kernels and allocate.
  await extractFeatures(backbone, { ...trimmed, count: Math.min(4, count) }, { range: '-1,1', batchSize: 4 });
  let t0 = performance.now();
  const features = await extractFeatures(backbone, trimmed, { range: '-1,1', batchSize: 16 });
  const backbonePassMs = performance.now() - t0;
  backbone.dispose();
  const head = buildTransferHead({ features: features.dim, seed: 1 });
  t0 = performance.now();
  await trainOnFeatures(head, features, null, { epochs, batchSize: 64, seed: 1 });
  const headTrainMs = performance.now() - t0;
  head.dispose();
  const row: Row = {
    backend,
    network,
    size,
    images: count,
    backboneImagesPerSec: count / (backbonePassMs / 1000),
    backbonePassMs,
    headEpochs: epochs,
    headTrainMs,
    ratio: (backbonePassMs + headTrainMs) / backbonePassMs,
  };
  console.log(
    `${backend.padEnd(5)} ${network.padEnd(13)} ${size}px ×${count}: backbone ${row.backboneImagesPerSec.toFixed(1)} img/s ` +
      `(${(backbonePassMs / 1000).toFixed(1)} s); ${epochs} head epochs ${(headTrainMs / 1000).toFixed(2)} s; ` +
      `whole training = ${row.ratio.toFixed(3)}× one pass ${row.ratio <= 1.1 ? '(goal ≤ 1.1 met)' : '(goal ≤ 1.1 missed)'}`,
  );
  tf.disposeVariables();
  return row;
}
