/**
 * Grad-CAM's cost per image for every family, next to a plain forward pass of the same model:
 *
 *   npm run bench -- explain [--size 128] [--images 16] [--batch 8] [--repeats 3] [--models cnn,light-k1,…]
 *                            [--backend wasm] [--no-inception-299]
 *
 * Models: cnn, light-k1..k5, inception-v3 (nsfwjs's ImageNet weights when node_modules/nsfwjs is installed, else
 * seeded placeholders — the speed does not depend on the values), mobilenet-v2 (α 0.35 from ../shared when present,
 * else α 1.0 placeholders); InceptionV3 once more at 299 px. Per model: ms per image explained in batches of
 * --batch, ms for one image alone (the Classify panel's case), and predict's ms per image at the same batch size.
 * Figures go to stdout and bench/results/explain.json. The machine's load average is printed with them: on a shared
 * machine the figures move with it.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendPreference } from '../src/lab/backend/select-backend';
import { generatePhantomImages } from '../src/lab/data/phantom';
import { median } from '../src/lab/eval/median';
import { createGradCam } from '../src/lab/explain/grad-cam';
import { explainImages } from '../src/lab/explain/explain-set';
import { findModel } from '../src/lab/registry';
import { buildTransferHead } from '../src/lab/models/transfer-head';
import { prepareBackboneWeights, type BackboneWeights } from '../src/lab/transfer/backbone-weights';
import { backboneSpec, type BackboneId } from '../src/lab/transfer/backbones';
import { buildTransferModel, composeTransferModel } from '../src/lab/transfer/compose';
import { loadWeightsFromFiles } from '../src/lab/transfer/load-weights';
import { readWeightsPath } from '../src/lab/transfer/node/read-weights-path';
import { readLayersModelWeights } from '../src/lab/transfer/read-tfjs-layers';
import { nsfwjsInception } from '../test/helpers/nsfwjs-inception';

interface Row {
  backend: string;
  model: string;
  size: number;
  /** Where the weights came from. */
  weights: string;
  layer: string;
  map: string;
  images: number;
  batch: number;
  /** Median over repeats of (time to explain all images) / images. */
  msPerImage: number;
  /** Median time to explain one image alone. */
  msSingle: number;
  /** Median predict time per image at the same batch size. */
  predictMsPerImage: number;
  loadAverage: number;
}

const SHARED_MOBILENET = resolve(process.cwd(), '../shared/models/mobilenet-v2-0.35-imagenet');

export async function runExplainBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      size: { type: 'string' },
      images: { type: 'string' },
      batch: { type: 'string' },
      repeats: { type: 'string' },
      models: { type: 'string' },
      backend: { type: 'string' },
      'no-inception-299': { type: 'boolean', default: false },
    },
  });
  const size = Number(values.size ?? 128);
  const images = Number(values.images ?? 16);
  const batch = Number(values.batch ?? 8);
  const repeats = Number(values.repeats ?? 3);
  const models = (values.models ?? 'cnn,light-k1,light-k2,light-k3,light-k4,light-k5,inception-v3,mobilenet-v2').split(
    ',',
  );
  const backend = (values.backend ?? 'wasm') as BackendPreference;
  const selected = await selectBackend(backend);
  if (selected.name !== backend) {
    console.log(`${backend}: not available here (got ${selected.name}), nothing measured`);
    return 1;
  }
  const weights = await transferWeights();
  const runs: Array<{ id: string; size: number }> = models.map((id) => ({ id, size }));
  if (!values['no-inception-299'] && size !== 299) runs.push({ id: 'inception-v3', size: 299 });
  const rows: Row[] = [];
  for (const { id, size: side } of runs) {
    // InceptionV3 at 299 px keeps ~11 MB of activations per image: fewer, smaller batches.
    const big = side >= 256 && id === 'inception-v3';
    rows.push(
      await measure(
        selected.name,
        id,
        side,
        big ? Math.min(images, 8) : images,
        big ? Math.min(batch, 4) : batch,
        repeats,
        weights,
      ),
    );
  }
  await mkdir('bench/results', { recursive: true });
  await writeFile(
    'bench/results/explain.json',
    JSON.stringify({ date: new Date().toISOString(), cpus: (await import('node:os')).cpus().length, rows }, null, 2),
  );
  console.log('wrote bench/results/explain.json');
  return 0;
}

/** Real weights where the machine has them, by backbone. */
async function transferWeights(): Promise<Partial<Record<BackboneId, { weights: BackboneWeights; origin: string }>>> {
  const found: Partial<Record<BackboneId, { weights: BackboneWeights; origin: string }>> = {};
  const nsfw = nsfwjsInception();
  if (nsfw) {
    found['inception-v3'] = {
      weights: prepareBackboneWeights('inception-v3', readLayersModelWeights(nsfw.json, nsfw.shards, 'nsfwjs')),
      origin: 'nsfwjs ImageNet',
    };
  }
  if (existsSync(join(SHARED_MOBILENET, 'model.json'))) {
    found['mobilenet-v2'] = {
      weights: await loadWeightsFromFiles('mobilenet-v2', await readWeightsPath(SHARED_MOBILENET)),
      origin: 'α 0.35 ImageNet (../shared)',
    };
  }
  return found;
}

function buildModel(
  id: string,
  size: number,
  weights: Awaited<ReturnType<typeof transferWeights>>,
): { model: tf.LayersModel; origin: string; range: '0,1' | '-1,1' } {
  const entry = findModel(id);
  if (entry.runner === 'image')
    return { model: entry.build({ size, channels: 3, seed: 1 }), origin: 'seeded (untrained)', range: '0,1' };
  const spec = backboneSpec(id);
  const real = weights[id as BackboneId];
  if (real)
    return {
      model: buildTransferModel(real.weights, { size, seed: 1 }),
      origin: real.origin,
      range: real.weights.preprocessing.range,
    };
  const backbone = spec.build({ size, variant: spec.variants[0], seed: 1 });
  const head = buildTransferHead({ features: spec.features(spec.variants[0]), seed: 1 });
  return { model: composeTransferModel(backbone, head), origin: 'seeded placeholders', range: '-1,1' };
}

async function measure(
  backend: string,
  id: string,
  size: number,
  count: number,
  batch: number,
  repeats: number,
  weights: Awaited<ReturnType<typeof transferWeights>>,
): Promise<Row> {
  const { model, origin, range } = buildModel(id, size, weights);
  const cam = createGradCam(model);
  const set = generatePhantomImages({ perClass: Math.ceil(count / 2), size, channels: 3, seed: 1 });
  const indices = Array.from({ length: count }, (_, i) => i);
  const time = async (work: () => Promise<unknown>): Promise<number> => {
    const started = performance.now();
    await work();
    return performance.now() - started;
  };
  // Untimed first calls: kernels are set up and memory allocated for both batch shapes.
  await explainImages(cam, set, { range, indices: indices.slice(0, batch), batchSize: batch });
  await explainImages(cam, set, { range, indices: [0] });
  const batched: number[] = [];
  const single: number[] = [];
  const predicted: number[] = [];
  const x = tf.randomUniform([batch, size, size, 3], range === '0,1' ? 0 : -1, 1, 'float32', 1);
  tf.dispose(model.predict(x) as tf.Tensor);
  for (let r = 0; r < repeats; r++) {
    batched.push((await time(() => explainImages(cam, set, { range, indices, batchSize: batch }))) / count);
    single.push(await time(() => explainImages(cam, set, { range, indices: [r % count] })));
    predicted.push(
      (await time(async () => {
        const y = model.predict(x) as tf.Tensor;
        await y.data();
        y.dispose();
      })) / batch,
    );
  }
  x.dispose();
  model.dispose();
  tf.disposeVariables();
  const row: Row = {
    backend,
    model: id,
    size,
    weights: origin,
    layer: cam.target.layerName,
    map: `${cam.target.height}×${cam.target.width}`,
    images: count,
    batch,
    msPerImage: median(batched),
    msSingle: median(single),
    predictMsPerImage: median(predicted),
    loadAverage: loadavg()[0],
  };
  console.log(
    `${backend} ${id.padEnd(13)} ${String(size).padStart(3)} px  Grad-CAM at ${row.layer} (${row.map}): ` +
      `${row.msPerImage.toFixed(1)} ms/image in batches of ${batch}, ${row.msSingle.toFixed(1)} ms for one image; ` +
      `predict ${row.predictMsPerImage.toFixed(1)} ms/image (${(row.msPerImage / row.predictMsPerImage).toFixed(1)}×) ` +
      `[${origin}; load ${row.loadAverage.toFixed(1)}]`,
  );
  return row;
}
