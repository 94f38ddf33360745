/**
 * The project zip: what the page's "Save project" writes comes back whole (card, model files, checkpoints); a
 * foreign, damaged or newer file is refused with a message naming the file and the part; the CLI lists its runs
 * and writes its models out.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { makeExperimentCard } from '../../src/lab/experiment/card';
import { defaultExperiment } from '../../src/lab/experiment/schema';
import { encodeCheckpoint } from '../../src/lab/persist/checkpoint-codec';
import type { StoredDataset } from '../../src/lab/persist/dataset-record';
import {
  PROJECT_MANIFEST,
  readProjectZip,
  writeProjectZip,
  type ProjectContents,
} from '../../src/lab/persist/project-zip';
import { makeResultRecord } from '../../src/lab/report/result-record';
import type { TrainCheckpoint } from '../../src/lab/train/checkpoint';
import { runCliCaptured } from '../helpers/run-cli';
import { evaluationFrom, summary } from '../report/fixtures';

const results = [
  makeResultRecord(
    summary({ modelId: 'cnn', label: 'cnn', seed: 1 }),
    evaluationFrom(
      [
        [1, 1],
        [0, 2],
      ],
      0.9,
      0.3,
    ),
    null,
  ),
  makeResultRecord(
    summary({ modelId: 'light-k2', label: 'light-k2', seed: 1 }),
    evaluationFrom(
      [
        [2, 0],
        [0, 2],
      ],
      0.9,
      0.3,
    ),
    null,
  ),
];
const card = makeExperimentCard({
  settings: { ...defaultExperiment(), models: ['cnn', 'light-k2', 'light-k4'], seeds: [1] },
  data: {
    source: 'xrays',
    kind: 'folder',
    classNames: ['NORMAL', 'PNEUMONIA'],
    identity: { files: 40, filesPerClass: { NORMAL: 20, PNEUMONIA: 20 }, fingerprint: '0123456789abcdef', root: '' },
    test: null,
    testSet: 'held out',
    split: { train: ['a'], val: ['b'], test: ['c', 'd', 'e', 'f'], hash: 'fedcba9876543210' },
  },
  environment: {
    labVersion: '0.2.0',
    tfjsVersion: '4.22.0',
    backend: 'wasm',
    adapter: '',
    runtime: 'browser',
    agent: 'test',
  },
  results,
  testImages: { files: ['c', 'd', 'e', 'f'], labels: Int32Array.of(0, 0, 1, 1) },
  predictions: results.map((r) => ({
    modelId: r.modelId,
    seed: r.seed,
    probabilities: Float32Array.of(0.1, 0.9, 0.9, 0.1, 0.2, 0.8, 0.3, 0.7),
  })),
});
const checkpoint: TrainCheckpoint = {
  version: 1,
  epoch: 3,
  epochsPlanned: 5,
  seed: 1,
  batchSize: 8,
  learningRate: 0.001,
  trainCount: 2,
  backend: 'wasm',
  weights: [{ shape: [2], values: Float32Array.of(1, 2) }],
  optimizer: { iterations: 6, m: [new Float32Array(2)], v: [new Float32Array(2)] },
  rngState: 7,
  order: Int32Array.of(1, 0),
  sourcePosition: null,
  history: [],
  best: null,
  epochsWithoutImprovement: 0,
  stoppedEarly: false,
  elapsedMs: 1,
  trainMs: 1,
  imagesTrained: 6,
};
const project: ProjectContents = {
  card,
  models: new Map([['light-k2@1', { modelJson: '{"format":"layers-model"}', weights: Uint8Array.of(9, 8, 7, 6) }]]),
  checkpoints: [
    {
      info: {
        modelId: 'light-k4',
        seed: 1,
        label: 'LightLayers k=4',
        epoch: 3,
        epochs: 5,
        fingerprint: '0123456789abcdef',
        source: 'xrays',
        backend: 'wasm',
        bytes: 0,
        savedAt: '',
      },
      bytes: encodeCheckpoint(checkpoint),
    },
  ],
};
const zip = writeProjectZip(project);
const work = mkdtempSync(join(tmpdir(), 'xray-lab-project-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A project zip (`base`, default the one above) with some entries replaced (undefined: removed). */
function altered(changes: Record<string, Uint8Array | undefined>, base = zip): Uint8Array {
  const entries: Record<string, Uint8Array> = { ...unzipSync(base) };
  for (const [path, data] of Object.entries(changes)) {
    if (data) entries[path] = data;
    else delete entries[path];
  }
  return zipSync(entries);
}

describe('project zip', () => {
  it('gives back the card, the model files and the checkpoints', () => {
    const back = readProjectZip(zip, 'p.zip');
    expect(back.card).toEqual(JSON.parse(JSON.stringify(card)));
    expect([...back.models.keys()]).toEqual(['light-k2@1']);
    expect(back.models.get('light-k2@1')!.weights).toEqual(Uint8Array.of(9, 8, 7, 6));
    expect(back.checkpoints.map((c) => [c.info.modelId, c.info.epoch])).toEqual([['light-k4', 3]]);
    expect(back.checkpoints[0].bytes).toEqual(project.checkpoints[0].bytes);
  });

  const manifest = JSON.parse(new TextDecoder().decode(unzipSync(zip)[PROJECT_MANIFEST]));
  it.each([
    ['a file that is not a zip', strToU8('hello, not a zip'), /^p\.zip: not a readable zip archive/],
    [
      'a foreign zip',
      zipSync({ 'readme.txt': strToU8('hi') }),
      /^p\.zip: not an X-Ray Lab project \(no xray-lab-project\.json/,
    ],
    [
      'a newer project version',
      altered({ [PROJECT_MANIFEST]: strToU8(JSON.stringify({ ...manifest, version: 2 })) }),
      /^p\.zip: project version 2 was written by a newer X-Ray Lab/,
    ],
    [
      'a missing model',
      altered({ 'models/light-k2/seed-1/weights.bin': undefined }),
      /^p\.zip: models\/light-k2\/seed-1\/weights\.bin is missing$/,
    ],
    [
      'a broken model.json',
      altered({ 'models/light-k2/seed-1/model.json': strToU8('{nope') }),
      /^p\.zip: models\/light-k2\/seed-1\/model\.json is not valid JSON$/,
    ],
    [
      'a damaged card',
      altered({ 'experiment.json': strToU8('{"format":') }),
      /^p\.zip\/experiment\.json: not valid JSON/,
    ],
    [
      'a damaged checkpoint',
      altered({ 'checkpoints/light-k4@1.bin': strToU8('XLCK') }),
      /p\.zip\/checkpoints\/light-k4@1\.bin: the saved checkpoint is damaged/,
    ],
  ])('refuses %s with a message naming the part', (_what, bytes, message) => {
    expect(() => readProjectZip(bytes, 'p.zip')).toThrow(message);
  });

  // Four 2×2 grey images, the split and identity of the card's data.
  const dataset: StoredDataset = {
    meta: {
      version: 1,
      origin: { kind: 'picked', limit: 0 },
      size: 2,
      channels: 1,
      count: 4,
      classNames: ['NORMAL', 'PNEUMONIA'],
      files: ['a', 'b', 'c', 'd'],
      labels: Int32Array.of(0, 1, 0, 1),
      assignment: ['train', 'train', 'val', 'test'],
      split: { valFraction: 0.25, testFraction: 0.25, seed: 1, keepOfficialVal: false },
      presets: [],
      duplicateGroups: [],
      summary: { source: 'xrays' } as unknown as StoredDataset['meta']['summary'],
      identity: card.data.identity,
      pixelBytes: 16,
      chunks: 1,
      savedAt: '',
    },
    pixels: Uint8Array.from({ length: 16 }, (_, i) => i * 7),
  };
  const withImages = writeProjectZip({ ...project, dataset });

  it('keeps the decoded images when saved with them, and only then', () => {
    expect(readProjectZip(zip, 'p.zip').dataset).toBeNull();
    const back = readProjectZip(withImages, 'p.zip').dataset!;
    expect(back.pixels).toEqual(dataset.pixels);
    expect(back.meta.labels).toEqual(dataset.meta.labels);
    expect(back.meta.files).toEqual(dataset.meta.files);
    expect(back.meta.assignment).toEqual(dataset.meta.assignment);
    expect(back.meta.identity).toEqual(card.data.identity);
  });

  const metaText = new TextDecoder().decode(unzipSync(withImages)['dataset/meta.json']);
  it.each([
    [
      'cut-short pixels',
      { 'dataset/pixels.bin': new Uint8Array(10) },
      /^p\.zip: dataset\/pixels\.bin holds 10 bytes, not the 16 its images need/,
    ],
    ['missing pixels', { 'dataset/pixels.bin': undefined }, /^p\.zip: dataset\/pixels\.bin is missing$/],
    [
      'labels that are not class numbers',
      { 'dataset/meta.json': strToU8(metaText.replace('"labels":[0,1,0,1]', '"labels":"0101"')) },
      /cannot be used \(its labels are not a list of class numbers\)/,
    ],
    [
      'a split that does not match the images',
      {
        'dataset/meta.json': strToU8(
          metaText.replace('"assignment":["train","train","val","test"]', '"assignment":["train"]'),
        ),
      },
      /cannot be used \(split does not match the image count\)/,
    ],
    [
      'a label outside the classes',
      { 'dataset/meta.json': strToU8(metaText.replace('"labels":[0,1,0,1]', '"labels":[0,7,-3,1]')) },
      /cannot be used \(a label is outside the 2 classes\)/,
    ],
    [
      'a split set that does not exist',
      {
        'dataset/meta.json': strToU8(
          metaText.replace(
            '"assignment":["train","train","val","test"]',
            '"assignment":["train","bogus","val","test"]',
          ),
        ),
      },
      /cannot be used \(the split names a set other than train, val or test\)/,
    ],
    [
      'no split settings',
      { 'dataset/meta.json': strToU8(metaText.replace(/"split":\{[^}]*\},/, '')) },
      /cannot be used \(the split settings are missing\)/,
    ],
    [
      'no origin',
      { 'dataset/meta.json': strToU8(metaText.replace(/"origin":\{[^}]*\},/, '')) },
      /cannot be used \(unknown origin\)/,
    ],
    [
      'damaged presets',
      { 'dataset/meta.json': strToU8(metaText.replace('"presets":[]', '"presets":{}')) },
      /cannot be used \(the preset splits are damaged\)/,
    ],
    [
      'other class names',
      {
        'dataset/meta.json': strToU8(metaText.replace('"classNames":["NORMAL","PNEUMONIA"]', '"classNames":["A","B"]')),
      },
      /have classes A, B, the experiment NORMAL, PNEUMONIA/,
    ],
    [
      'images of other data',
      {
        'dataset/meta.json': strToU8(
          metaText.replace(/"fingerprint":"0123456789abcdef"/, '"fingerprint":"ffffffffffffffff"'),
        ),
      },
      /are not the data the experiment trained on \(fingerprint ffffffffffffffff/,
    ],
  ])('refuses images with %s, naming the part', (_what, changes, message) => {
    expect(() => readProjectZip(altered(changes, withImages), 'p.zip')).toThrow(message);
  });

  it('refuses a checkpoint of other data, or one listed twice', () => {
    const manifestOf = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(unzipSync(bytes)[PROJECT_MANIFEST]));
    const m = manifestOf(zip);
    const other = { ...m, checkpoints: [{ ...m.checkpoints[0], fingerprint: 'ffffffffffffffff' }] };
    expect(() => readProjectZip(altered({ [PROJECT_MANIFEST]: strToU8(JSON.stringify(other)) }), 'p.zip')).toThrow(
      /^p\.zip: the checkpoint of light-k4@1 was trained on other data/,
    );
    const twice = { ...m, checkpoints: [m.checkpoints[0], m.checkpoints[0]] };
    expect(() => readProjectZip(altered({ [PROJECT_MANIFEST]: strToU8(JSON.stringify(twice)) }), 'p.zip')).toThrow(
      /lists the checkpoint of light-k4@1 twice/,
    );
  });

  it('is read by the CLI: the runs, their results and models, and the models written out', async () => {
    const file = join(work, 'project.zip');
    writeFileSync(file, zip);
    const { code, stdout, stderr } = await runCliCaptured(['project', file, '--out', join(work, 'models')]);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('cnn@1\tok\t');
    expect(stdout).toMatch(/light-k2@1\tok\t\d+\/\d+\t1\.000\t[\d.]+\tyes/);
    expect(stdout).toContain('light-k4@1\tinterrupted at epoch 3 of 5');
    expect(stdout).toContain('images: not in the file (saved without them)');
    expect(readFileSync(join(work, 'models', 'light-k2', 'seed-1', 'weights.bin'))).toEqual(Buffer.from([9, 8, 7, 6]));
    const imagesFile = join(work, 'with-images.zip');
    writeFileSync(imagesFile, withImages);
    expect((await runCliCaptured(['project', imagesFile])).stdout).toContain(
      'images: 4 decoded at 2×2×1 (0.0 MB) in the file',
    );
    const json = await runCliCaptured(['project', file, '--json']);
    expect(JSON.parse(json.stdout).models).toEqual(['light-k2@1']);
    const bad = join(work, 'bad.zip');
    writeFileSync(bad, 'not a zip');
    const refused = await runCliCaptured(['project', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/bad\.zip: not a readable zip archive/);
  });
});
