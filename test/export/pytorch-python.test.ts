/**
 * Exported PyTorch projects run by Debian's python3-torch: every registry model has the lab's parameter counts and,
 * with the lab's weights, predicts the lab's logits within 1e-4; data.py gives the lab's pixels; and
 * `python3 train.py --nproc 2 --data DIR --epochs 1` trains with two DistributedDataParallel processes (gloo) and
 * writes a results.json the lab reads, in results/ beside train.py: a read-only copy of the data is left as it was. Skipped, with a message, where /usr/bin/python3 lacks torch, NumPy or Pillow.
 */
import { chmod, cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/lab/data/node/decode';
import { toSquare } from '../../src/lab/data/resize';
import { writeFolderAtomically } from '../../src/lab/export/node/write-folder';
import {
  writePytorchProject,
  type ExperimentJson,
  type PytorchHyperparameters,
  type PytorchProjectSpec,
  type SplitManifest,
} from '../../src/lab/export/pytorch';
import { parseResultsJson } from '../../src/lab/report/render-json';
import { findModel } from '../../src/lab/registry';
import { CLASS_NAMES, sampleInputs, scratchCases, transferCases, type ExportCase } from '../helpers/export-models';
import { encodePng } from '../helpers/png-encode';
import { pythonHas, runPython, SYSTEM_PYTHON } from '../helpers/python';
import { useCpuBackend } from '../helpers/tf-cpu';
import { writeDataset } from '../helpers/write-dataset';

const hasTorch = pythonHas('torch', 'numpy', 'PIL');
const PROBE = resolve('test/export/pytorch_probe.py');
const INPUTS = 3;

const HYPER: PytorchHyperparameters = {
  size: 16,
  channels: 1,
  epochs: 2,
  batchSize: 8,
  learningRate: 1e-3,
  seeds: [1],
  classWeights: null,
  patience: null,
  batchNormMomentum: 0.99,
  batchNormRecalibrationBatches: 2,
  threshold: 0.5,
  bootstrapIterations: 50,
  headDropout: 0,
  headLightRank: null,
};

let work = '';
beforeAll(async () => {
  await useCpuBackend();
  work = await mkdtemp(join(tmpdir(), 'xray-torch-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** A project for one case, its trained weights = the case model's, under work/<name>. */
async function exportCase(c: ExportCase, splits: SplitManifest): Promise<string> {
  const spec: PytorchProjectSpec = {
    models: [c.meta.modelId],
    hyperparameters: {
      ...HYPER,
      size: c.meta.inputSize,
      channels: c.meta.channels,
      headDropout: c.head?.dropout ?? 0,
      headLightRank: c.head?.lightRank ?? null,
    },
    classNames: CLASS_NAMES,
    positiveClass: 1,
    splits,
    trained: [{ modelId: c.meta.modelId, seed: 1, model: c.model }],
    ...(c.backbone ? { backbones: { [c.meta.modelId]: c.backbone } } : {}),
  };
  const dir = join(work, c.name);
  await writeFolderAtomically(dir, await writePytorchProject(spec));
  return dir;
}

/** A TCP port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

const ONE_IMAGE: SplitManifest = {
  train: [{ path: 'a.png', label: 'NORMAL' }],
  val: [],
  test: [{ path: 'b.png', label: 'PNEUMONIA' }],
};

describe.skipIf(!hasTorch)('exported PyTorch models', () => {
  let cases: ExportCase[] = [];
  beforeAll(async () => {
    cases = [...scratchCases(), ...(await transferCases())];
  });
  afterAll(() => cases.forEach((c) => c.model.dispose()));

  it("have the lab's parameter counts and predict the lab's logits within 1e-4, for every registry model", async () => {
    const jobs = [];
    const expected: Float32Array[] = [];
    for (const [i, c] of cases.entries()) {
      const project = await exportCase(c, ONE_IMAGE);
      const x = sampleInputs(c.meta, INPUTS, 70 + i);
      const logits = c.model.predict(x) as tf.Tensor;
      expected.push((await logits.data()) as Float32Array);
      await writeFile(join(project, 'inputs.bin'), new Uint8Array(((await x.data()) as Float32Array).buffer));
      tf.dispose([x, logits]);
      jobs.push({
        project,
        modelId: c.meta.modelId,
        seed: 1,
        inputs: join(project, 'inputs.bin'),
        count: INPUTS,
        outputs: join(project, 'logits.bin'),
      });
    }
    await writeFile(join(work, 'predict.json'), JSON.stringify({ predict: jobs }));
    const { stdout } = await runPython([PROBE, join(work, 'predict.json')]);
    const report = JSON.parse(stdout) as { predict: Array<{ params: number; trainable: number; loaded: string[] }> };
    for (const [i, c] of cases.entries()) {
      const experiment = JSON.parse(await readFile(join(jobs[i].project, 'experiment.json'), 'utf8')) as ExperimentJson;
      const lab = experiment.models[0];
      const got = report.predict[i];
      expect([got.params, got.trainable], c.name).toEqual([lab.labParams, lab.labTrainableParams]);
      expect(got.params, c.name).toBe(c.model.countParams());
      expect(got.loaded, c.name).toEqual(
        c.backbone
          ? [`weights/${c.name}-backbone.safetensors`, `weights/${c.name}-seed1.safetensors`]
          : [`weights/${c.name}-seed1.safetensors`],
      );
      const raw = await readFile(jobs[i].outputs);
      const logits = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
      const diff = Math.max(...logits.map((v, j) => Math.abs(v - expected[i][j])));
      const scale = Math.max(...expected[i].map(Math.abs));
      console.info(
        `pytorch ${c.name}: ${got.params.toLocaleString('en-US')} parameters (${got.trainable.toLocaleString('en-US')} trainable) = lab; max |Δ logits| ${diff.toExponential(2)} (logits up to ${scale.toFixed(2)})`,
      );
      expect(scale, c.name).toBeGreaterThan(0.5); // logits of a useful size, or the comparison proves little
      expect(diff, c.name).toBeLessThan(1e-4);
    }
  });

  it("count every registry model's parameters as the lab does at the study's 299×299×3", async () => {
    // Structure only (no weights): the per-model projects above use small inputs; counts must hold at any size.
    const ids = ['cnn', 'light-k1', 'light-k2', 'light-k3', 'light-k4', 'light-k5', 'light-k12'];
    const files = await writePytorchProject({
      models: ids,
      hyperparameters: { ...HYPER, size: 299, channels: 3 },
      classNames: CLASS_NAMES,
      positiveClass: 1,
      splits: ONE_IMAGE,
    });
    const dir = join(work, 'counts');
    await writeFolderAtomically(dir, files);
    const script =
      'import json, sys; sys.path.insert(0, "."); from models import build_model, count_params\n' +
      'e = json.load(open("experiment.json"))\n' +
      'print(json.dumps([count_params(build_model(m, e["hyperparameters"], 2)) for m in e["models"]]))';
    const { stdout } = await runPython(['-c', script], { cwd: dir });
    const counts = JSON.parse(stdout) as Array<[number, number]>;
    ids.forEach((id, i) => {
      const lab = findModel(id).measure({ size: 299, channels: 3 });
      expect(counts[i], id).toEqual([lab.params, lab.trainableParams]);
    });
    expect(counts.slice(0, 6).map((c) => c[0])).toEqual([31_074, 2_753, 4_600, 6_447, 8_294, 10_141]); // the study's table
  });
});

/** Every file and folder under `dir` with its size and modification time: what a run must leave unchanged. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of ['.', ...(await readdir(dir, { recursive: true }))]) {
    const s = await stat(join(dir, rel));
    out[rel] = `${s.isDirectory() ? 'dir' : s.size} ${s.mtimeMs}`;
  }
  return out;
}

/** chmod -R a-w (or back to u+w): a shared, read-only dataset. */
async function setWritable(dir: string, writable: boolean): Promise<void> {
  for (const rel of [...(await readdir(dir, { recursive: true })), '.']) {
    const path = join(dir, rel);
    const mode = (await stat(path)).mode & 0o777;
    await chmod(path, writable ? mode | 0o200 : mode & ~0o222);
  }
}

describe.skipIf(!hasTorch)('the exported trainer', () => {
  let data = '';
  let project = '';
  let splits: SplitManifest;

  beforeAll(async () => {
    data = join(work, 'data');
    const written = await writeDataset(data, { perClass: 10, size: 32, splits: { val: 0.2, test: 0.3 }, seed: 3 });
    const bySplit: Record<string, Array<{ path: string; label: string }>> = { train: [], val: [], test: [] };
    for (const rel of written.images) {
      const [split, label] = rel.split('/');
      bySplit[split].push({ path: rel, label });
    }
    splits = bySplit as unknown as SplitManifest;
    const trained = findModel('light-k2').build({ size: 24, channels: 1, seed: 1 });
    const files = await writePytorchProject({
      title: 'DDP smoke test',
      models: ['light-k2'],
      hyperparameters: { ...HYPER, size: 24, epochs: 3 },
      classNames: written.set.classNames,
      positiveClass: 1,
      splits,
      trained: [{ modelId: 'light-k2', seed: 1, model: trained }],
    });
    trained.dispose();
    project = join(work, 'project');
    await writeFolderAtomically(project, files);
  });

  it('reads and resizes images exactly as the lab does (within 1 grey level)', async () => {
    // Grey PNGs from the dataset at three sizes (bilinear only; 2×2 boxes; 3×3 boxes with short edge boxes), an RGB
    // PNG to grey (luminance) and to RGB, and a 16-bit grey PNG.
    const rgb = new Uint8Array(37 * 29 * 3).map((_, i) => (i * 7919) % 251);
    await writeFile(
      join(data, 'colour.png'),
      encodePng({ width: 37, height: 29, colorType: 2, bitDepth: 8, samples: rgb }),
    );
    const wide = new Uint16Array(30 * 40).map((_, i) => (i * 104_729) % 65_536);
    await writeFile(
      join(data, 'sixteen.png'),
      encodePng({ width: 30, height: 40, colorType: 0, bitDepth: 16, samples: wide }),
    );
    const paths = [splits.train[0].path, splits.test[0].path, 'colour.png', 'sixteen.png'];
    const checks: Array<[string, number, 1 | 3]> = [
      [paths[0], 24, 1],
      [paths[1], 13, 1],
      [paths[0], 10, 3],
      [paths[2], 12, 1],
      [paths[2], 20, 3],
      [paths[3], 11, 1],
    ];
    const out = join(work, 'pixels.bin');
    const images = checks.map(([path, size, channels]) => ({ path, size, channels }));
    await writeFile(join(work, 'pixels.json'), JSON.stringify({ pixels: { project, data, images, outputs: out } }));
    await runPython([PROBE, join(work, 'pixels.json')]);
    const all = new Uint8Array(await readFile(out));
    let offset = 0;
    for (const [path, size, channels] of checks) {
      const theirs = all.subarray(offset, offset + size * size * channels); // CHW
      offset += size * size * channels;
      const ours = toSquare(decodeImage(new Uint8Array(await readFile(join(data, path))), path), size, channels); // HWC
      let worst = 0;
      for (let c = 0; c < channels; c++)
        for (let p = 0; p < size * size; p++) {
          worst = Math.max(worst, Math.abs(theirs[c * size * size + p] - ours[p * channels + c]));
        }
      expect(worst, `${path} → ${size}×${size}×${channels}`).toBeLessThanOrEqual(1);
    }
    expect(offset).toBe(all.length);
  });

  it('trains one epoch with two DDP processes (gloo) on a read-only dataset and writes results.json beside train.py', async () => {
    // Root ignores write bits, so the proof is the data folder's snapshot, unchanged; the bits say what users have.
    const readOnly = join(work, 'read-only-data');
    await cp(data, readOnly, { recursive: true });
    await setWritable(readOnly, false);
    const before = await snapshot(readOnly);
    let stderr: string;
    try {
      ({ stderr } = await runPython(['train.py', '--nproc', '2', '--data', readOnly, '--epochs', '1'], {
        cwd: project,
        timeoutMs: 600_000,
      }));
      expect(await snapshot(readOnly)).toEqual(before);
    } finally {
      await setWritable(readOnly, true);
    }
    expect(stderr).toContain(`wrote ${join(project, 'results', 'results.json')}`);
    expect((await readdir(join(project, 'results', 'models'))).sort()).toEqual(['light-k2-seed1.pt']);
    expect(stderr).toContain('starting 2 processes (cpu, gloo)');
    expect(stderr).toMatch(/rank 0\/2 trains on \d+ of \d+ images per epoch/);
    expect(stderr).toMatch(/rank 1\/2 trains on \d+ of \d+ images per epoch/);
    expect(stderr).toContain('starting from weights/light-k2-seed1.safetensors');
    const file = parseResultsJson(await readFile(join(project, 'results/results.json'), 'utf8'));
    expect(file.results).toHaveLength(1);
    const r = file.results[0] as (typeof file.results)[number] & { runtime?: string; worldSize?: number };
    const lab = findModel('light-k2').measure({ size: 24, channels: 1 });
    expect(r).toMatchObject({
      modelId: 'light-k2',
      label: 'LightLayers k=2',
      status: 'ok',
      runtime: 'pytorch',
      worldSize: 2,
      seed: 1,
      params: lab.params,
      trainableParams: lab.trainableParams,
      inputSize: 24,
      channels: 1,
      epochsRun: 1,
      epochsPlanned: 1,
      backend: 'torch-cpu',
      classNames: ['NORMAL', 'PNEUMONIA'],
      positiveClass: 'PNEUMONIA',
    });
    expect(r.history).toHaveLength(1);
    expect(r.history![0].loss).toBeGreaterThan(0);
    expect(r.history![0].valLoss).toBeGreaterThan(0);
    expect(r.test!.count).toBe(splits.test.length);
    expect(r.test!.confusion.flat().reduce((a, b) => a + b, 0)).toBe(splits.test.length);
    expect(r.test!.tp + r.test!.fp + r.test!.tn + r.test!.fn).toBe(splits.test.length);
    expect(r.test!.ci?.iterations).toBe(50);
    expect(file.meta).toMatchObject({ runtime: 'pytorch', worldSize: 2, device: 'cpu', title: 'DDP smoke test' });
    console.info(
      `pytorch DDP ×2: light-k2 1 epoch, loss ${r.history![0].loss?.toFixed(3)}, test accuracy ${r.test!.accuracy}, ${((r.trainTimeMs ?? 0) / 1000).toFixed(1)} s`,
    );
  });

  it('runs as torchrun starts it: one process per rank, told RANK, WORLD_SIZE and LOCAL_RANK', async () => {
    // Debian's torchrun 1.13 fails on Python 3.11, so its environment contract is played here by hand.
    const port = await freePort();
    const results = join(work, 'torchrun-results', 'results.json');
    const rank = (r: number) =>
      runPython(['train.py', '--data', data, '--epochs', '1', '--results', results, '--workers', '0'], {
        cwd: project,
        env: {
          ...process.env,
          RANK: String(r),
          LOCAL_RANK: String(r),
          WORLD_SIZE: '2',
          LOCAL_WORLD_SIZE: '2',
          MASTER_ADDR: '127.0.0.1',
          MASTER_PORT: String(port),
        },
      });
    const [first, second] = await Promise.all([rank(0), rank(1)]);
    expect(first.stderr).toMatch(/rank 0\/2 trains on/);
    expect(second.stderr).toMatch(/rank 1\/2 trains on/);
    expect(second.stderr).not.toContain('wrote'); // only rank 0 writes results
    const file = parseResultsJson(await readFile(results, 'utf8'));
    expect(file.results[0]).toMatchObject({ modelId: 'light-k2', status: 'ok', runtime: 'pytorch', worldSize: 2 });
  });

  it('refuses --results inside the data folder, before training', async () => {
    const before = await snapshot(data);
    const err = await runPython(['train.py', '--data', data, '--results', join(data, 'out')], { cwd: project }).catch(
      (e: Error) => e,
    );
    expect(String(err)).toMatch(/exit 2/);
    expect(String(err)).toContain(
      `--results ${join(data, 'out')}: that is inside the data folder ${data}; results never go into the dataset`,
    );
    expect(await snapshot(data)).toEqual(before);
  });

  it('says so when CUDA is asked for and there is none', async () => {
    const err = await runPython(['train.py', '--device', 'cuda', '--data', data], { cwd: project }).catch(
      (e: Error) => e,
    );
    expect(String(err)).toMatch(/exit 2/);
    expect(String(err)).toMatch(/--device cuda: no CUDA device is usable here .*Run with --device cpu/);
  });

  it('says which images are missing when --data is the wrong folder', async () => {
    const err = await runPython(['train.py', '--data', work], { cwd: project }).catch((e: Error) => e);
    expect(String(err)).toMatch(/exit 2/);
    expect(String(err)).toMatch(
      new RegExp(
        `--data ${work}: ${splits.train.length + splits.val.length + splits.test.length} of the \\d+ images of the split manifest are not there \\(first: train/`,
      ),
    );
  });
});

if (!hasTorch)
  console.warn(
    `skipping the PyTorch export runs: ${SYSTEM_PYTHON} lacks torch, numpy or PIL (apt-get install python3-torch python3-pil)`,
  );
