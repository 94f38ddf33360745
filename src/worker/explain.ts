/**
 * Grad-CAM in the worker: heat maps for images of the loaded dataset (the page's error gallery) or for dropped images
 * (the Classify panel), with a model loaded by `loadModel` (classify.ts). The core does the work (src/lab/explain);
 * this file picks the model, decodes dropped files as `classify` does, lets Cancel through and lists the buffers to
 * transfer. Kept free of rpc.ts so it runs (and is tested) outside a worker too.
 */
import { decodeInBrowser } from '../lab/data/browser/browser-decode';
import type { DecodedSquare, StoreFormat } from '../lab/data/decoder';
import { isDataError } from '../lab/data/errors';
import type { ImageSet } from '../lab/data/image-set';
import { createGradCam, type GradCam } from '../lab/explain/grad-cam';
import { explainImages, type ImageExplanation } from '../lab/explain/explain-set';
import type { LoadedModel } from './classify';
import { loadedModel } from './classify';
import type { ExplainClassArg, ExplainedImage, PickedFile } from './protocol-explain';

export interface ExplainHooks {
  /** After each batch; awaited, so the handler can post progress and yield for Cancel. */
  onProgress?: (done: number, total: number) => void | Promise<void>;
}

/** Explanations in flight, so cancelExplain can stop them. */
const running = new Set<AbortController>();

/** The prepared Grad-CAM of each loaded model, rebuilt when `loadModel` puts another model under the ref. */
const cams = new WeakMap<LoadedModel['model'], GradCam>();

function gradCamOf(entry: LoadedModel): GradCam {
  let cam = cams.get(entry.model);
  if (!cam) {
    cam = createGradCam(entry.model);
    cams.set(entry.model, cam);
  }
  return cam;
}

async function run<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  running.add(controller);
  try {
    return await work(controller.signal);
  } finally {
    running.delete(controller);
  }
}

/** Stops every explanation in progress; each rejects with ExplainCancelledError ("Grad-CAM cancelled"). */
export function cancelExplain(): void {
  for (const controller of running) controller.abort();
}

function toExplained(e: ImageExplanation, index: number, label: number): ExplainedImage {
  return {
    index,
    file: e.file,
    label,
    probabilities: Array.from(e.probabilities),
    predicted: e.predicted,
    maps: e.maps,
    error: null,
  };
}

/**
 * Explains the images at `indices` of `set` (a split of the loaded dataset) with the model loaded as `ref`.
 * @throws ExplainInputError when the set's size or channels differ from the model's input, NoConvolutionError for a
 *   model Grad-CAM cannot explain
 */
export async function explainSetImages(
  ref: string,
  set: ImageSet,
  indices: readonly number[],
  classes: ExplainClassArg = 'predicted',
  hooks: ExplainHooks = {},
): Promise<ExplainedImage[]> {
  const entry = loadedModel(ref);
  return run(async (signal) => {
    const explained = await explainImages(gradCamOf(entry), set, {
      range: entry.info.pixelRange,
      classes,
      indices,
      signal,
      onProgress: hooks.onProgress,
    });
    return explained.map((e) => toExplained(e, e.index, e.label));
  });
}

/**
 * Explains the images named by `files` (a finished run's test images, with their `labels`) where `set` (the loaded
 * dataset) holds them, each with its pixels for the overlay. Results are in `files` order, `index` = position there.
 * @throws Error naming the first image the set lacks (or holds under another class): the run's dataset is gone
 * @throws ExplainInputError when the set's images differ in size or channels from the model's input
 */
export async function explainNamedImages(
  ref: string,
  set: ImageSet,
  files: readonly string[],
  labels: readonly number[],
  classes: ExplainClassArg = 'predicted',
  hooks: ExplainHooks = {},
): Promise<ExplainedImage[]> {
  const entry = loadedModel(ref);
  if (files.length !== labels.length) throw new RangeError(`${files.length} files but ${labels.length} labels`);
  const where = new Map<string, number>();
  for (let i = 0; i < set.count; i++) where.set(set.files[i], i);
  const indices = files.map((file, k) => {
    const at = where.get(file);
    if (at === undefined || set.labels[at] !== labels[k]) {
      throw new Error(
        `${file}: ${at === undefined ? 'not in the loaded dataset' : `is ${set.classNames[set.labels[at]]} in the loaded dataset, not ${set.classNames[labels[k]] ?? labels[k]}`}` +
          ' — load the dataset these results were trained on to explain them',
      );
    }
    return at;
  });
  return run(async (signal) => {
    const explained = await explainImages(gradCamOf(entry), set, {
      range: entry.info.pixelRange,
      classes,
      indices,
      signal,
      onProgress: hooks.onProgress,
    });
    return explained.map((e, k) => ({ ...toExplained(e, k, e.label), image: rgbImage(set, e.index) }));
  });
}

/** Image `i` of `set` as its own size × size RGB buffer (grey repeated), so each can be transferred alone. */
function rgbImage(set: ImageSet, i: number): { size: number; rgb: Uint8Array } {
  const n = set.size * set.size;
  const src = set.pixels.subarray(i * n * set.channels, (i + 1) * n * set.channels);
  if (set.channels === 3) return { size: set.size, rgb: src.slice() };
  const rgb = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) rgb[p * 3] = rgb[p * 3 + 1] = rgb[p * 3 + 2] = src[p];
  return { size: set.size, rgb };
}

/**
 * Explains dropped images, decoded at the model's input size as `classify` decodes them (`decode` is replaceable for
 * tests outside a browser). An unreadable file gets its own entry with `error`; the others are explained.
 * @param classes 'true' is not available here: dropped images have no known class
 */
export async function explainFiles(
  ref: string,
  images: readonly PickedFile[],
  classes: Exclude<ExplainClassArg, 'true'> = 'predicted',
  hooks: ExplainHooks = {},
  decode: (bytes: Uint8Array, path: string, format: StoreFormat) => Promise<DecodedSquare> = decodeInBrowser,
): Promise<ExplainedImage[]> {
  const entry = loadedModel(ref);
  const { size, channels, classNames } = entry.info;
  const per = size * size * channels;
  const pixels = new Uint8Array(images.length * per);
  const decoded: number[] = [];
  const results: ExplainedImage[] = images.map((image, index) => ({
    index,
    file: image.path,
    label: -1,
    probabilities: [],
    predicted: -1,
    maps: [],
    error: null,
  }));
  for (const [index, image] of images.entries()) {
    try {
      const square = await decode(new Uint8Array(await image.file.arrayBuffer()), image.path, { size, channels });
      pixels.set(square.pixels, decoded.length * per);
      decoded.push(index);
    } catch (err) {
      results[index].error = isDataError(err) ? err.problem : (err as Error).message;
    }
  }
  if (decoded.length === 0) return results;
  const set: ImageSet = {
    size,
    channels,
    classNames,
    pixels: pixels.subarray(0, decoded.length * per),
    labels: new Int32Array(decoded.length),
    files: decoded.map((i) => images[i].path),
    count: decoded.length,
  };
  return run(async (signal) => {
    const explained = await explainImages(gradCamOf(entry), set, {
      range: entry.info.pixelRange,
      classes,
      signal,
      onProgress: hooks.onProgress,
    });
    explained.forEach(
      (e) => (results[decoded[e.index]] = { ...toExplained(e, decoded[e.index], -1), image: rgbImage(set, e.index) }),
    );
    return results;
  });
}

/** The heat maps' and images' buffers, to transfer with the reply (`withTransfer(result, explainTransferables(result))`). */
export function explainTransferables(images: readonly ExplainedImage[]): ArrayBuffer[] {
  return images.flatMap((image) => [
    ...image.maps.map((map) => map.values.buffer as ArrayBuffer),
    ...(image.image ? [image.image.rgb.buffer as ArrayBuffer] : []),
  ]);
}
