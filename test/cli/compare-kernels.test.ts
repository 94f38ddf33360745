/**
 * `compare --kernels stock` against the default (the lab's kernels) on the same generated data and seed, on cpu
 * and on wasm: both must train the same model up to rounding.
 *
 * Tolerance, and why: the lab's kernels add float32 terms in another order than tfjs's (the filter gradient,
 * BatchNormalization's closed-form gradient and moments, the fused ReLU convolution), a few ulps per operation;
 * over this run's ten training steps that moves a test image's P(positive) by about 1e-6. Each score must agree
 * within 1e-4, a hundred times that, while a wrong gradient anywhere moves scores by far more after one Adam step
 * (each weight moves by up to the learning rate, 1e-3). Accuracy and AUC then agree unless a score sits within 1e-4
 * of the threshold or of another score: at most one image (1/n) and one pair (1/(positives · negatives)).
 * Training loss per epoch (printed to 4 decimals) agrees within one unit of its last digit.
 *
 * light-k1 is the network: cnn trains too slowly on cpu's stock filter gradient for a unit test, and on wasm stock
 * tfjs's MaxPoolGrad breaks ties (BatchNormalization maps ReLU's zeros to one value before cnn's pooling) on
 * other elements than cpu's and the lab's, so stock wasm trains cnn differently by design (docs/backends.md).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/run-cli';
import { writeDataset } from '../helpers/write-dataset';

let root: string;
let data: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xray-kernels-'));
  data = join(root, 'phantom');
  await writeDataset(data, { perClass: 24, size: 24, seed: 5 });
  await tf.setBackend('cpu'); // so that tensors can be counted before the first run
});
afterAll(() => rm(root, { recursive: true, force: true }));

interface Outcome {
  test: { accuracy: number; auc: number };
  /** P(second class) per test image, and its true class, from predictions.csv. */
  scores: number[];
  truth: string[];
  losses: number[];
  stderr: string;
  card: { settings: { kernels: string }; environment: { kernels?: string } };
}

async function compare(backend: 'cpu' | 'wasm', kernels: string[]): Promise<Outcome> {
  const out = join(root, `${backend}-${kernels.join('') || 'default'}`);
  const tensorsBefore = tf.memory().numTensors;
  const { code, stdout, stderr } = await runCliCaptured([
    'compare',
    '--data',
    data,
    '--models',
    'light-k1',
    '--size',
    '16',
    '--channels',
    '1',
    '--epochs',
    '2',
    '--batch',
    '8',
    '--seed',
    '7',
    '--bootstrap',
    '0',
    '--backend',
    backend,
    '--out',
    out,
    '--json',
    ...kernels,
  ]);
  expect(code, stderr).toBe(0);
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  const csv = await readFile(join(out, 'predictions.csv'), 'utf8');
  const rows = csv
    .trim()
    .split('\n')
    .slice(1)
    .map((r) => r.split(','));
  return {
    test: JSON.parse(stdout).results[0].test,
    scores: rows.map((r) => Number(r[3])),
    truth: rows.map((r) => r[1]),
    losses: [...stderr.matchAll(/epoch \d\/2 {2}loss (\d+\.\d+)/g)].map((m) => Number(m[1])),
    stderr,
    card: JSON.parse(await readFile(join(out, 'experiment.json'), 'utf8')),
  };
}

describe('compare --kernels stock against the lab kernels', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`gives the same metrics on ${backend}, within rounding`, async () => {
      const stock = await compare(backend, ['--kernels', 'stock']);
      const lab = await compare(backend, []);

      // Each run says, and records, which kernels trained.
      expect(stock.stderr).toContain(`backend: ${backend} (stock tfjs kernels`);
      expect(lab.stderr).toMatch(new RegExp(`backend: ${backend} \\(with the lab's \\d+ fast training kernels`));
      expect([stock.card.settings.kernels, stock.card.environment.kernels]).toEqual(['stock', 'stock']);
      expect([lab.card.settings.kernels, lab.card.environment.kernels]).toEqual(['lab', 'lab']);

      const n = lab.scores.length;
      expect(n).toBeGreaterThanOrEqual(8);
      expect(stock.truth).toEqual(lab.truth);
      for (let i = 0; i < n; i++) {
        expect(Math.abs(stock.scores[i] - lab.scores[i]), `image ${i}`).toBeLessThanOrEqual(1e-4);
      }
      const positives = lab.truth.filter((t) => t === lab.truth[lab.truth.length - 1]).length;
      expect(Math.abs(stock.test.accuracy - lab.test.accuracy)).toBeLessThanOrEqual(1 / n + 1e-12);
      expect(Math.abs(stock.test.auc - lab.test.auc)).toBeLessThanOrEqual(1 / (positives * (n - positives)) + 1e-12);
      expect(lab.losses).toHaveLength(2);
      stock.losses.forEach((loss, i) => expect(Math.abs(loss - lab.losses[i])).toBeLessThanOrEqual(1e-4 + 1e-12));
    }, 300_000);
  }
});
