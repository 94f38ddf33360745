/**
 * `xray-lab explain` on a model that `compare --out` saved: overlays written as PNGs, JSON records with scores, peak
 * and heat inside the phantom generator's own opacity masks, and every bad input refused in one line with exit 2.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExplainRecord } from '../../src/cli/commands/explain';
import { generatePhantomImages } from '../../src/lab/data/phantom';
import { modelToFiles } from '../../src/lab/models/model-files';
import { buildTransferHead } from '../../src/lab/models/transfer-head';
import { buildLoadedBackbone } from '../../src/lab/transfer/backbone-weights';
import { composeTransferModel } from '../../src/lab/transfer/compose';
import { loadWeightsFromFiles } from '../../src/lab/transfer/load-weights';
import { readWeightsPath } from '../../src/lab/transfer/node/read-weights-path';
import { forgetBackboneWeights } from '../../src/lab/transfer/transfer-context';
import { encodePng } from '../helpers/png-encode';
import { runCliCaptured } from '../helpers/run-cli';
import { writeDataset, type WrittenDataset } from '../helpers/write-dataset';

let root: string;
let data: string;
let masks: string;
let model: string;
let written: WrittenDataset;

/** Writes `model` as compare --out would, with `metadata`, into `dir`. */
async function saveModel(m: tf.LayersModel, dir: string, metadata: Record<string, unknown>): Promise<void> {
  const files = await modelToFiles(m, 'weights.bin', metadata);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'model.json'), files.modelJson);
  await writeFile(join(dir, 'weights.bin'), files.weights);
  m.dispose();
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xray-explain-'));
  data = join(root, 'phantom');
  written = await writeDataset(data, { perClass: 12, size: 24, seed: 3 });
  // The generator's opacity masks for the very same images, as white-on-black PNGs at the same relative paths.
  masks = join(root, 'masks');
  const withMasks = generatePhantomImages({ perClass: 12, size: 24, channels: 1, seed: 3, opacityMasks: true });
  for (let i = 0; i < withMasks.count; i++) {
    const samples = withMasks.opacityMasks.subarray(i * 576, (i + 1) * 576).map((v) => v * 255);
    await mkdir(join(masks, written.images[i], '..'), { recursive: true });
    await writeFile(
      join(masks, written.images[i]),
      encodePng({ width: 24, height: 24, colorType: 0, bitDepth: 8, samples }),
    );
  }
  const trained = await runCliCaptured([
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
    '1',
    '--batch',
    '8',
    '--bootstrap',
    '0',
    '--out',
    join(root, 'results'),
  ]);
  expect(trained.code).toBe(0);
  model = join(root, 'results/models/light-k1');
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('xray-lab explain', () => {
  it('writes one overlay PNG per image and, with --json, scores, peak and the heat inside each mask', async () => {
    const out = join(root, 'explained');
    const { code, stdout, stderr } = await runCliCaptured([
      'explain',
      '--model',
      model,
      '--images',
      data,
      '--mask',
      masks,
      '--out',
      out,
      '--json',
    ]);
    expect(stderr).toMatch(/explaining block3_relu2 \(4×4×32\)/);
    expect(code).toBe(0);
    const records = JSON.parse(stdout) as ExplainRecord[];
    expect(records.map((r) => r.file)).toEqual([...written.images].sort());
    for (const r of records) {
      expect(r.trueClass).toBe(r.file.split('/')[0]);
      expect(r.scores.NORMAL + r.scores.PNEUMONIA).toBeCloseTo(1, 3);
      expect(r.explained).toBe(r.predicted);
      expect(r.size).toBe(16);
      if (r.peak) expect(r.peak.x >= 0 && r.peak.x < 16 && r.peak.y >= 0 && r.peak.y < 16).toBe(true);
      if (r.trueClass === 'NORMAL') expect(r.maskShare).toBe(0);
      else expect(r.maskShare!).toBeGreaterThan(0);
      if (r.heatInMask != null) expect(r.heatInMask >= 0 && r.heatInMask <= 1).toBe(true);
      if (r.trueClass === 'NORMAL' && r.heatInMask != null) expect(r.heatInMask).toBe(0);
      const png = PNG.sync.read(await readFile(join(out, r.overlay)));
      expect([png.width, png.height]).toEqual([16, 16]);
    }
    expect(records.some((r) => r.peak != null)).toBe(true);
    expect((await readdir(join(out, 'PNEUMONIA'))).every((f) => f.endsWith('.gradcam.png'))).toBe(true);
    // Where the map is hot the overlay is coloured; the X-ray itself is grey (r = g = b).
    const hot = records.find((r) => r.peak != null)!;
    const png = PNG.sync.read(await readFile(join(out, hot.overlay)));
    const at = (hot.peak!.y * 16 + hot.peak!.x) * 4;
    expect(png.data[at] !== png.data[at + 1] || png.data[at + 1] !== png.data[at + 2]).toBe(true);
  });

  it('explains the class asked for, for one image, and prints a table without --json', async () => {
    const image = join(
      data,
      written.images.find((f) => f.startsWith('PNEUMONIA'))!,
    );
    const out = join(root, 'one');
    const { code, stdout } = await runCliCaptured([
      'explain',
      '--model',
      join(model, 'model.json'),
      '--images',
      image,
      '--class',
      'normal',
      '--out',
      out,
      '--json',
    ]);
    expect(code).toBe(0);
    const [record] = JSON.parse(stdout) as ExplainRecord[];
    expect(record).toMatchObject({ explained: 'NORMAL', heatInMask: null, maskShare: null });
    expect(await readdir(out)).toEqual([record.overlay]);
    const table = await runCliCaptured(['explain', '--model', model, '--images', image, '--out', join(root, 'table')]);
    expect(table.stdout.split('\n')[0]).toMatch(/^file\s+predicted\s+explained\s+peak \(x, y\)\s+heat in mask$/);
  });

  it('skips an unreadable image with a message and explains the others', async () => {
    const mixed = join(root, 'mixed');
    await mkdir(mixed, { recursive: true });
    await writeFile(join(mixed, 'good.png'), await readFile(join(data, written.images[0])));
    await writeFile(join(mixed, 'broken.png'), 'not an image');
    const { code, stdout, stderr } = await runCliCaptured([
      'explain',
      '--model',
      model,
      '--images',
      mixed,
      '--out',
      join(root, 'mixed-out'),
      '--json',
    ]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/skipped broken\.png: not a JPEG or PNG image/);
    expect((JSON.parse(stdout) as ExplainRecord[]).map((r) => r.file)).toEqual(['good.png']);
  });

  describe('refuses bad input with one line naming it, exit 2, and writes nothing', () => {
    const cases: Array<[string, () => Promise<string[]>, RegExp]> = [
      ['no --model', async () => ['--images', data], /--model DIR is required/],
      ['no --images', async () => ['--model', model], /--images PATH is required/],
      [
        'a missing model folder',
        async () => ['--model', join(root, 'nope'), '--images', data],
        /--model .*nope: no such folder or file/,
      ],
      [
        'a model folder without weights',
        async () => {
          const dir = join(root, 'no-weights');
          await mkdir(dir, { recursive: true });
          await writeFile(join(dir, 'model.json'), await readFile(join(model, 'model.json')));
          return ['--model', dir, '--images', data];
        },
        /--model .*no-weights: its weights file .*weights\.bin is missing/,
      ],
      [
        'a missing image folder',
        async () => ['--model', model, '--images', join(root, 'none')],
        /--images .*none: no such file or folder/,
      ],
      [
        'an unknown class',
        async () => ['--model', model, '--images', data, '--class', 'COVID'],
        /--class COVID: no such class \(classes: NORMAL, PNEUMONIA\)/,
      ],
      [
        'a mask folder lacking a mask',
        async () => {
          const partial = join(root, 'partial-masks');
          await mkdir(join(partial, 'NORMAL'), { recursive: true });
          return ['--model', model, '--images', join(data, 'NORMAL'), '--mask', partial];
        },
        /--mask .*partial-masks: no mask for IM-0001-0001\.png/,
      ],
      [
        '--opacity 2',
        async () => ['--model', model, '--images', data, '--opacity', '2'],
        /--opacity must be a number between 0 and 1/,
      ],
      [
        'a model without a convolution',
        async () => {
          const dir = join(root, 'dense');
          await saveModel(
            tf.sequential({ layers: [tf.layers.flatten({ inputShape: [16, 16, 1] }), tf.layers.dense({ units: 2 })] }),
            dir,
            { classNames: ['NORMAL', 'PNEUMONIA'] },
          );
          return ['--model', dir, '--images', data];
        },
        /--model .*dense: .*no convolutional layer to explain/,
      ],
      [
        'a transfer head saved without its backbone, no weights loaded',
        async () => {
          const dir = join(root, 'head');
          await saveModel(buildTransferHead({ features: 1280 }), dir, {
            modelId: 'mobilenet-v2',
            inputSize: 96,
            channels: 1,
          });
          return ['--model', dir, '--images', data];
        },
        /--model .*head: mobilenet-v2: backbone not loaded — its head takes MobileNetV2 features/,
      ],
    ];
    for (const [what, args, message] of cases) {
      it(what, async () => {
        const out = join(root, `bad-${what.replace(/\W+/g, '-')}`);
        const { code, stderr } = await runCliCaptured(['explain', ...(await args()), '--out', out]);
        expect(stderr.trim().split('\n').at(-1)).toMatch(message);
        expect(stderr.trim().split('\n').at(-1)).toMatch(/^xray-lab explain: /);
        expect(code).toBe(2);
        expect(existsSync(out)).toBe(false);
      });
    }
  });
});

const SHARED_MOBILENET = resolve(process.cwd(), '../shared/models/mobilenet-v2-0.35-imagenet');
const mobilenetPresent = existsSync(join(SHARED_MOBILENET, 'model.json'));
describe.skipIf(!mobilenetPresent)(
  'xray-lab explain on MobileNetV2 transfer models (α 0.35 weights from ../shared)',
  () => {
    it('explains a saved composed model (backbone + head), and a saved head given --weights for its backbone', async () => {
      const weights = await loadWeightsFromFiles('mobilenet-v2', await readWeightsPath(SHARED_MOBILENET));
      const metadata = {
        modelId: 'mobilenet-v2',
        inputSize: 64,
        channels: 1,
        classNames: ['NORMAL', 'PNEUMONIA'],
        pixelRange: weights.preprocessing.range,
      };
      const composed = join(root, 'mobilenet');
      await saveModel(
        composeTransferModel(buildLoadedBackbone(weights, 64, 1), buildTransferHead({ features: 1280, seed: 2 })),
        composed,
        metadata,
      );
      const head = join(root, 'mobilenet-head');
      await saveModel(buildTransferHead({ features: 1280, seed: 2 }), head, metadata);
      const images = join(data, 'PNEUMONIA');
      try {
        const whole = await runCliCaptured([
          'explain',
          '--model',
          composed,
          '--images',
          images,
          '--out',
          join(root, 'mn-whole'),
          '--json',
        ]);
        expect(whole.stderr).toMatch(/explaining out_relu \(2×2×1280\)/);
        expect(whole.code).toBe(0);
        const viaHead = await runCliCaptured([
          'explain',
          '--model',
          head,
          '--weights',
          SHARED_MOBILENET,
          '--images',
          images,
          '--out',
          join(root, 'mn-head'),
          '--json',
        ]);
        expect(viaHead.stderr).toMatch(/mobilenet-v2: weights from .*MobileNetV2 α 0\.35/);
        expect(viaHead.code).toBe(0);
        // The same backbone and head weights: the same scores and peaks either way.
        const [a, b] = [JSON.parse(whole.stdout) as ExplainRecord[], JSON.parse(viaHead.stdout) as ExplainRecord[]];
        expect(b.map((r) => [r.file, r.predicted, r.peak])).toEqual(a.map((r) => [r.file, r.predicted, r.peak]));
        b.forEach((r, i) => expect(r.scores.PNEUMONIA).toBeCloseTo(a[i].scores.PNEUMONIA, 3));
      } finally {
        forgetBackboneWeights();
      }
    });
  },
);
if (!mobilenetPresent) console.warn(`skipping xray-lab explain on MobileNetV2: ${SHARED_MOBILENET} is absent`);
