/**
 * What `xray-lab explain` reads: a saved model folder (as `compare --out` writes it), the images to explain, decoded
 * and resized as training decoded them, and optional masks matched to the images by path. Every problem is a
 * CliError naming the option and the file.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { PixelRange } from '../lab/data/batches';
import { isDataError } from '../lab/data/errors';
import { baseName, dirName, skipReason } from '../lab/data/file-kinds';
import type { ImageSet } from '../lab/data/image-set';
import { decodeImage } from '../lab/data/node/decode';
import { listFolder } from '../lab/data/node/read-folder';
import { toSquare } from '../lab/data/resize';
import { modelFromFiles } from '../lab/models/model-files';
import { CliError } from './cli-error';

/** A saved model and what its metadata says about it. */
export interface SavedModel {
  readonly model: tf.LayersModel;
  /** `modelId` from the metadata (e.g. `cnn`, `inception-v3`), or null. */
  readonly modelId: string | null;
  readonly classNames: string[];
  readonly pixelRange: PixelRange;
  /** Input side and channels: the model's own for an image model, the metadata's for a transfer head. */
  readonly size: number | null;
  readonly channels: 1 | 3;
}

interface Metadata {
  modelId?: string;
  classNames?: string[];
  pixelRange?: PixelRange;
  inputSize?: number;
  channels?: 1 | 3;
}

/** The `seed-<n>/` folders under a model folder that hold a model.json, in seed order. */
async function seedFolders(path: string): Promise<string[]> {
  const names = await readdir(path).catch(() => [] as string[]);
  const seeds: string[] = [];
  for (const name of names) {
    if (/^seed-\d+$/.test(name) && (await stat(join(path, name, 'model.json')).catch(() => null))) seeds.push(name);
  }
  return seeds.sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
}

/** Reads `--model DIR` (or its model.json) and the weights file its manifest names. */
export async function readSavedModel(path: string): Promise<SavedModel> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new CliError(`--model ${path}: no such folder or file`);
  const jsonPath = info.isDirectory() ? join(path, 'model.json') : path;
  const json = await readFile(jsonPath, 'utf8').catch(async () => {
    // A run with several seeds keeps one model per seed: say which folders to pick from.
    const seeds = info.isDirectory() ? await seedFolders(path) : [];
    if (seeds.length > 0) {
      throw new CliError(
        `--model ${path}: the run had ${seeds.length} seeds, so each has its own model: ` +
          `give one of ${seeds.map((s) => join(path, s)).join(', ')}`,
      );
    }
    throw new CliError(
      `--model ${path}: no model.json there (compare --out writes models/<id>/model.json + weights.bin)`,
    );
  });
  let manifest: { weightsManifest?: Array<{ paths?: string[] }> };
  try {
    manifest = JSON.parse(json);
  } catch (err) {
    throw new CliError(`--model ${jsonPath}: not valid JSON (${(err as Error).message})`);
  }
  const shards = manifest.weightsManifest?.flatMap((group) => group.paths ?? []) ?? [];
  if (shards.length !== 1)
    throw new CliError(`--model ${jsonPath}: expected one weights file in its manifest, found ${shards.length}`);
  const weightsPath = join(dirname(jsonPath), shards[0]);
  const weights = await readFile(weightsPath).catch(() => {
    throw new CliError(`--model ${path}: its weights file ${weightsPath} is missing`);
  });
  let model: tf.LayersModel;
  try {
    model = await modelFromFiles(json, weights);
  } catch (err) {
    throw new CliError(`--model ${jsonPath}: ${(err as Error).message.split('\n')[0]}`);
  }
  const meta = (model.getUserDefinedMetadata() ?? {}) as Metadata;
  const shape = model.inputs[0].shape;
  const outputs = model.outputs[0].shape[1] ?? 2;
  const imageModel = shape.length === 4;
  const channels = imageModel ? shape[3] : (meta.channels ?? 3);
  if (channels !== 1 && channels !== 3)
    throw new CliError(`--model ${jsonPath}: takes ${channels}-channel images; the lab's are grey (1) or RGB (3)`);
  return {
    model,
    modelId: meta.modelId ?? null,
    classNames:
      meta.classNames?.length === outputs ? meta.classNames : Array.from({ length: outputs }, (_, i) => `class ${i}`),
    pixelRange: meta.pixelRange ?? '0,1',
    size: (imageModel ? shape[1] : meta.inputSize) ?? null,
    channels,
  };
}

/** The images to explain: one file, or every image below a folder (paths relative to it, sorted). */
export async function listImages(path: string): Promise<{ root: string; files: string[] }> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new CliError(`--images ${path}: no such file or folder`);
  if (!info.isDirectory()) return { root: dirname(path), files: [basename(path)] };
  let listed;
  try {
    listed = await listFolder(path);
  } catch (err) {
    throw new CliError(`--images ${isDataError(err) ? err.message.split('\n')[0] : (err as Error).message}`);
  }
  const files = listed.paths.filter((p) => !p.endsWith('/') && skipReason(p) === null);
  if (files.length === 0) throw new CliError(`--images ${path}: no .jpg, .jpeg or .png image in it`);
  return { root: path, files };
}

/**
 * Decodes and resizes `files` (relative to `root`) to size × size × channels, as compare decoded its training images.
 * Unreadable files are left out and reported through `skip`; the true class is the parent folder's name when that
 * names a class (`label` -1 otherwise).
 */
export async function readImages(
  root: string,
  files: string[],
  size: number,
  channels: 1 | 3,
  classNames: readonly string[],
  skip: (file: string, why: string) => void,
): Promise<ImageSet> {
  const per = size * size * channels;
  const pixels = new Uint8Array(files.length * per);
  const kept: string[] = [];
  const labels: number[] = [];
  for (const file of files) {
    try {
      const image = decodeImage(new Uint8Array(await readFile(join(root, file))), file);
      pixels.set(toSquare(image, size, channels), kept.length * per);
      kept.push(file);
      const folder = baseName(dirName(file)).toUpperCase();
      labels.push(classNames.findIndex((c) => c.toUpperCase() === folder));
    } catch (err) {
      if (!isDataError(err)) throw err;
      skip(file, err.problem);
    }
  }
  return {
    size,
    channels,
    classNames,
    pixels: pixels.subarray(0, kept.length * per),
    labels: Int32Array.from(labels),
    files: kept,
    count: kept.length,
  };
}

/**
 * The mask of each image from `--mask DIR`: the file at the image's relative path, or with a .png extension;
 * grey ≥ 128 is inside. Resized to the model's input like the image. Every image must have one.
 */
export async function readMasks(dir: string, files: readonly string[], size: number): Promise<Uint8Array[]> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new CliError(`--mask ${dir}: no such folder`);
  const masks: Uint8Array[] = [];
  for (const file of files) {
    const candidates = [file, file.replace(/\.[^./]+$/, '') + '.png'].map((c) => join(dir, c));
    let found: { path: string; bytes: Buffer } | null = null;
    for (const path of candidates) {
      const bytes = await readFile(path).catch(() => null);
      if (bytes) {
        found = { path, bytes };
        break;
      }
    }
    if (!found)
      throw new CliError(`--mask ${dir}: no mask for ${file} (looked for ${[...new Set(candidates)].join(' and ')})`);
    try {
      const grey = toSquare(decodeImage(new Uint8Array(found.bytes), found.path), size, 1);
      masks.push(grey.map((v) => (v >= 128 ? 1 : 0)));
    } catch (err) {
      throw new CliError(`--mask ${isDataError(err) ? err.message.split('\n')[0] : (err as Error).message}`);
    }
  }
  return masks;
}
