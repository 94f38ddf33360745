/**
 * Loads saved TF.js models (a downloaded one, or a just-trained one from its files: the same path either way, so
 * what the page predicts here is what the downloaded files predict) and classifies dropped images with them.
 */
import type * as tf from '@tensorflow/tfjs';
import type { PixelRange } from '../lab/data/batches';
import { decodeInBrowser } from '../lab/data/browser/browser-decode';
import { isDataError } from '../lab/data/errors';
import type { ImageSet } from '../lab/data/image-set';
import { argmaxRows, predictSet } from '../lab/eval/predict-set';
import { modelFromFiles } from '../lab/models/model-files';
import { onnxModel, predictOnnx } from './onnx-classify';
import type { Classification, LoadedModelInfo, PickedFile } from './protocol';
import { thumbnailOf } from './thumbnails';

export interface LoadedModel {
  model: tf.LayersModel;
  info: LoadedModelInfo;
}

const loaded = new Map<string, LoadedModel>();

interface SavedMetadata {
  classNames?: string[];
  pixelRange?: PixelRange;
}

export async function loadModel(ref: string, modelJson: string, weights: ArrayBuffer): Promise<LoadedModelInfo> {
  loaded.get(ref)?.model.dispose();
  loaded.delete(ref);
  const model = await modelFromFiles(modelJson, weights);
  const shape = model.inputs[0].shape;
  const size = shape[1];
  const channels = shape[3];
  if (size == null || shape[2] !== size || (channels !== 1 && channels !== 3)) {
    model.dispose();
    throw new Error(`the model takes input [${shape.join(', ')}]; the lab needs square 1- or 3-channel images`);
  }
  const meta = (model.getUserDefinedMetadata() ?? {}) as SavedMetadata;
  const outputs = (model.outputs[0].shape[1] ?? 2) as number;
  const classNames =
    meta.classNames?.length === outputs ? meta.classNames : Array.from({ length: outputs }, (_, i) => `class ${i}`);
  const info: LoadedModelInfo = { ref, size, channels, classNames, pixelRange: meta.pixelRange ?? '0,1' };
  loaded.set(ref, { model, info });
  return info;
}

/** The model loaded as `ref`, for the worker's other calls on it (Grad-CAM). */
export function loadedModel(ref: string): LoadedModel {
  const entry = loaded.get(ref);
  if (!entry && onnxModel(ref))
    throw new Error('Grad-CAM needs the TF.js files of a model; an ONNX model gives scores only');
  if (!entry) throw new Error(`no model loaded as "${ref}": load model files first`);
  return entry;
}

export async function classify(ref: string, images: readonly PickedFile[]): Promise<Classification[]> {
  // A dropped model.onnx runs in onnxruntime-web; the images are decoded the same way for both.
  const onnx = onnxModel(ref);
  const entry = onnx ? null : loadedModel(ref);
  const { size, channels, classNames, pixelRange } = onnx?.info ?? entry!.info;
  const per = size * size * channels;
  const pixels = new Uint8Array(images.length * per);
  const ok: number[] = [];
  const results: Classification[] = [];
  for (const image of images) {
    try {
      // The core's browser decoder, as the dataset was decoded: the model sees what it was trained on.
      const bytes = new Uint8Array(await image.file.arrayBuffer());
      const square = (await decodeInBrowser(bytes, image.path, { size, channels })).pixels;
      pixels.set(square, ok.length * per);
      results.push({
        file: image.path,
        probabilities: [],
        predicted: -1,
        thumbnail: thumbnailOf(square, size, channels, -1, image.path),
        error: null,
      });
      ok.push(results.length - 1);
    } catch (err) {
      results.push({
        file: image.path,
        probabilities: [],
        predicted: -1,
        thumbnail: null,
        error: isDataError(err) ? err.problem : (err as Error).message,
      });
    }
  }
  if (ok.length === 0) return results;
  const set: ImageSet = {
    size,
    channels,
    classNames,
    pixels: pixels.subarray(0, ok.length * per),
    labels: new Int32Array(ok.length),
    files: ok.map((i) => results[i].file),
    count: ok.length,
  };
  const probabilities = onnx
    ? await predictOnnx(onnx, set.pixels, set.count)
    : (await predictSet(entry!.model, set, { range: pixelRange })).probabilities;
  const k = classNames.length;
  const predicted = argmaxRows(probabilities, k);
  ok.forEach((resultIndex, row) => {
    results[resultIndex].probabilities = Array.from(probabilities.subarray(row * k, (row + 1) * k));
    results[resultIndex].predicted = predicted[row];
  });
  return results;
}
