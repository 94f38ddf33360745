/**
 * Child-process script for determinism tests: trains one registry model on generated phantom X-rays with the lab's
 * trainer on wasm, then prints one JSON line with the XNNPACK thread count, the epoch losses and a SHA-256 of every
 * weight's bytes. Run with `npx tsx test/helpers/train-fingerprint.ts --threads N [--model light-k2] [--size 32]`.
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { generatePhantomImages } from '../../src/lab/data/phantom';
import { findModel } from '../../src/lab/registry';
import { trainModel } from '../../src/lab/train/trainer';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '1' },
    model: { type: 'string', default: 'light-k2' },
    size: { type: 'string', default: '32' },
    epochs: { type: 'string', default: '2' },
  },
});
const threads = Number(values.threads);
const size = Number(values.size);
const selected = await selectBackend('wasm', { wasmThreads: threads > 1 ? threads : false });
const entry = findModel(values.model!);
const model = entry.build({ size, channels: 3, seed: 3 });
const images = generatePhantomImages({ perClass: 24, size, channels: 3, seed: 5 });
const summary = await trainModel(model, images, null, {
  epochs: Number(values.epochs),
  batchSize: 16,
  seed: 9,
  restoreBestWeights: false,
  pixelRange: entry.pixelRange,
});
const hash = createHash('sha256');
for (const w of model.getWeights()) hash.update(new Uint8Array((await w.data()).slice().buffer));
process.stdout.write(
  `${JSON.stringify({
    backend: tf.getBackend(),
    threads: selected.wasmThreads?.threads ?? 1,
    losses: summary.history.map((h) => h.loss),
    weights: hash.digest('hex'),
  })}\n`,
);
